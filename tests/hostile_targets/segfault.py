"""conv dereferences a NULL pointer: SIGSEGV in the worker."""

import ctypes


def conv(x, w, b, *, stride, padding, dilation, groups):
    return ctypes.string_at(0)
