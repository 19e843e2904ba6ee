"""Reference pooling, except that ceil_mode keeps a last window that starts in the right
padding (the 'keep' convention), and max pooling of such an all-padding window gives -inf,
averaging gives 0.  Everything else follows the spec: a run must report the ceil_mode
convention, not a pile of pooling failures."""

import numpy as np

from cnnspec import ref


def _keep_pad(x, kernel, stride, padding, dilation, ceil_mode):
    """Extra right padding that makes the reference (floor mode on the padded input) give
    the 'keep' ceil-mode windows; None when the spec's windows are the same."""
    if not ceil_mode:
        return None
    extra, differs = [], False
    for i, k, s, (pb, pa), d in zip(x.shape[2:], kernel, stride, padding, dilation):
        e = d * (k - 1) + 1
        keep = -((-(i + pb + pa - e)) // s) + 1
        drop = min(keep, (i + pb - 1) // s + 1)
        differs |= keep != drop
        extra.append((keep - 1) * s + e - (i + pb + pa))
    return extra if differs else None


def max_pool(x, *, kernel, stride, padding, dilation, ceil_mode):
    y = ref.max_pool(x, kernel=kernel, stride=stride, padding=padding, dilation=dilation,
                     ceil_mode=ceil_mode)  # validates: invalid configurations raise
    extra = _keep_pad(x, kernel, stride, padding, dilation, ceil_mode)
    if extra is None:
        return y
    pads = [(0, 0), (0, 0)] + [(pb, pa + max(0, e)) for (pb, pa), e in zip(padding, extra)]
    xp = np.pad(x, pads, constant_values=-np.inf)
    zero = tuple((0, 0) for _ in kernel)
    return ref.max_pool(xp, kernel=kernel, stride=stride, padding=zero, dilation=dilation)
