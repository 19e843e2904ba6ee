"""conv computes the right answer, then overwrites its input x."""

from cnnspec import ref


def conv(x, w, b, *, stride, padding, dilation, groups):
    y = ref.conv(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
    x[...] = 7.0
    return y
