"""Network rules: how layers compose in cnnspec.summarize and cnnspec.inverse."""

from .. import formulas
from .. import layers as L
from . import Example, call_example, formula_example, rule
from . import _sources as S
from ._examples import cells
from ._symbols import symbols

TORCH_ADAPTIVE = ("PyTorch docs: torch.nn.AdaptiveAvgPool2d (and its kernel in "
                  "aten/src/ATen/native/AdaptiveAveragePooling.cpp)")
TORCH_FLATTEN = "PyTorch docs: torch.nn.Flatten, torch.flatten"
HE_RESNET = "He, Zhang, Ren & Sun, 'Deep Residual Learning for Image Recognition', arXiv:1512.03385"


def _dropped():
    i, o, k, s, pb, d = symbols("i o k s p_b d")
    return formulas.floor_dropped(i, o, k, stride=s, padding=(pb, 0), dilation=d)


rule("net.channels", "A layer gets the channels it declares",
     """A layer that states its input width (BatchNorm's num_features, Dense's in_features, a
     convolution's in_channels) must receive exactly that many channels or features from the
     layer before it; cnnspec infers the width when it is not stated.""",
     examples=(formula_example("summary.summarize", [L.Conv(64, 3), L.BatchNorm(32)], (3, 8, 8),
                               raises=True, why="64 channels arrive, 32 are declared"),),
     sources=("PyTorch docs: torch.nn.BatchNorm2d, torch.nn.Linear",),
     see_also=("conv.channels",))
rule("net.flatten", "Flatten, and dense layers take flat inputs",
     """Flatten turns a (C, *spatial) map into C * prod(spatial) features, channels first (the
     order of torch.flatten(x, 1)). A dense layer acts on flat features only: a map with
     spatial axes must be flattened or globally pooled first.""",
     formula="n = C * prod(spatial)",
     examples=(formula_example("summary.summarize", [L.Flatten()], (50, 5, 5), then=".output_shape",
                               gives=(1250,), why="Hung-yi Lee's Keras model"),
               formula_example("formulas.flatten_size", 50, (5, 5), gives=1250,
                               why="50 * 5 * 5")),
     sources=(TORCH_FLATTEN, S.SEED_HYLEE))
rule("net.residual-shape", "The two branches of a residual add have one shape",
     """A residual block adds main(x) and shortcut(x) (the identity when there is none)
     elementwise, so both must have the same channels and spatial sizes. With symbolic sizes
     the shapes may agree only for some sizes (e.g. floor(H/2) and ceiling(H/2) for even H):
     that condition is reported; shapes that agree for no size are rejected.""",
     examples=(formula_example("summary.summarize",
                               [L.Residual([L.Conv(128, 3, stride=2, padding=1)],
                                           shortcut=[L.Conv(128, 1, stride=2)])], (64, 56, 56),
                               then=".output_shape", gives=(128, 28, 28),
                               why="main floor((56 + 2 - 3)/2) + 1 = 28, shortcut "
                                   "floor((56 - 1)/2) + 1 = 28: both ceiling(56/2)"),
               formula_example("summary.summarize",
                               [L.Residual([L.Conv(128, 3, stride=2)],
                                           shortcut=[L.Conv(128, 1, stride=2)])], (64, 56, 56),
                               raises=True, why="main floor((56 - 3)/2) + 1 = 27, shortcut 28")),
     sources=(HE_RESNET,))
rule("net.layer", "Supported layers",
     """summarize accepts the specs of cnnspec.layers and, for a torch.nn.Module traced with
     torch.fx, the modules and functions with a spec (conv, transposed conv, pooling,
     adaptive and global pooling, batch norm, linear, flatten, dropout, parameter-free
     elementwise functions, residual adds); anything else is rejected by name rather than
     guessed.""",
     examples=(formula_example("summary.summarize", [L.Conv(8, 3), "softmax"], (3, 8, 8),
                               raises=True, why="the error names layer 1 and its value"),),
     sources=("PyTorch docs: torch.fx.symbolic_trace",))
