"""Optional libraries (pandas, pyarrow, matplotlib, SALib, scikit-learn, dask...): imported
only when a feature needs them, with a message naming the extra that installs them."""

from __future__ import annotations

import importlib
from types import ModuleType

from .errors import SweepError


def need(module: str, extra: str, what: str) -> ModuleType:
    """The optional ``module``, imported; a SweepError naming the pip extra that installs it
    (``cdtx[extra]``) when it is missing, ``what`` saying what needs it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise SweepError(f"{what} needs an extra: pip install 'cdtx[{extra}]'") from None
