"""Fixtures shared by both test folders: fake credentials for the whole session, and one
emulator subprocess per session (started as users start it, `python -m emulator`, on a free
loopback port), reset before every test."""

import os

import pytest

from harness import FAKE_ENV, UNSAFE_ENV, start_emulator

# Nothing in these tests may read real credentials or reach a metadata address.
os.environ.update(FAKE_ENV)
for name in UNSAFE_ENV:
    os.environ.pop(name, None)


@pytest.fixture(scope="session")
def emulator():
    emu = start_emulator()
    yield emu
    assert emu.stop() == 0


@pytest.fixture(autouse=True)
def fresh_emulator(emulator):
    emulator.post("reset")
    yield
