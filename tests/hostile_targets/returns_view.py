"""conv returns a view of its input x."""


def conv(x, w, b, *, stride, padding, dilation, groups):
    return x[:, :1]
