"""Loads the botocore service models that define every shape we accept and emit.

The models are read once at start from the installed botocore package, so the
emulator's limits, enums and error statuses follow the pinned botocore version
rather than a hand-copied list.
"""

import functools

import botocore
import botocore.loaders

from .errors import UNMODELED_STATUS

# Our service name -> (botocore service name, Smithy namespace used in CBOR
# error `__type` values).
SERVICES = {
    "codebuild": ("codebuild", "com.amazonaws.codebuild"),
    "codeconnections": ("codeconnections", "com.amazonaws.codeconnections"),
}


class ServiceModel:
    """Read-only view of one botocore service-2.json."""

    def __init__(self, name, raw, namespace):
        self.name = name
        self.namespace = namespace
        self.metadata = raw["metadata"]
        self.operations = raw["operations"]
        self.shapes = raw["shapes"]

    def shape(self, name):
        return self.shapes[name]

    def input_shape(self, operation):
        ref = self.operations[operation].get("input")
        return ref["shape"] if ref else None

    def output_shape(self, operation):
        ref = self.operations[operation].get("output")
        return ref["shape"] if ref else None

    def error_status(self, code):
        """HTTP status of an error code: the model's, else AWS's usual one."""
        shape = self.shapes.get(code)
        if shape and shape.get("exception"):
            return shape.get("error", {}).get("httpStatusCode", 400)
        return UNMODELED_STATUS.get(code, 400)


@functools.lru_cache(maxsize=None)
def load(name):
    botocore_name, namespace = SERVICES[name]
    raw = botocore.loaders.Loader().load_service_model(botocore_name, "service-2")
    return ServiceModel(name, raw, namespace)


def botocore_version():
    return botocore.__version__