rule("net.adaptive-pool", "Adaptive pooling windows",
     """Adaptive pooling from i to o cells uses window j = [floor(j*i/o), ceil((j+1)*i/o)).
     When o divides i the windows are uniform (kernel = stride = i/o); o = 1 is global
     pooling. Adaptive pooling has no parameters.""",
     formula="window j = [floor(j*i/o), ceil((j+1)*i/o))",
     examples=(formula_example("formulas.adaptive_pool_window", 10, 3, 0, gives=(0, 4),
                               why="[floor(0), ceil(10/3)) = [0, 4)"),
               formula_example("formulas.adaptive_pool_window", 10, 3, 1, gives=(3, 7),
                               why="[floor(10/3), ceil(20/3)): overlaps window 0 on cell 3"),
               formula_example("formulas.adaptive_pool_window", 10, 3, 2, gives=(6, 10),
                               why="[floor(20/3), 10): every window has 4 cells")),
     sources=(TORCH_ADAPTIVE,), see_also=("pool.global",))
rule("net.rf-union", "Receptive field of a residual add",
     """A unit after an add depends on what either branch depends on: its receptive field
     spans from the smaller start to the larger end of the two branches' fields. The union
     is one field with one jump only when the two branches' jumps are equal, and equal output
     shapes do not imply it: on a 4x4 input an unpadded 3x3 conv (stride 1, jump 1) and a 1x1
     conv with stride 2 (jump 2) both give 2x2. Then the add is valid but its units have no
     single receptive field of this form: the union is undefined (summarize reports none,
     formulas.receptive_field_union refuses it).""",
     formula="start = min(start_a, start_b); size = max(start_a + r_a, start_b + r_b) - start",
     examples=(Example("ResNet-18 at 224x224", "r = 435 at the last block",
                       "the shortcut's 1x1 convs never widen it (tests/test_networks_golden.py)"),
               formula_example("formulas.receptive_field_union", formulas.RF(3, 1, 0),
                               formulas.RF(1, 2, 0), raises=True,
                               why="on 4x4 a main Conv(3) (jump 1) and a shortcut "
                                   "Conv(1, stride=2) (jump 2) both give 2x2, but their jumps "
                                   "differ: no union"),
               formula_example("summary.summarize",
                               [L.Residual([L.Conv(4, 3)], shortcut=[L.Conv(4, 1, stride=2)])],
                               (4, 4, 4), then=".rows[-1].receptive_field", gives=(None, None),
                               why="the add is valid (both 2x2); summarize reports no field"),
               formula_example("formulas.receptive_field_union", formulas.RF(3, 1, -1),
                               formulas.RF(1, 1, 0), gives=formulas.RF(3, 1, -1),
                               why="a padded 3x3 main and an identity shortcut: the main's "
                                   "field covers the shortcut's")),
     sources=(S.ARAUJO, HE_RESNET))
rule("net.batch-independence", "Each sample is computed on its own",
     """Convolution, transposed convolution and pooling act on each sample of a batch
     separately: output sample n is a function of input sample n alone, the same function for
     every n, so running a batch gives exactly the results of running each sample by itself
     (batch statistics belong to other layers, such as batch norm in training). A batch of 0
     gives a batch of 0 [config.nonempty].""",
     ops=("conv", "conv_transpose", "max_pool", "avg_pool"),
     formula="op(x)[n] = op(x[n : n+1])[0] for every n",
     examples=(call_example("conv", x=[[[1, 2, 3]], [[10, 20, 30]]], w=[[[1, 1]]], channels=True,
                            y=[[[3, 5]], [[30, 50]]], why="a batch of two samples"),
               call_example("conv", x=[10, 20, 30], w=[1, 1], y=[30, 50],
                            why="sample 1 alone gives the same [30, 50]: sample 0's values never "
                                "enter it")),
     sources=("PyTorch docs: torch.nn.Conv2d, torch.nn.ConvTranspose2d, torch.nn.MaxPool2d, "
              "torch.nn.AvgPool2d (inputs (N, C, H, W), N the batch)",
              "ONNX operator spec: Conv, ConvTranspose, MaxPool, AveragePool (X of shape "
              "(N x C x D1 x ... x Dn))"),
     see_also=("config.nonempty", "pool.channelwise"))
