"""The ldenrich exception hierarchy.

Every error raised by ldenrich derives from :class:`LdenrichError`, except operating-system errors
(``FileNotFoundError``, ``PermissionError``, ``OSError``), which keep their built-in types.
:class:`ParseError` instances carry ``path``, ``line`` and ``column`` attributes.

Examples
--------
>>> import ldenrich
>>> issubclass(ldenrich.ParseError, ldenrich.LdenrichError)
True
"""

from ldenrich._native import (
    InconsistentInputError,
    InternalError,
    InvalidArgumentError,
    LdenrichError,
    MissingColumnError,
    ParseError,
)

__all__ = [
    "InconsistentInputError",
    "InternalError",
    "InvalidArgumentError",
    "LdenrichError",
    "MissingColumnError",
    "ParseError",
]
