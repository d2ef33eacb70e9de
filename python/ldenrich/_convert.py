"""Building output tables: pandas by default, polars on request."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ldenrich.errors import InvalidArgumentError

if TYPE_CHECKING:
    import pandas as pd

Output = Literal["pandas", "polars"]


def _plain(values: Any) -> Any:
    """numpy arrays pass through; pandas nullable arrays become lists with None for NA."""
    # Imported here: readers that return no table should not pay for importing pandas.
    import pandas as pd

    if isinstance(values, pd.Series):
        values = values.array
    if isinstance(values, pd.api.extensions.ExtensionArray):
        if isinstance(values, pd.arrays.NumpyExtensionArray):
            return values.to_numpy()
        return [None if pd.isna(v) else v for v in values]
    return values if isinstance(values, np.ndarray) else list(values)


def to_table(columns: Mapping[str, Any] | pd.DataFrame, output: Output = "pandas") -> Any:
    """Turn equal-length columns (or a pandas frame) into a pandas or polars DataFrame."""
    if output == "pandas":
        import pandas as pd

        return columns if isinstance(columns, pd.DataFrame) else pd.DataFrame(dict(columns))
    if output == "polars":
        try:
            import polars as pl
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise InvalidArgumentError(
                "output='polars' needs the polars package: pip install polars"
            ) from exc
        return pl.DataFrame({name: _plain(values) for name, values in columns.items()})
    raise InvalidArgumentError(f"output must be 'pandas' or 'polars'; got {output!r}")


def qc_frame(rows: Any) -> pd.DataFrame:
    """A ``reason, count`` QC table (``read``, ``used``, then ``dropped_*``) from the core's
    ``(reason, count)`` pairs: one shape for every step that accounts for rows."""
    import pandas as pd

    reasons, counts = zip(*rows, strict=True)
    return pd.DataFrame({"reason": list(reasons), "count": np.array(counts, dtype=np.int64)})