rule("net.adaptive-pool-values", "Adaptive average and max pooling values",
     """Adaptive pooling to o cells per axis reduces, for output cell (j_1, ..., j_r), the box
     that is the product of the windows of net.adaptive-pool on each axis: the average
     pooling's value is the mean of the box's cells (its divisor is the box's cell count,
     never a padding count: there is no padding), the max pooling's the largest of them. Any
     o >= 1 is valid, o > i included: then the windows overlap and input cells repeat in the
     output. cnnspec.ref.adaptive_avg_pool and adaptive_max_pool compute it for any rank.""",
     formula="y[*j] = reduce over prod_a [floor(j_a*i_a/o_a), ceil((j_a+1)*i_a/o_a)) of x",
     examples=(formula_example("ref.adaptive_avg_pool", [[[0, 10, 20]]], 5,
                               gives=[[[0, 5, 10, 15, 20]]],
                               why="windows [0, 1), [0, 2), [1, 2), [1, 3), [2, 3)"),
               formula_example("ref.adaptive_max_pool", [[[0, 10, 20]]], 5,
                               gives=[[[0, 10, 10, 20, 20]]], why="the same windows"),
               formula_example("ref.adaptive_avg_pool", [[[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]], 3,
                               gives=[[[1.5, 4.5, 7.5]]], why="windows [0, 4), [3, 7), [6, 10)"),
               formula_example("ref.adaptive_max_pool", [[[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]], 3,
                               gives=[[[3, 6, 9]]], why="the same windows"),
               formula_example("ref.adaptive_avg_pool", [[[[0, 1], [2, 3]]]], (1, 1),
                               gives=[[[[1.5]]]], why="o = 1 is global pooling: 6/4"),
               formula_example("ref.adaptive_max_pool", [[[[0, 1], [2, 3]]]], (1, 1),
                               gives=[[[[3]]]])),
     sources=(TORCH_ADAPTIVE, "PyTorch docs: torch.nn.AdaptiveMaxPool1d/2d/3d, "
              "torch.nn.functional.adaptive_avg_pool1d/2d/3d"),
     see_also=("net.adaptive-pool", "pool.global"))
# A pool.* rule declared here: rules/pool.py has other owners; it renders into spec/pool.md.
rule("pool.avg-dilation", "Dilated average pooling",
     """Average pooling with dilation d (ONNX AveragePool has dilations since opset 19; the
     target contract's avg_pool has none, so the rule is the spec's definition, checked on
     its formula and the reference only) averages the k taps j*s + t*d of window j, as
     dilated max pooling takes their maximum: the output size is pool.out-size's with the
     dilated kernel d*(k-1) + 1, and the spec's divisor counts taps, not the cells they
     span: the taps inside the padded input with count_include_pad, else the taps on the
     input. With d = 1 this is pool.avg-divisor.""",
     formula="y[j] = sum_{t < k} xpad[j*s + t*d] / #{t < k : tap j*s + t*d counted}",
     examples=(formula_example("formulas.avg_pool_dilated_count", 6, 2, 3, dilation=2, gives=2,
                               why="x = [0, 1, 2, 3, 4, 5]: windows {0, 2}, {1, 3}, {2, 4}, "
                                   "{3, 5}, each divided by 2: y = [1, 2, 3, 4]"),
               formula_example("formulas.avg_pool_dilated_count", 5, 3, 0, padding=(2, 0),
                               dilation=2, count_include_pad=False, gives=2,
                               why="x = [0, 1, 2, 3, 4]: window 0 taps padded cells 0, 2, 4: a "
                                   "pad, then x[0] = 0 and x[2] = 2 on the input, so "
                                   "y[0] = (0 + 2) / 2 = 1"),
               formula_example("formulas.avg_pool_dilated_count", 5, 3, 2, padding=(2, 0),
                               dilation=2, count_include_pad=False, gives=3,
                               why="window 2 taps x[0], x[2], x[4]: y[2] = 6/3 = 2; y = [1, 2, 2]"),
               formula_example("formulas.avg_pool_dilated_count", 5, 3, 0, padding=(2, 0),
                               dilation=2, count_include_pad=True, gives=3,
                               why="the pad counts: y[0] = 2/3; y = [2/3, 4/3, 2]")),
     sources=("ONNX operator spec: AveragePool (dilations, opset 19)", S.ONNX_POOL),
     see_also=("pool.avg-def", "pool.avg-divisor", "pool.out-size"))
rule("net.remainder", "Input cells the floor leaves unread",
     """When (i + p_b + p_a - d(k-1) - 1) is not a multiple of s, the floor in the output size
     discards a last, partial window. The input cells past both the last window's end and
     the discarded window's start are then read by no window. Cells skipped between windows
     when the stride exceeds the dilated kernel are the stride's gaps, not the floor's. An
     input size 'without remainder' is one where no layer drops a cell this way.""",
     symbolic=_dropped,
     formula="dropped = max(0, p_b + i - max((o-1)*s + d(k-1) + 1, o*s))",
     examples=(formula_example("formulas.floor_dropped", 225, 112, 2, stride=2, gives=1,
                               why="2x2 max pooling, stride 2: o = 112 windows cover 224 cells"),
               formula_example("inverse.sizes_without_remainder", [L.MaxPool(2)] * 5,
                               (3, "H", "H"), sizes=range(1, 100), gives=[32, 64, 96],
                               why="VGG-16's five 2x2 poolings: no cell dropped iff "
                                   "H = 0 mod 32")),
     sources=(S.DUMOULIN, S.TORCH_POOL), see_also=("conv.out-size", "pool.out-size"))

rule("net.layouts", "Channels-first and channels-last layouts",
     """The spec's arrays are channels-first: activations (N, C, *S) ("NCHW" in 2-D),
     convolution weights (C_out, C_in/groups, *K) ("OIHW", PyTorch and ONNX), transposed
     convolution weights (C_in, C_out/groups, *K). TensorFlow and Keras default to
     channels-last: activations (N, *S, C) ("NHWC"), convolution kernels
     (*K, C_in/groups, C_out) ("HWIO"; a grouped kernel keeps C_in/groups on its
     second-to-last axis), transposed-convolution kernels (*K, C_out, C_in)
     (tf.nn.conv2d_transpose's (h, w, out, in)). A conversion only moves axes: the value at
     x[n, c, *s] is found at [n, *s, c], w[o, c, *t] at [*t, c, o], a transposed kernel's
     w[i, o, *t] at [*t, o, i]; round trips are the identity. A layer computes the same
     numbers in either layout: a convolution done channels-last, reading the HWIO kernel,
     equals the channels-first convolution moved to channels-last. A memory format (PyTorch's
     torch.channels_last) changes strides only, never the logical shape or the indices.
     cnnspec.layouts converts for any rank.""",
     formula="NHWC[n, *s, c] = NCHW[n, c, *s];  HWIO[*t, c, o] = OIHW[o, c, *t]",
     examples=(formula_example("layouts.to_channels_last", cells(1, 3, 4, 5), then=".shape",
                               gives=(1, 4, 5, 3), why="NCHW to NHWC"),
               formula_example("layouts.to_channels_last", cells(1, 3, 4, 5), then="[0][1][3][2]",
                               gives=2 * 20 + 1 * 5 + 3,
                               why="x[0, 2, 1, 3] (channel 2, row 1, column 3) lands at "
                                   "[0, 1, 3, 2]"),
               formula_example("layouts.weights_to_hwio", cells(4, 3, 3, 5), then=".shape",
                               gives=(3, 5, 3, 4),
                               why="grouped conv weights, C_in = 6, C_out = 4, groups = 2, "
                                   "kernel 3x5: C_in/groups = 3 stays the input axis"),
               formula_example("layouts.weights_to_hwio", cells(4, 3, 3, 5), then="[0][4][2][1]",
                               gives=1 * 45 + 2 * 15 + 0 * 5 + 4,
                               why="w[1, 2, 0, 4] lands at [0, 4, 2, 1]"),
               formula_example("layouts.conv_transpose_weights_to_tf", cells(2, 3, 3, 3),
                               then=".shape", gives=(3, 3, 3, 2),
                               why="PyTorch ConvTranspose2d(2, 3, 3) weights to TensorFlow's "
                                   "conv2d_transpose kernel (h, w, out, in)"),
               formula_example("layouts.conv_transpose_weights_to_tf", cells(2, 3, 3, 3),
                               then="[2][1][0][1]", gives=1 * 27 + 0 * 9 + 2 * 3 + 1,
                               why="w[1, 0, 2, 1] lands at [2, 1, 0, 1]")),
     sources=("PyTorch docs: torch.Tensor.permute, torch.channels_last (memory format), "
              "torch.nn.Conv2d weight (out_channels, in_channels/groups, kH, kW)",
              "TensorFlow docs: tf.nn.conv2d (data_format NHWC, filters [h, w, in, out]), "
              "tf.nn.conv2d_transpose (filters [h, w, out, in]), "
              "tf.keras.layers.Conv2D (data_format channels_last)",
              "ONNX operator spec: Conv (W of shape (M x C/group x kH x kW))"),
     see_also=("conv.def", "conv.groups"))
# A pool.* rule declared here: rules/pool.py has other owners; it renders into spec/pool.md.
rule("pool.max-indices", "The indices max pooling returns",
     """Max pooling can return, with each value, where it came from: the input cell of the
     first maximum of the window, the window's taps taken in order (kernel offsets
     row-major), so of equal maxima the earliest tap wins. The index counts cells of the
     input x, never of its padding: padding and the ceil_mode overhang are never chosen, a
     window always holding an input cell [pool.window-has-input]. PyTorch
     (return_indices=True) gives the row-major flat index into the spatial axes of the
     sample's own channel plane, in [0, prod(S)); ONNX MaxPool's Indices output (storage_order
     0) flattens the whole (N, C, *S) tensor, so it adds (n*C + c)*prod(S). The indices are
     defined for NaN-free input only. MaxUnpool inverts the scatter: it writes each pooled
     value at its index of a zero array of the input's shape. cnnspec.ref.pool_indices
     computes both kinds for any rank.""",
     formula="idx[n, c, *p] = flat(first q in window p with x[n, c, *q] = y[n, c, *p]); "
             "onnx = idx + (n*C + c)*prod(S)",
     examples=(formula_example("ref.pool_indices.max_pool_with_indices", [[[1, 3, 3, 2, 5, 5]]],
                               kernel=3, stride=1, gives=([[[3, 3, 5, 5]]], [[[1, 1, 4, 4]]]),
                               why="window [3, 3, 2] holds the maximum at cells 1 and 2: the "
                                   "first, 1, wins"),
               formula_example("ref.pool_indices.max_pool_with_indices", [[[1, 3, 3, 2, 5, 5]]],
                               kernel=2, stride=2, gives=([[[3, 3, 5]]], [[[1, 2, 4]]]),
                               why="window [5, 5]: the first, cell 4"),
               formula_example("ref.pool_indices.max_pool_with_indices", [[[4, 1, 6]]], kernel=2,
                               stride=2, padding=1, gives=([[[4, 6]]], [[[0, 2]]]),
                               why="6 sits at padded position 3 but input cell 2"),
               formula_example("ref.pool_indices.max_pool_with_indices",
                               [[[[0, 4], [4, 1]], [[7, 2], [3, 7]]]], kernel=2, stride=2,
                               gives=([[[[4]], [[7]]]], [[[[1]], [[0]]]]),
                               why="PyTorch's indices: channel 1's 7 is cell 0 of its plane"),
               formula_example("ref.pool_indices.onnx_indices", [[[[1]], [[0]]]], (1, 2, 2, 2),
                               gives=[[[[1]], [[4]]]],
                               why="ONNX's: the same 7 is cell 1*4 + 0 of the whole tensor")),
     sources=("PyTorch docs: torch.nn.MaxPool1d/2d/3d (return_indices), "
              "torch.nn.functional.max_pool2d_with_indices, torch.nn.MaxUnpool2d",
              "ONNX operator spec: MaxPool (Indices output, storage_order), MaxUnpool"),
     see_also=("pool.max-def", "pool.window-has-input", "pool.max-nan"))

