"""Errors and library facts (Apache MXNet 1.x's ``mx.base``).

Every failed call of the C ABI raises an ``MXNetError``; the subclass is chosen by the error kind
the library reports (``MXGetLastErrorKind``) and also derives from the matching built-in exception,
so ``except ValueError`` works as it would for NumPy. The message is the library's, unchanged.
"""
import builtins

from . import _capi


class MXNetError(RuntimeError):
    """Error raised by the mixnet library (Apache MXNet 1.x's ``mx.base.MXNetError``)."""

    def __str__(self):
        # KeyError would print the repr of the message; every subclass prints it plainly.
        return str(self.args[0]) if self.args else ""


class MXNetValueError(MXNetError, builtins.ValueError):
    """A value is out of range or inconsistent (shapes, parameters)."""


class MXNetTypeError(MXNetError, builtins.TypeError):
    """A dtype or argument type is wrong."""


class MXNetIndexError(MXNetError, builtins.IndexError):
    """An index is out of bounds."""


class MXNetNotFoundError(MXNetError, builtins.KeyError):
    """A named thing (operator, parameter, key) does not exist."""


class MXNetNotImplementedError(MXNetError, builtins.NotImplementedError):
    """The library does not support this (yet)."""


class MXNetIOError(MXNetError, builtins.OSError):
    """A file could not be read or written, or its contents are invalid."""


class MXNetInvalidHandleError(MXNetError, builtins.ValueError):
    """A handle is NULL, freed, or of the wrong kind."""


#: Exception class by the library's error kind (MX_ERR_* in c_api.h).
ERROR_CLASSES = (
    MXNetError,  # MX_ERR_INTERNAL
    MXNetValueError,  # MX_ERR_VALUE
    MXNetTypeError,  # MX_ERR_TYPE
    MXNetIndexError,  # MX_ERR_INDEX
    MXNetNotFoundError,  # MX_ERR_NOT_FOUND
    MXNetNotImplementedError,  # MX_ERR_NOT_IMPLEMENTED
    MXNetIOError,  # MX_ERR_IO
    MXNetInvalidHandleError,  # MX_ERR_INVALID_HANDLE
)
_capi.set_error_classes(ERROR_CLASSES)


def fail(cls, message):
    """Raises ``cls`` (one of ERROR_CLASSES) with ``message``; for errors found on the Python side."""
    raise cls(message)


def version():
    """(version, abi_version) of the loaded libmixnet (1.0.0 -> 10000 as MXNet's MXNET_VERSION)."""
    return _capi.MXGetVersion(), _capi.MXGetABIVersion()


def registry():
    """(registry JSON, hash) of the loaded libmixnet."""
    json_text, digest = _capi.MXGetRegistryJSON()
    return json_text, digest


def list_op_names():
    """Every registered op name, aliases included."""
    return _capi.MXListAllOpNames()


def check_registry(generated_hash):
    """Raises ImportError when the generated op wrappers were made from another registry."""
    _, lib_hash = registry()
    if lib_hash != generated_hash:
        raise ImportError(
            "mixnet: the native library's operator registry (hash %s...) does not match the one "
            "mixnet/_generated/ops.py was generated from (%s...). Rebuild the Python package "
            "(`npx nx run mixnet-python:build`) against this libmixnet, or use the libmixnet it was "
            "built with." % (lib_hash[:12], generated_hash[:12]))
