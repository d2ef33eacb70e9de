"""The old name of :mod:`ldenrich.enrichment_screen`, the mean-chi-square enrichment screen.

Kept so that ``from ldenrich.stats import enrichment`` and ``ldenrich.stats.FEW_BLOCKS`` go on
working; new code imports :mod:`ldenrich.enrichment_screen` (or ``ldenrich.enrichment``).

Examples
--------
>>> import ldenrich.stats, ldenrich.enrichment_screen
>>> ldenrich.stats.enrichment is ldenrich.enrichment_screen.enrichment is ldenrich.enrichment
True
"""

from ldenrich.enrichment_screen import (
    COLUMNS,
    FEW_BLOCKS,
    VERDICT_P,
    enrichment,
    enrichment_arrays,
    verdict_p,
)

__all__ = ["COLUMNS", "FEW_BLOCKS", "VERDICT_P", "enrichment", "enrichment_arrays", "verdict_p"]
