"""cs231n_correct.py with one bug a student makes (marked # BUG).

The student writes the multiply-add as fully nested loops and adds the bias inside the
innermost loop: once per tap (C * HH * WW times) instead of once per output.
Expected: conv.bias.
"""

import numpy as np

EXPECTED = "conv.bias"
EXPECTED_OPS = ('conv',)  # the op the bug is in (EXPECTED is judged on it)


def conv_forward_naive(x, w, b, conv_param):
    """
    A naive implementation of the forward pass for a convolutional layer.

    Input:
    - x: Input data of shape (N, C, H, W)
    - w: Filter weights of shape (F, C, HH, WW)
    - b: Biases, of shape (F,)
    - conv_param: A dictionary with the following keys:
      - 'stride': The number of pixels between adjacent receptive fields in the
        horizontal and vertical directions.
      - 'pad': The number of pixels that will be used to zero-pad the input.

    Returns a tuple of:
    - out: Output data, of shape (N, F, H', W') where H' and W' are given by
      H' = 1 + (H + 2 * pad - HH) / stride
      W' = 1 + (W + 2 * pad - WW) / stride
    - cache: (x, w, b, conv_param)
    """
    out = None
    ###########################################################################
    # TODO: Implement the convolutional forward pass.                         #
    ###########################################################################
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    stride = conv_param['stride']
    pad = conv_param['pad']

    H_out = 1 + (H + 2 * pad - HH) // stride
    W_out = 1 + (W + 2 * pad - WW) // stride

    x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode='constant')
    out = np.zeros((N, F, H_out, W_out))

    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    h_start = i * stride
                    w_start = j * stride
                    for c in range(C):
                        for kh in range(HH):
                            for kw in range(WW):
                                out[n, f, i, j] += (x_pad[n, c, h_start + kh, w_start + kw]
                                                    * w[f, c, kh, kw] + b[f])  # BUG: bias per tap
    ###########################################################################
    #                             END OF YOUR CODE                            #
    ###########################################################################
    cache = (x, w, b, conv_param)
    return out, cache


def max_pool_forward_naive(x, pool_param):
    """
    A naive implementation of the forward pass for a max-pooling layer.

    Inputs:
    - x: Input data, of shape (N, C, H, W)
    - pool_param: dictionary with the following keys:
      - 'pool_height': The height of each pooling region
      - 'pool_width': The width of each pooling region
      - 'stride': The distance between adjacent pooling regions

    Returns a tuple of:
    - out: Output data, of shape (N, C, H', W') where H' and W' are given by
      H' = 1 + (H - pool_height) / stride
      W' = 1 + (W - pool_width) / stride
    - cache: (x, pool_param)
    """
    out = None
    ###########################################################################
    # TODO: Implement the max-pooling forward pass                            #
    ###########################################################################
    N, C, H, W = x.shape
    pool_height = pool_param['pool_height']
    pool_width = pool_param['pool_width']
    stride = pool_param['stride']

    H_out = 1 + (H - pool_height) // stride
    W_out = 1 + (W - pool_width) // stride

    out = np.zeros((N, C, H_out, W_out))
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    h_start = i * stride
                    w_start = j * stride
                    out[n, c, i, j] = np.max(x[n, c, h_start:h_start + pool_height,
                                               w_start:w_start + pool_width])
    ###########################################################################
    #                             END OF YOUR CODE                            #
    ###########################################################################
    cache = (x, pool_param)
    return out, cache


# ---------------------------------------------------------------- the adapter (cnnspec contract)


def conv(x, w, b, *, stride, padding, dilation, groups):
    if x.ndim != 4:
        raise NotImplementedError("the assignment is 2-D only")
    if stride[0] != stride[1]:
        raise NotImplementedError("conv_param has one stride for both axes")
    if len({p for pair in padding for p in pair}) != 1:
        raise NotImplementedError("conv_param has one pad for all four sides")
    if tuple(dilation) != (1, 1) or groups != 1:
        raise NotImplementedError("no dilation, no groups in the assignment")
    if b is None:
        b = np.zeros(w.shape[0])
    out, _ = conv_forward_naive(x, w, b, {'stride': stride[0], 'pad': padding[0][0]})
    return out


def max_pool(x, *, kernel, stride, padding, dilation, ceil_mode):
    if x.ndim != 4:
        raise NotImplementedError("the assignment is 2-D only")
    if stride[0] != stride[1]:
        raise NotImplementedError("pool_param has one stride for both axes")
    if any(p for pair in padding for p in pair) or ceil_mode or tuple(dilation) != (1, 1):
        raise NotImplementedError("no padding, ceil_mode or dilation in the assignment")
    out, _ = max_pool_forward_naive(x, {'pool_height': kernel[0], 'pool_width': kernel[1],
                                        'stride': stride[0]})
    return out
