"""conv raises on every input, valid or not."""


def conv(x, w, b, *, stride, padding, dilation, groups):
    raise RuntimeError("kernel launch failed")
