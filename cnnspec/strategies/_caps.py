"""Capabilities: what a target computes, per op (:data:`CAPABILITIES`), the setting drawing
follows (:func:`set_capabilities`, :func:`capabilities`, :func:`current_capabilities`) and
:class:`_Allowed`, one op's flags as the strategies read them at draw time."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from hypothesis.errors import InvalidArgument

#: What a target can be asked, per op, as :func:`cnnspec.conform.capabilities.probe` finds
#: it: ``ranks`` (the spatial ranks it computes) and one flag per feature, False where the
#: target raises NotImplementedError for it.  A flag or op that is absent is supported.
CAPABILITIES = {
    "conv": ("ranks", "batch", "bias_none", "groups", "dilation", "padding",
             "asymmetric_padding", "kernel_per_axis", "stride_per_axis", "padding_per_axis",
             "dilation_per_axis"),
    "conv_transpose": ("ranks", "batch", "bias_none", "groups", "dilation", "padding",
                       "asymmetric_padding", "output_padding", "kernel_per_axis",
                       "stride_per_axis", "padding_per_axis", "dilation_per_axis"),
    "max_pool": ("ranks", "batch", "dilation", "padding", "asymmetric_padding", "ceil_mode",
                 "kernel_per_axis", "stride_per_axis", "padding_per_axis",
                 "dilation_per_axis"),
    "avg_pool": ("ranks", "batch", "padding", "asymmetric_padding", "ceil_mode",
                 "count_include_pad_false", "count_include_pad_true", "kernel_per_axis",
                 "stride_per_axis", "padding_per_axis"),
}
#: A backward op (contract 1.2) takes its forward op's arguments: the same flags.
CAPABILITIES.update({f"{op}_backward": flags for op, flags in list(CAPABILITIES.items())})

_CAPS: dict[str, dict[str, Any]] | None = None


def _validated(caps: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """caps as {op: {flag: value}}; InvalidArgument naming an unknown op, flag or rank."""
    out: dict[str, dict[str, Any]] = {}
    for op, flags in caps.items():
        if op not in CAPABILITIES:
            if op.startswith("_"):  # probe() notes (``_errors``): not capabilities
                continue
            raise InvalidArgument(f"capabilities contains op={op!r}, but should only hold "
                                  f"{', '.join(CAPABILITIES)}")
        if flags is None:
            continue
        for name, value in flags.items():
            if name not in CAPABILITIES[op]:
                raise InvalidArgument(f"capabilities[{op!r}] contains {name!r}, but should "
                                      f"only hold {', '.join(CAPABILITIES[op])}")
            if name == "ranks" and not all(r in (1, 2, 3) for r in value):
                raise InvalidArgument(f"capabilities[{op!r}]['ranks']={value!r}, but should "
                                      f"hold spatial ranks 1, 2 or 3")
        out[op] = dict(flags)
    return out


def set_capabilities(caps: Mapping[str, Any] | None) -> dict[str, dict[str, Any]] | None:
    """Draw only what a target supports, from now on: ``caps`` as
    :func:`cnnspec.conform.capabilities.probe` returns it (None: everything, as by default).
    Returns the previous setting.  Consulted when a config is drawn (not when a strategy
    is made) by conv_configs, conv_transpose_configs, pool_configs, the boundary_* and the
    large_* strategies: ranks only from ``ranks``; a parameter that is not per-axis drawn
    once and repeated on every axis; symmetric padding without ``asymmetric_padding``;
    dilation 1, groups 1, a bias, padding 0, output_padding 0, floor mode, batch 1 where
    the flag is False.  A strategy's own bounds still hold: where they and the capabilities
    leave nothing (``max_rank=1`` for a 2-D-only target), the draw is rejected
    (hypothesis.reject(): the check then reports that no case could be drawn)."""
    global _CAPS
    previous = _CAPS
    _CAPS = None if caps is None else _validated(caps)
    return previous


@contextmanager
def capabilities(caps: Mapping[str, Any] | None) -> Iterator[None]:
    """``with capabilities(probe(target)): ...``: set_capabilities for the block only."""
    previous = set_capabilities(caps)
    try:
        yield
    finally:
        set_capabilities(previous)


def current_capabilities() -> dict[str, dict[str, Any]] | None:
    """The capabilities drawing follows now (None: unrestricted)."""
    return _CAPS


class _Allowed:
    """The capabilities of one op at draw time: ``allowed("groups")`` -> bool."""

    def __init__(self, op: str) -> None:
        self.flags: Mapping[str, Any] = (_CAPS or {}).get(op) or {}

    def __call__(self, name: str) -> bool:
        return bool(self.flags.get(name, True))

    def ranks(self, low: int, high: int) -> list[int]:
        """The ranks in [low, high] the op supports (all of them when unrestricted)."""
        have = self.flags.get("ranks")
        return [r for r in range(low, high + 1) if have is None or r in have]

    @property
    def per_axis(self) -> bool:
        """Whether every parameter may differ between axes."""
        return all(self(f"{p}_per_axis") for p in ("kernel", "stride", "padding", "dilation"))
