"""Building output tables: pandas by default, polars on request."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import pandas as pd

from ldenrich.errors import InvalidArgumentError

Output = Literal["pandas", "polars"]


def to_table(columns: Mapping[str, Any], output: Output = "pandas") -> Any:
    """Turn a mapping of equal-length columns into a pandas or polars DataFrame."""
    if output == "pandas":
        return pd.DataFrame(dict(columns))
    if output == "polars":
        try:
            import polars as pl
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise InvalidArgumentError(
                "output='polars' needs the polars package: pip install polars"
            ) from exc
        return pl.from_pandas(pd.DataFrame(dict(columns)))
    raise InvalidArgumentError(f"output must be 'pandas' or 'polars'; got {output!r}")
