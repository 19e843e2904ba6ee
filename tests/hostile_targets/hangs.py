"""conv never returns: the per-call timeout must kill the worker."""


def conv(x, w, b, *, stride, padding, dilation, groups):
    while True:
        pass
