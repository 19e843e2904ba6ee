"""layers.py with one bug a student makes (marked # BUG).

The student returns the gradient of the padded input: dx keeps the P rows and
columns of padding on each side (right when P = 0).
Expected: conv.grad-input.
"""

import numpy as np

EXPECTED = "conv.grad-input"
EXPECTED_OPS = ("conv_backward",)  # the op the bug is in


def conv_forward_naive(x, w, b, conv_param):
    """
    Forward pass of a convolutional layer, with loops.

    - x: (N, C, H, W) input, w: (F, C, HH, WW) filters, b: (F,) biases
    - conv_param: {'stride': S, 'pad': P}, the same stride and zero padding on both axes

    Returns (out, cache), out of shape (N, F, H', W') with
      H' = 1 + (H + 2 * P - HH) // S,  W' = 1 + (W + 2 * P - WW) // S
    """
    S, P = conv_param['stride'], conv_param['pad']
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    H_out = 1 + (H + 2 * P - HH) // S
    W_out = 1 + (W + 2 * P - WW) // S

    xp = np.pad(x, ((0, 0), (0, 0), (P, P), (P, P)), 'constant')
    out = np.zeros((N, F, H_out, W_out))
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    patch = xp[n, :, i * S:i * S + HH, j * S:j * S + WW]
                    out[n, f, i, j] = np.sum(patch * w[f]) + b[f]

    cache = (x, w, b, conv_param)
    return out, cache


def conv_backward_naive(dout, cache):
    """
    Backward pass of a convolutional layer.

    - dout: upstream derivatives, (N, F, H', W')
    - cache: (x, w, b, conv_param) as conv_forward_naive returned it

    Returns (dx, dw, db), the gradients with respect to x, w and b.
    """
    x, w, b, conv_param = cache
    S, P = conv_param['stride'], conv_param['pad']
    N, C, H, W = x.shape
    F, _, HH, WW = w.shape
    _, _, H_out, W_out = dout.shape

    xp = np.pad(x, ((0, 0), (0, 0), (P, P), (P, P)), 'constant')
    dxp = np.zeros_like(xp)
    dw = np.zeros_like(w)
    db = np.zeros_like(b)
    for n in range(N):
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    g = dout[n, f, i, j]
                    # each output cell used one window of xp and all of w[f]
                    dxp[n, :, i * S:i * S + HH, j * S:j * S + WW] += g * w[f]
                    dw[f] += g * xp[n, :, i * S:i * S + HH, j * S:j * S + WW]
                    db[f] += g
    # the padding is not part of x: crop it off
    dx = dxp  # BUG: the padding must be cropped off
    return dx, dw, db


def max_pool_forward_naive(x, pool_param):
    """
    Forward pass of a max-pooling layer.

    - x: (N, C, H, W)
    - pool_param: {'pool_height': PH, 'pool_width': PW, 'stride': S}, no padding

    Returns (out, cache), out of shape (N, C, 1 + (H - PH) // S, 1 + (W - PW) // S).
    """
    PH, PW, S = pool_param['pool_height'], pool_param['pool_width'], pool_param['stride']
    N, C, H, W = x.shape
    H_out = 1 + (H - PH) // S
    W_out = 1 + (W - PW) // S

    out = np.zeros((N, C, H_out, W_out))
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    out[n, c, i, j] = np.max(x[n, c, i * S:i * S + PH, j * S:j * S + PW])

    cache = (x, pool_param)
    return out, cache


def max_pool_backward_naive(dout, cache):
    """
    Backward pass of a max-pooling layer: each upstream derivative goes to the cell that
    was the maximum of its window (the first one, in row-major order, when several tie).

    Returns dx, of the shape of x.
    """
    x, pool_param = cache
    PH, PW, S = pool_param['pool_height'], pool_param['pool_width'], pool_param['stride']
    N, C, H_out, W_out = dout.shape

    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    window = x[n, c, i * S:i * S + PH, j * S:j * S + PW]
                    a, bb = np.unravel_index(np.argmax(window), window.shape)
                    dx[n, c, i * S + a, j * S + bb] += dout[n, c, i, j]
    return dx


def avg_pool_forward_naive(x, pool_param):
    """
    Forward pass of an average-pooling layer (pool_param as for max pooling).

    Returns (out, cache), out[n, c, i, j] the mean of its PH x PW window.
    """
    PH, PW, S = pool_param['pool_height'], pool_param['pool_width'], pool_param['stride']
    N, C, H, W = x.shape
    H_out = 1 + (H - PH) // S
    W_out = 1 + (W - PW) // S

    out = np.zeros((N, C, H_out, W_out))
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    out[n, c, i, j] = np.sum(x[n, c, i * S:i * S + PH, j * S:j * S + PW]) / (PH * PW)

    cache = (x, pool_param)
    return out, cache


def avg_pool_backward_naive(dout, cache):
    """
    Backward pass of an average-pooling layer: each upstream derivative is shared equally
    by the PH * PW cells of its window.

    Returns dx, of the shape of x.
    """
    x, pool_param = cache
    PH, PW, S = pool_param['pool_height'], pool_param['pool_width'], pool_param['stride']
    N, C, H_out, W_out = dout.shape

    dx = np.zeros_like(x)
    for n in range(N):
        for c in range(C):
            for i in range(H_out):
                for j in range(W_out):
                    dx[n, c, i * S:i * S + PH, j * S:j * S + PW] += dout[n, c, i, j] / (PH * PW)
    return dx
