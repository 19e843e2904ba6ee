"""A student's naive loop conv and average pooling, written straight to the contract.

2-D only (NotImplementedError for other ranks), groups handled by indexing the input
channels of each output channel's group, ceil_mode not implemented.  No validation.
"""

import numpy as np

EXPECTED = None


def conv(x, w, b, *, stride, padding, dilation, groups):
    if x.ndim != 4:
        raise NotImplementedError("2-D only")
    N, C, H, W = x.shape
    F, Cg, KH, KW = w.shape
    sh, sw = stride
    dh, dw = dilation
    x = np.pad(x, ((0, 0), (0, 0), padding[0], padding[1]))
    Hp, Wp = x.shape[2], x.shape[3]
    Ho = (Hp - dh * (KH - 1) - 1) // sh + 1
    Wo = (Wp - dw * (KW - 1) - 1) // sw + 1
    Fg = F // groups
    out = np.zeros((N, F, Ho, Wo))
    for n in range(N):
        for f in range(F):
            g = f // Fg
            for i in range(Ho):
                for j in range(Wo):
                    s = 0.0
                    for c in range(Cg):
                        for ki in range(KH):
                            for kj in range(KW):
                                s += x[n, g * Cg + c, i * sh + ki * dh, j * sw + kj * dw] * w[f, c, ki, kj]
                    out[n, f, i, j] = s if b is None else s + b[f]
    return out


def avg_pool(x, *, kernel, stride, padding, ceil_mode, count_include_pad):
    if x.ndim != 4:
        raise NotImplementedError("2-D only")
    if ceil_mode:
        raise NotImplementedError("ceil_mode")
    N, C, H, W = x.shape
    KH, KW = kernel
    sh, sw = stride
    (pt, pb), (pl, pr) = padding
    Ho = (H + pt + pb - KH) // sh + 1
    Wo = (W + pl + pr - KW) // sw + 1
    out = np.zeros((N, C, Ho, Wo))
    for n in range(N):
        for c in range(C):
            for i in range(Ho):
                for j in range(Wo):
                    total, count = 0.0, 0
                    for ki in range(KH):
                        for kj in range(KW):
                            r, q = i * sh + ki - pt, j * sw + kj - pl  # input coordinates
                            if 0 <= r < H and 0 <= q < W:
                                total += x[n, c, r, q]
                                count += 1
                    out[n, c, i, j] = total / (KH * KW if count_include_pad else count)
    return out
