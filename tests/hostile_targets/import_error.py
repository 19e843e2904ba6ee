"""A target whose import fails: the runner must exit 2 and show this error."""

import numpy_but_misspelled  # noqa: F401
