"""Drawing helpers shared by the valid, boundary and large strategies: the data seed
(:data:`SEEDS`), a rank and per-axis values within the capabilities, the checks of a
strategy's ``max_*`` / ``min_*`` arguments, channels and groups, padding, pooling flags."""

from __future__ import annotations

from typing import Any

from hypothesis import reject
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

from ._caps import _Allowed

SEEDS = st.integers(0, 2**32 - 1)


def _rank(draw: Any, allowed: _Allowed, low: int, high: int) -> int:
    """A rank in [low, high] the op supports; the draw is rejected when none is."""
    ranks = allowed.ranks(low, high)
    if not ranks:
        reject()
    if len(ranks) == high - low + 1:
        return draw(st.integers(low, high))
    return draw(st.sampled_from(ranks))


def _each(draw: Any, per_axis: bool, low: Any, high: Any) -> tuple[int, ...]:
    """One int per axis a in [low[a], high[a]]; not per_axis: one int in every axis' range,
    repeated on each axis."""
    if per_axis:
        return tuple(draw(st.integers(lo, hi)) for lo, hi in zip(low, high))
    lo, hi = max(low), min(high)
    if lo > hi:
        reject()
    return (draw(st.integers(lo, hi)),) * len(low)


def _check_bounds(**bounds: int) -> None:
    """Each ``max_*`` / ``min_*`` keyword an int >= its floor; min <= max where both exist."""
    floors = {"max_pad": 0, "max_nans": 0}
    for name, v in bounds.items():
        if isinstance(v, bool) or not isinstance(v, int):
            raise InvalidArgument(f"{name}={v!r}, but should be an int")
        low = floors.get(name, 1)
        if v < low:
            raise InvalidArgument(f"Cannot have {name}={v} < {low}")
    if "min_rank" in bounds:
        lo, hi = bounds["min_rank"], bounds["max_rank"]
        if hi > 3:
            raise InvalidArgument(f"max_rank={hi}, but spatial rank should be 1, 2 or 3")
        if hi < lo:
            raise InvalidArgument(f"Cannot have max_rank={hi} < min_rank={lo}")


def _side_cap(rank: int, max_side: int, max_volume: int) -> int:
    """Largest side s <= max_side with s**rank <= max_volume (at least 1)."""
    s = max_side
    while s > 1 and s**rank > max_volume:
        s -= 1
    return s


def _channels(draw: Any, max_channels: int, *, depthwise_ok: bool = True,
              groups_ok: bool = True) -> tuple[int, int, int]:
    """(groups, C_in/groups, C_out/groups) with C_in, C_out <= max_channels.

    Half the draws are depthwise-like (one input channel per group, so groups = C_in);
    ``groups_ok`` False: groups 1.
    """
    depthwise = draw(st.booleans()) if depthwise_ok and groups_ok else False
    g = draw(st.integers(1, max_channels)) if groups_ok else 1
    cg = 1 if depthwise else draw(st.integers(1, max_channels // g))
    og = draw(st.integers(1, max_channels // g))
    return g, cg, og


def _paddings(draw: Any, allowed: _Allowed, low: Any, high: Any, *,
              symmetric: bool = False) -> tuple[tuple[int, int], ...]:
    """(before, after) per axis, each side in [low[a], high[a]]: symmetric where asked or
    where the op lacks asymmetric padding, (0, 0) where it lacks padding."""
    if not allowed("padding"):
        return ((0, 0),) * len(low)
    per_axis = allowed("padding_per_axis")
    before = _each(draw, per_axis, low, high)
    if symmetric or not allowed("asymmetric_padding"):
        return tuple((p, p) for p in before)
    return tuple(zip(before, _each(draw, per_axis, low, high)))


def _pool_flags(draw: Any, allowed: _Allowed, kind: str, ceil_mode: bool | None
                ) -> tuple[bool, bool]:
    """(ceil_mode, count_include_pad) within the capabilities (rejected when none fits)."""
    if ceil_mode is None:
        ceil = draw(st.booleans()) if allowed("ceil_mode") else False
    elif ceil_mode and not allowed("ceil_mode"):
        reject()
    else:
        ceil = ceil_mode
    if kind != "avg":
        return ceil, True
    choices = [v for v in (False, True) if allowed(f"count_include_pad_{str(v).lower()}")]
    if not choices:
        reject()
    return ceil, draw(st.booleans()) if len(choices) == 2 else choices[0]
