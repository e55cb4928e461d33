"""The emulator listens on the loopback address only: read from the kernel's socket table,
not by connecting to any other address."""

from urllib.parse import urlparse


def listening_addresses(port):
    """Local addresses of TCP sockets listening on `port` (IPv4 and IPv6 tables)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, port_hex = local.rsplit(":", 1)
            if state == "0A" and int(port_hex, 16) == port:  # 0A = LISTEN
                found.append(address)
    return found


def test_emulator_listens_on_loopback_only(emulator):
    port = urlparse(emulator.url).port
    addresses = listening_addresses(port)
    assert addresses, f"no listening socket found for port {port}"
    # 0100007F is 127.0.0.1 in the kernel's little-endian hex form.
    assert addresses == ["0100007F"], addresses
