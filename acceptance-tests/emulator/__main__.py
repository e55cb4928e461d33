"""`python -m emulator`: run the emulator until SIGTERM/SIGINT.

Environment:
  EMULATOR_PORT              port on 127.0.0.1 (unset or 0: a free one)
  EMULATOR_AUTHORIZE_AFTER   seconds after which new hosts/connections turn AVAILABLE
  EMULATOR_HOST_SETUP_DELAY  seconds a VPC host spends in VPC_CONFIG_* states

The first stdout line is the endpoint URL, so a parent process can read it.
"""

import os
import signal
import sys
import threading

from . import model
from .server import serve
from .state import Config, Store


def _number(name):
    raw = os.environ.get(name, "").strip()
    if not raw:
        return None
    try:
        return float(raw)
    except ValueError:
        sys.exit(f"{name} must be a number of seconds, got {raw!r}")


def main():
    defaults = Config(authorize_after=_number("EMULATOR_AUTHORIZE_AFTER"),
                      host_setup_delay=_number("EMULATOR_HOST_SETUP_DELAY") or 0.0)
    for service in model.SERVICES:
        model.load(service)  # fail at start, not on the first request
    port = int(_number("EMULATOR_PORT") or 0)
    server = serve(Store(defaults), port)

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    worker = threading.Thread(target=server.serve_forever, daemon=True)
    worker.start()

    print(server.url, flush=True)
    print(f"[emulator] listening on {server.url} (botocore {model.botocore_version()})",
          file=sys.stderr, flush=True)
    while not stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    print("[emulator] stopped", file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
