"""The configurations the strategies draw: :class:`ConvConfig`, :class:`ConvTransposeConfig`
and :class:`PoolConfig` (arrays made from a seed with :func:`make_array`, the contract's
keywords, the call as assertion messages show it, a paste-able ``build(...)`` repr)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from ..asserts import format_call

#: Integer-valued data is drawn from [INT_LOW, INT_HIGH]: zeros, signs and small sums.
INT_LOW, INT_HIGH = -4, 4


def make_array(rng: np.random.Generator, shape: tuple[int, ...], integer_valued: bool,
               nans: int = 0) -> np.ndarray:
    """float64 array of ``shape``: small integers or standard normal values, then ``nans``
    entries (at rng-chosen flat positions, possibly repeated) set to NaN."""
    if integer_valued:
        a = rng.integers(INT_LOW, INT_HIGH + 1, size=shape).astype(np.float64)
    else:
        a = rng.standard_normal(size=shape)
    if nans:
        a.reshape(-1)[rng.integers(0, a.size, size=nans)] = np.nan
    return a


def _shape(a: np.ndarray | None) -> tuple[int, ...] | None:
    return None if a is None else tuple(a.shape)


class _WeightedCall:
    """What ConvConfig and ConvTransposeConfig share: arrays x, w, b made from a seed, the
    contract's keywords PARAMS (in contract order), and a paste-able ``build(...)`` repr."""

    OP: ClassVar[str]
    PARAMS: ClassVar[tuple[str, ...]]
    x: np.ndarray
    w: np.ndarray
    b: np.ndarray | None
    seed: int
    integer_valued: bool

    @classmethod
    def build(cls, *, x_shape: tuple[int, ...], w_shape: tuple[int, ...],
              b_shape: tuple[int, ...] | None, seed: int = 0, integer_valued: bool = True,
              **params: Any) -> Any:
        """The config with arrays made from ``seed`` (x, then w, then b; no b for None)."""
        rng = np.random.default_rng(seed)
        x = make_array(rng, tuple(x_shape), integer_valued)
        w = make_array(rng, tuple(w_shape), integer_valued)
        b = None if b_shape is None else make_array(rng, tuple(b_shape), integer_valued)
        norm = {name: (int(v) if name == "groups" else
                       tuple((pb, pa) for pb, pa in v) if name == "padding" else tuple(v))
                for name, v in params.items()}
        return cls(x, w, b, **norm, seed=seed, integer_valued=integer_valued)  # type: ignore[call-arg]

    @property
    def rank(self) -> int:
        return self.x.ndim - 2

    @property
    def kernel(self) -> tuple[int, ...]:
        return tuple(self.w.shape[2:])

    @property
    def kwargs(self) -> dict[str, Any]:
        """The contract's keywords (stride, padding, ..., groups) as a target takes them."""
        return {name: getattr(self, name) for name in self.PARAMS}

    def call(self, op: str | None = None) -> str:
        """``conv(x: (N, C, *S), w: ..., b: ..., stride=..., ...)``, arrays by shape."""
        return format_call(op or self.OP, self.x, self.w, self.b, **self.kwargs)

    def __str__(self) -> str:
        return self.call()

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:  # Hypothesis' falsifying examples
        p.text(repr(self))

    def __repr__(self) -> str:
        params = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.PARAMS)
        return (f"{type(self).__name__}.build(x_shape={_shape(self.x)}, w_shape={_shape(self.w)}, "
                f"b_shape={_shape(self.b)}, {params}, seed={self.seed}, "
                f"integer_valued={self.integer_valued})")


@dataclass(frozen=True, eq=False, repr=False)
class ConvConfig(_WeightedCall):
    """One conv call: arrays and parameters in the form of the target contract (docs/contract.md)."""

    OP = "conv"
    PARAMS = ("stride", "padding", "dilation", "groups")
    x: np.ndarray
    w: np.ndarray
    b: np.ndarray | None
    stride: tuple[int, ...]
    padding: tuple[tuple[int, int], ...]
    dilation: tuple[int, ...]
    groups: int
    seed: int = 0
    integer_valued: bool = True


@dataclass(frozen=True, eq=False, repr=False)
class ConvTransposeConfig(_WeightedCall):
    """One conv_transpose call; w is (C_in, C_out/groups, *K)."""

    OP = "conv_transpose"
    PARAMS = ("stride", "padding", "output_padding", "dilation", "groups")
    x: np.ndarray
    w: np.ndarray
    b: np.ndarray | None
    stride: tuple[int, ...]
    padding: tuple[tuple[int, int], ...]
    output_padding: tuple[int, ...]
    dilation: tuple[int, ...]
    groups: int
    seed: int = 0
    integer_valued: bool = True


@dataclass(frozen=True, eq=False)
class PoolConfig:
    """One max_pool (``kind="max"``) or avg_pool (``kind="avg"``) call.

    ``kwargs`` holds exactly the contract's keywords for that kind: dilation for max only,
    count_include_pad for avg only (the other field is then 1 / True and unused).
    """

    kind: str
    x: np.ndarray
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[tuple[int, int], ...]
    dilation: tuple[int, ...]
    ceil_mode: bool
    count_include_pad: bool = True
    seed: int = 0
    integer_valued: bool = True
    nans: int = 0

    @classmethod
    def build(cls, *, kind: str, x_shape: tuple[int, ...], kernel: tuple[int, ...],
              stride: tuple[int, ...], padding: tuple[tuple[int, int], ...],
              dilation: tuple[int, ...] | None = None, ceil_mode: bool = False,
              count_include_pad: bool = True, seed: int = 0, integer_valued: bool = True,
              nans: int = 0) -> PoolConfig:
        """The config with x made from ``seed``."""
        rng = np.random.default_rng(seed)
        x = make_array(rng, tuple(x_shape), integer_valued, nans)
        dil = (1,) * len(kernel) if dilation is None else tuple(dilation)
        return cls(kind, x, tuple(kernel), tuple(stride), tuple((pb, pa) for pb, pa in padding),
                   dil, bool(ceil_mode), bool(count_include_pad), seed, integer_valued, nans)

    @property
    def rank(self) -> int:
        return self.x.ndim - 2

    @property
    def kwargs(self) -> dict[str, Any]:
        kw: dict[str, Any] = dict(kernel=self.kernel, stride=self.stride, padding=self.padding)
        if self.kind == "max":
            kw.update(dilation=self.dilation, ceil_mode=self.ceil_mode)
        else:
            kw.update(ceil_mode=self.ceil_mode, count_include_pad=self.count_include_pad)
        return kw

    def call(self, op: str | None = None) -> str:
        return format_call(op or f"{self.kind}_pool", self.x, **self.kwargs)

    def __str__(self) -> str:
        return self.call()

    def _repr_pretty_(self, p: Any, cycle: bool) -> None:  # Hypothesis' falsifying examples
        p.text(repr(self))

    def __repr__(self) -> str:
        extra = (f"dilation={self.dilation}" if self.kind == "max"
                 else f"count_include_pad={self.count_include_pad}")
        return (f"PoolConfig.build(kind={self.kind!r}, x_shape={_shape(self.x)}, "
                f"kernel={self.kernel}, stride={self.stride}, padding={self.padding}, "
                f"{extra}, ceil_mode={self.ceil_mode}, seed={self.seed}, "
                f"integer_valued={self.integer_valued}, nans={self.nans})")
