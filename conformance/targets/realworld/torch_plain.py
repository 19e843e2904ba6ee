"""A plain adapter around torch.nn.functional, as a user would write one to try cnnspec.

It only converts: NumPy float64 arrays to tensors and back, and the contract's (before, after)
padding pairs to what torch takes.  Symmetric padding goes to torch as is; asymmetric padding
is added first with F.pad (zeros for conv and avg_pool, -inf for max_pool) or, for
conv_transpose, cropped from torch's unpadded output.  Where a pre-pad would change the
result (pooling in ceil_mode, avg_pool with count_include_pad=False) it raises
NotImplementedError.  No validation: torch refuses what it refuses, including its own
documented limits (pooling padding <= kernel // 2, avg_pool3d inputs smaller than the kernel).
"""

import torch
import torch.nn.functional as F

EXPECTED = None
EXPECTED_OPS = ("conv", "conv_transpose")  # EXPECTED is judged on these; the pools hit torch's limits

CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
CONV_TRANSPOSE = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}
MAX_POOL = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
AVG_POOL = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}


def _t(a):
    return None if a is None else torch.as_tensor(a, dtype=torch.float64)


def _symmetric(padding):
    return all(before == after for before, after in padding)


def _pad(xt, padding, value=0.0):
    # F.pad takes (before, after) pairs starting from the last axis
    return F.pad(xt, [p for pair in reversed(padding) for p in pair], value=value)


def conv(x, w, b, *, stride, padding, dilation, groups):
    xt = _t(x)
    if _symmetric(padding):
        pad = tuple(before for before, _ in padding)
    else:
        xt, pad = _pad(xt, padding), 0
    y = CONV[x.ndim - 2](xt, _t(w), _t(b), stride=tuple(stride), padding=pad,
                         dilation=tuple(dilation), groups=groups)
    return y.numpy()


def conv_transpose(x, w, b, *, stride, padding, output_padding, dilation, groups):
    rank = x.ndim - 2
    sym = _symmetric(padding)
    pad = tuple(before for before, _ in padding) if sym else 0
    y = CONV_TRANSPOSE[rank](_t(x), _t(w), _t(b), stride=tuple(stride), padding=pad,
                             output_padding=tuple(output_padding), groups=groups,
                             dilation=tuple(dilation))
    if not sym:  # padding of a transposed conv crops its output
        y = y[(slice(None), slice(None),
               *(slice(before, n - after) for (before, after), n in zip(padding, y.shape[2:])))]
    return y.numpy()


def max_pool(x, *, kernel, stride, padding, dilation, ceil_mode):
    xt = _t(x)
    if _symmetric(padding):
        pad = tuple(before for before, _ in padding)
    elif ceil_mode:
        raise NotImplementedError("asymmetric padding with ceil_mode")
    else:
        xt, pad = _pad(xt, padding, -float("inf")), 0
    y = MAX_POOL[x.ndim - 2](xt, tuple(kernel), tuple(stride), pad, tuple(dilation),
                             ceil_mode=ceil_mode)
    return y.numpy()


def avg_pool(x, *, kernel, stride, padding, ceil_mode, count_include_pad):
    xt = _t(x)
    if _symmetric(padding):
        pad = tuple(before for before, _ in padding)
    elif ceil_mode or not count_include_pad:
        raise NotImplementedError("asymmetric padding with ceil_mode or count_include_pad=False")
    else:
        xt, pad = _pad(xt, padding), 0
    y = AVG_POOL[x.ndim - 2](xt, tuple(kernel), tuple(stride), pad, ceil_mode=ceil_mode,
                             count_include_pad=count_include_pad)
    return y.numpy()
