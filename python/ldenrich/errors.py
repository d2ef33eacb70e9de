"""The ldenrich exception hierarchy.

Every error raised by ldenrich derives from :class:`LdenrichError`, except operating-system errors
(``FileNotFoundError``, ``PermissionError``, ``OSError``), which keep their built-in types.
:class:`ParseError` instances carry ``path``, ``line`` and ``column`` attributes.
:class:`CancelledError` ends a native call that another thread's Ctrl-C cancelled; a signal
received by the calling thread itself raises its own exception (``KeyboardInterrupt`` for Ctrl-C)
within about 50 ms of arriving, however long the call would have run.

:class:`LdenrichWarning` marks inputs that parse but look wrong (few SNPs in the reference, a
genome-build mismatch, an implausible median chi-square, gene sets whose genes are mostly not
in the gene locations). It is a :class:`UserWarning`, so ``warnings.simplefilter("error",
ldenrich.LdenrichWarning)`` turns these checks into errors.

Examples
--------
>>> import ldenrich
>>> issubclass(ldenrich.ParseError, ldenrich.LdenrichError)
True
>>> issubclass(ldenrich.LdenrichWarning, UserWarning)
True
"""

from ldenrich._native import (
    CancelledError,
    InconsistentInputError,
    InternalError,
    InvalidArgumentError,
    LdenrichError,
    MissingColumnError,
    ParseError,
)


class LdenrichWarning(UserWarning):
    """Inputs that parse but look wrong; the message says what and what it usually means.

    Examples
    --------
    >>> import warnings, ldenrich
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warnings.warn("check this", ldenrich.LdenrichWarning)
    >>> caught[0].category.__name__
    'LdenrichWarning'
    """


__all__ = [
    "CancelledError",
    "InconsistentInputError",
    "InternalError",
    "InvalidArgumentError",
    "LdenrichError",
    "LdenrichWarning",
    "MissingColumnError",
    "ParseError",
]
