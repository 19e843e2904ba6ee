"""Hand-built case strategies of the pooling checks (rules/pool_checks.py): configurations
built so that one axis shows one boundary of the ceil_mode count or of a dilated window,
which the general pool_configs draw too rarely to rely on."""

from __future__ import annotations

from .. import formulas
from . import strategies

__all__ = ["ceil_configs", "dilated_skip_configs"]


def ceil_configs(kind: str, axis0: str):
    """ceil_mode configs in which axis 0 shows one thing, ``axis0``:
    "dropped": ceil((i + pb + pa - e)/s) + 1 counts a window that starts in the right
    padding (or past it), the one the rule drops [pool.ceil-mode];
    "overhang" (d = 1): the last window kept reaches past the padded input [pool.avg-divisor],
    built so: (i + pb + pa - k) mod s = r > 0 makes the last window overhang by s - r."""
    from hypothesis import assume
    from hypothesis import strategies as st

    s_ = strategies()

    @st.composite
    def strategy(draw):
        rank = draw(st.integers(1, 2), label="rank")
        axes = []  # one (side, kernel, stride, padding, dilation) per spatial axis
        for a in range(rank):
            s = draw(st.integers(2 if a == 0 else 1, 3))
            if a == 0 and axis0 == "overhang":  # d = 1; L = k + q*s + r with 0 < r < s:
                k = draw(st.integers(max(2, s - 1), 3))  # the last start (q+1)*s overhangs
                r = draw(st.integers(max(1, s - k + 1), s - 1))  # by s - r, and is kept
                length = k + draw(st.integers(0, 2)) * s + r  # while pa < k + r - s
                pa = draw(st.integers(0, k + r - s - 1))
                pb = draw(st.integers(0, min(k - 1, length - pa - 1)))
                axes.append((length - pb - pa, k, s, (pb, pa), 1))
                continue
            k = draw(st.integers(1, 3))
            d = draw(st.integers(1, 2)) if kind == "max" and k > 1 else 1
            e = d * (k - 1) + 1
            i = draw(st.integers(1, 6))
            pb = draw(st.integers(0, e - 1))
            low = max(0, e - i - pb)
            if a == 0:  # "dropped": the first start in the right padding is counted
                start = formulas.ceil_div(i + pb, s) * s
                low = max(low, start - i - pb + e - s + 1)
                assume(low <= e - 1)
            pa = draw(st.integers(low, max(low, e - 1)))
            assume(formulas.pool_window_has_input(i, k, stride=s, padding=(pb, pa), dilation=d,
                                                  ceil_mode=True) is None)
            axes.append((i, k, s, (pb, pa), d))
        sides, kernel, stride, padding, dilation = zip(*axes)
        return s_.PoolConfig.build(
            kind=kind, x_shape=(1, draw(st.integers(1, 2)), *sides), kernel=kernel,
            stride=stride, padding=padding, dilation=dilation, ceil_mode=True,
            count_include_pad=draw(st.booleans()), seed=draw(s_.SEEDS))

    return strategy()


def dilated_skip_configs():
    """max_pool configs with one axis of dilation >= 2, a short input and padding at most
    e//2 on each side (inside PyTorch's limit), so that a window's taps can step over the
    input; the other axes are plainly valid."""
    from hypothesis import strategies as st

    s_ = strategies()

    @st.composite
    def strategy(draw):
        rank = draw(st.integers(1, 2), label="rank")
        moved = draw(st.integers(0, rank - 1), label="axis")
        axes = []
        for a in range(rank):
            if a == moved:
                k, d = draw(st.integers(2, 3)), draw(st.integers(2, 3))
                e = d * (k - 1) + 1
                i = draw(st.integers(1, 3))
                p = draw(st.integers(max(0, -((i - e) // 2)), e // 2))
                axes.append((i, k, draw(st.integers(1, 3)), (p, p), d))
            else:
                i = draw(st.integers(1, 4))
                axes.append((i, draw(st.integers(1, i)), draw(st.integers(1, 2)), (0, 0), 1))
        sides, kernel, stride, padding, dilation = zip(*axes)
        return s_.PoolConfig.build(
            kind="max", x_shape=(1, 2, *sides), kernel=kernel, stride=stride, padding=padding,
            dilation=dilation, ceil_mode=draw(st.booleans()), seed=draw(s_.SEEDS))

    return strategy()
