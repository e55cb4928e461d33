"""HTTP front end: one loopback port for both AWS services and the control API.

A request goes through the same steps AWS's front end takes:
route (X-Amz-Target or RPC v2 path) -> decode -> record in the call log ->
SigV4 form check -> injected latency, throttling, fault -> model validation ->
operation handler (under the store lock) -> encode for the request's wire.
Every response carries `x-amzn-requestid`; HTTP/1.1 keep-alive is on, so
every response has a Content-Length.
"""

import json
import sys
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import (auth, codebuild, codeconnections, control, model, protocols, steering,
               validation)
from .errors import ApiError

HANDLERS = {
    "codebuild": codebuild.OPERATIONS,
    "codeconnections": codeconnections.OPERATIONS,
}
# unconfirmed for CodeConnections: its model has no ValidationException, but
# AWS JSON front ends commonly answer constraint violations with it.
VALIDATION_ERROR = {
    "codebuild": "InvalidInputException",
    "codeconnections": "ValidationException",
}
# Used to answer requests that name no known service.
_FALLBACK_ROUTE = protocols.Route("codebuild", "", "json", "1.1")


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True         # open keep-alive connections never block exit
    allow_reuse_address = True
    request_queue_size = 64       # many SDK clients may connect at once

    def __init__(self, address, store):
        super().__init__(address, RequestHandler)
        self.store = store

    @property
    def url(self):
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


class RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "aws-emulator"

    def do_POST(self):
        self._dispatch("POST")

    def do_GET(self):
        self._dispatch("GET")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def do_PUT(self):
        self._dispatch("PUT")

    def log_message(self, format, *args):
        pass  # we log one line per call ourselves, without bodies

    # --- dispatch --------------------------------------------------------------

    def _dispatch(self, method):
        started = time.monotonic()
        request_id = str(uuid.uuid4())
        body = self._read_body()
        if self.path.startswith("/_emulator/"):
            status, label = self._control(method, body, request_id)
        else:
            status, label = self._aws(method, body, request_id)
        elapsed = (time.monotonic() - started) * 1000
        _log(f"{method} {label} -> {status} ({elapsed:.0f} ms) id={request_id}")

    def _control(self, method, body, request_id):
        store = self.server.store
        try:
            document = json.loads(body) if body.strip() else {}
            status, result = control.handle(store, method, self.path.split("?", 1)[0], document)
        except ValueError as exc:
            status, result = 400, {"error": f"invalid JSON: {exc}"}
        except control.ControlError as exc:
            status, result = exc.status, {"error": exc.message}
        payload = json.dumps(result, default=str).encode()
        self._send(status, payload, "application/json", request_id)
        return status, f"control {self.path}"

    def _aws(self, method, body, request_id):
        try:
            route = protocols.route(self.path, self.headers)
        except ApiError as exc:
            self._send_error(_FALLBACK_ROUTE, model.load("codebuild"), exc, request_id)
            return 400, f"unroutable {self.path}"
        service_model = model.load(route.service)
        record = None
        try:
            params = protocols.decode_request(route, body)
            record = self._record(route, params)
            status, payload = self._run(route, service_model, method, params, record)
            self._send(status, payload, route.content_type, request_id, route)
            code = ""
        except ApiError as exc:
            status = self._send_error(route, service_model, exc, request_id)
            code = exc.code
        except Exception:  # a bug here must not look like an AWS success
            traceback.print_exc(file=sys.stderr)
            exc = ApiError("InternalFailure", "Emulator internal error")
            status, code = self._send_error(route, service_model, exc, request_id), exc.code
        if record is not None:
            record.update(status=status, error=code or None)
        return status, f"{route.service}.{route.operation} [{route.wire}] {code}".rstrip()

    def _run(self, route, service_model, method, params, record):
        store = self.server.store
        region = auth.region_of(self.headers)
        if method != "POST":
            raise ApiError("UnknownOperationException", f"{method} is not supported")
        time.sleep(store.delay_for(route.operation))
        if store.throttled(route.operation):
            raise ApiError("ThrottlingException", "Rate exceeded", 400)
        fault = store.take_fault(route.service, route.operation, params) or {}
        if fault.get("error"):
            raise ApiError(fault["error"], fault["message"], fault["status"])
        corruption = fault.get("corrupt")
        if corruption:
            record["corrupted"] = corruption
            if not fault["perform"]:
                # Answered by something in front of the service: nothing ran.
                return 200, steering.corrupt(corruption, {}, route.wire)
        if route.operation not in service_model.operations:
            raise ApiError("UnknownOperationException", f"Unknown operation {route.operation}")
        handler = HANDLERS[route.service].get(route.operation)
        if handler is None:
            raise ApiError("NotImplemented", f"The emulator does not implement {route.operation}")
        validation.check_input(service_model, route.operation, params,
                               VALIDATION_ERROR[route.service])
        store.tick()
        with store.lock:
            output = handler(store, region, params)
        document = protocols.shape_output(route, service_model, output)
        if corruption:
            return 200, steering.corrupt(corruption, document, route.wire)
        return 200, protocols.encode(route, document)

    def _record(self, route, params):
        entry = {"service": route.service, "operation": route.operation,
                 "request": params, "time": time.time(), "wire": route.wire}
        with self.server.store.lock:
            self.server.store.calls.append(entry)
        return entry

    # --- I/O ---------------------------------------------------------------------

    def _read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _read_chunked(self):
        chunks = []
        while True:
            size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline().strip():
                    pass  # trailers
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline()

    def _send_error(self, route, service_model, error, request_id):
        status, payload, extra = protocols.encode_error(route, service_model, error)
        self._send(status, payload, route.content_type, request_id, route, extra)
        return status

    def _send(self, status, payload, content_type, request_id, route=None, extra=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("x-amzn-requestid", request_id)
        if route is not None and route.wire == "cbor":
            self.send_header("smithy-protocol", "rpc-v2-cbor")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)


def _log(line):
    print(f"[emulator] {line}", file=sys.stderr, flush=True)


def serve(store, port=0):
    """Bind 127.0.0.1:port (0 = any free port); caller runs serve_forever()."""
    return EmulatorServer(("127.0.0.1", port), store)
