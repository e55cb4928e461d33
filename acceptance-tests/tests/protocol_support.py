"""Speaking go-plugin to a provider binary without Terraform: a client certificate made the
way go-plugin makes it (ECDSA P-521, self-signed CA, SAN localhost), starting the binary with
the magic cookie and reading its handshake line, raw TLS probes, and a small bridge that lets
grpcio (which cannot pin a TLS version) talk through a TLS 1.2 or 1.3 connection we control.

The protocol benchmark (`scripts/bench_protocol.py`) uses the same pieces.
"""

import base64
import datetime
import os
import select
import socket
import ssl
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

MAGIC_COOKIE = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
H2_PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
# An empty HTTP/2 SETTINGS frame: length 0, type 4, flags 0, stream 0.
H2_SETTINGS = b"\x00\x00\x00\x04\x00\x00\x00\x00\x00"


@dataclass
class ClientIdentity:
    """A client certificate and key, as PEM text and as files for `ssl`."""
    cert_pem: str
    cert_file: str
    key_file: str


def go_plugin_client_identity(directory):
    """Makes the certificate go-plugin's host generates for every plugin launch."""
    key = ec.generate_private_key(ec.SECP521R1())
    name = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "HashiCorp"),
        x509.NameAttribute(NameOID.COMMON_NAME, "localhost"),
    ])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(seconds=30))
        .not_valid_after(now + datetime.timedelta(hours=262980))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, key_encipherment=True, key_agreement=True,
            key_cert_sign=True, content_commitment=False, data_encipherment=False,
            crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage(
            [ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(key, hashes.SHA512())
    )
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    fd, cert_file = tempfile.mkstemp(prefix="client-", suffix=".pem", dir=directory)
    os.write(fd, cert_pem.encode())
    os.close(fd)
    fd, key_file = tempfile.mkstemp(prefix="client-", suffix=".key", dir=directory)
    os.write(fd, key_pem.encode())
    os.close(fd)
    return ClientIdentity(cert_pem, cert_file, key_file)


@dataclass
class Handshake:
    """The fields of go-plugin's handshake line."""
    core: str
    version: int
    network: str
    address: str
    protocol: str
    server_cert_der: bytes

    @staticmethod
    def parse(line):
        parts = line.rstrip("\n").split("|")
        assert len(parts) == 6, f"handshake line {line!r}"
        cert = parts[5]
        assert "=" not in cert, "go-plugin wants base64 without padding"
        der = base64.b64decode(cert + "=" * (-len(cert) % 4)) if cert else b""
        return Handshake(parts[0], int(parts[1]), parts[2], parts[3], parts[4], der)


def plugin_env(client_cert_pem=None, versions="5,6", extra=None):
    """The environment a go-plugin host gives its plugin."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLUGIN_", "TF_LOG"))}
    env.update({
        "TF_PLUGIN_MAGIC_COOKIE": MAGIC_COOKIE,
        "PLUGIN_PROTOCOL_VERSIONS": versions,
        "PLUGIN_MIN_PORT": "10000",
        "PLUGIN_MAX_PORT": "25000",
        "AWS_EC2_METADATA_DISABLED": "true",
    })
    if client_cert_pem is not None:
        env["PLUGIN_CLIENT_CERT"] = client_cert_pem
    env.update(extra or {})
    return env


def start_plugin(binary, env, args=()):
    """Starts a plugin binary and reads its handshake line. Returns (process, handshake)."""
    process = subprocess.Popen([str(binary), *args], env=env, stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    if not line:
        process.kill()
        raise AssertionError(f"no handshake line; stderr: {process.stderr.read()!r}")
    return process, Handshake.parse(line)


def stop_plugin(process):
    """Ends a plugin we started, by its own process handle."""
    if process.poll() is None:
        process.kill()
    process.wait(timeout=10)


def tls_context(server_cert_der, identity=None, version=None):
    """A client context that trusts exactly the plugin's certificate, as go-plugin's does."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    pem = ssl.DER_cert_to_PEM_cert(server_cert_der)
    context.load_verify_locations(cadata=pem)
    context.check_hostname = True
    context.set_alpn_protocols(["h2"])
    if identity is not None:
        context.load_cert_chain(identity.cert_file, identity.key_file)
    if version is not None:
        context.minimum_version = version
        context.maximum_version = version
    return context


def connect(address, network="unix"):
    """A plain socket to the plugin's address."""
    if network == "unix":
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(address)
    else:
        host, port = address.rsplit(":", 1)
        sock = socket.create_connection((host, int(port)))
    sock.settimeout(10)
    return sock


def tls_probe(handshake, identity=None, version=None):
    """Opens TLS to the plugin and sends the HTTP/2 preface. Returns (accepted, details):
    accepted means the server answered with HTTP/2 frames, so it took our certificate."""
    context = tls_context(handshake.server_cert_der, identity, version)
    raw = connect(handshake.address, handshake.network)
    try:
        tls = context.wrap_socket(raw, server_hostname="localhost")
        peer = tls.getpeercert(binary_form=True)
        details = {"version": tls.version(), "alpn": tls.selected_alpn_protocol(), "peer": peer}
        tls.sendall(H2_PREFACE + H2_SETTINGS)
        # With TLS 1.3 the server judges the client certificate after the client has
        # finished, so a refusal shows up here, as an alert or a closed connection.
        data = tls.recv(9)
        details["first_bytes"] = data
        return len(data) == 9 and data[3] == 4, details
    except (ssl.SSLError, ConnectionError, OSError) as exc:
        return False, {"error": repr(exc)}
    finally:
        raw.close()


class TlsBridge:
    """Listens on a local Unix socket in plaintext and forwards each connection over TLS
    (one pinned version) to the plugin, so grpcio can drive the plugin through it."""

    def __init__(self, handshake, identity, version, directory):
        self.handshake = handshake
        self.context = tls_context(handshake.server_cert_der, identity, version)
        self.path = str(Path(directory) / f"bridge-{os.getpid()}-{id(self)}.sock")
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.path)
        self.listener.listen(8)
        self.versions = []
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def target(self):
        return f"unix:{self.path}"

    def _accept(self):
        while not self.closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._pump, args=(client,), daemon=True).start()

    def _pump(self, client):
        raw = connect(self.handshake.address, self.handshake.network)
        try:
            upstream = self.context.wrap_socket(raw, server_hostname="localhost")
            self.versions.append(upstream.version())
            upstream.setblocking(False)
            client.setblocking(False)
            while not self.closed:
                readable, _, _ = select.select([client, upstream], [], [], 0.5)
                for source in readable:
                    target = upstream if source is client else client
                    try:
                        data = source.recv(65536)
                    except ssl.SSLWantReadError:
                        continue
                    if not data:
                        return
                    target.setblocking(True)
                    target.sendall(data)
                    target.setblocking(False)
                # Data can sit decrypted inside the TLS object where select cannot see it.
                while upstream.pending():
                    client.setblocking(True)
                    client.sendall(upstream.recv(65536))
                    client.setblocking(False)
        except (OSError, ssl.SSLError):
            return
        finally:
            client.close()
            raw.close()

    def close(self):
        self.closed = True
        self.listener.close()
        try:
            os.unlink(self.path)
        except FileNotFoundError:
            pass


def health_check(target, service="plugin", timeout=10):
    """grpc.health.v1.Health/Check with a hand-encoded request; returns the status number
    (1 = SERVING)."""
    import grpc

    request = b"\x0a" + bytes([len(service)]) + service.encode()
    # The :authority of a unix: target is its path, which HTTP/2 servers may refuse.
    options = [("grpc.default_authority", "localhost")]
    with grpc.insecure_channel(target, options=options) as channel:
        call = channel.unary_unary("/grpc.health.v1.Health/Check")
        reply = call(request, timeout=timeout)
    # HealthCheckResponse { ServingStatus status = 1; }: field 1, varint.
    assert reply[:1] == b"\x08", reply
    return reply[1]
