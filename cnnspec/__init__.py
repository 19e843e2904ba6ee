"""cnnspec: an executable, property-tested specification of CNN layer arithmetic.

Public pieces: :mod:`cnnspec.formulas` (every size and count formula, for ints and SymPy),
:mod:`cnnspec.ref` (readable NumPy reference ops), :class:`cnnspec.InvalidConfig` (the one
exception, naming the broken rule), and the targets in :mod:`cnnspec.targets`.
"""

from .errors import InvalidConfig
from .summary import Summary, summarize

__version__ = "0.1.0"
__all__ = ["InvalidConfig", "Summary", "summarize", "__version__"]
