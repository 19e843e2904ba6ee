"""Spatial padding with the four modes of PyTorch's Conv padding_mode.  [pad.modes]

    zeros      x[..., -1] = 0                          (np.pad 'constant'; any fill value)
    reflect    x[..., -1] = x[..., 1]  (edge not repeated; needs pad < size)
    replicate  x[..., -1] = x[..., 0]                  (np.pad 'edge')
    circular   x[..., -1] = x[..., n-1]                (np.pad 'wrap'; needs pad <= size)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._check import require
from ..errors import InvalidConfig
from ._validate import check_array, resolve_padding

__all__ = ["pad", "PAD_MODES"]

PAD_MODES = {"zeros": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def pad(x: Any, padding: Any, mode: str = "zeros", value: float = 0.0) -> np.ndarray:
    """Pad the spatial axes of x (N, C, *spatial) by (before, after) pairs.

    Shape law: out.shape[2 + a] = x.shape[2 + a] + before_a + after_a.
    ``value`` is the fill of mode 'zeros' (max pooling pads with -inf).
    """
    x = check_array("x", x)
    spatial = x.shape[2:]
    if not isinstance(mode, str) or mode not in PAD_MODES:
        raise InvalidConfig(f"padding_mode={mode!r}, but should be one of {tuple(PAD_MODES)}",
                            rule="pad.modes")
    ones = (1,) * len(spatial)
    pads = resolve_padding(padding, spatial, ones, ones, ones)
    for a, (n, (pb, pa)) in enumerate(zip(spatial, pads)):
        if mode == "reflect":
            require(max(pb, pa) < n, f"padding[{a}]=({pb}, {pa}), but should be < input size {n} "
                    f"for mode 'reflect'", rule="pad.reflect-size")
        if mode == "circular":
            require(max(pb, pa) <= n, f"padding[{a}]=({pb}, {pa}), but should be <= input size "
                    f"{n} for mode 'circular'", rule="pad.circular-size")
    width = [(0, 0), (0, 0), *pads]
    if mode == "zeros":
        return np.pad(x, width, mode="constant", constant_values=value)
    return np.pad(x, width, mode=PAD_MODES[mode])  # type: ignore[call-overload]
