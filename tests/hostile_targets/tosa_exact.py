"""Reference conv, except that it refuses a stride that does not divide the padded extent
exactly (TOSA's rule): a run must report the stride_remainder convention, not failures."""

from cnnspec import ref


def conv(x, w, b, *, stride, padding, dilation, groups):
    for i, k, s, (pb, pa), d in zip(x.shape[2:], w.shape[2:], stride, padding, dilation):
        if (i + pb + pa - d * (k - 1) - 1) % s:
            raise ValueError(f"(i + pb + pa - d*(k-1) - 1) % stride != 0 (i={i}, stride={s})")
    return ref.conv(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
