"""Network rules: how layers compose in cnnspec.summarize and cnnspec.inverse."""

from .. import formulas
from . import Example, rule
from . import _sources as S
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
     examples=(Example("Conv(64, 3) then BatchNorm(num_features=32)", "rejected",
                       "64 channels arrive, 32 are declared"),),
     sources=("PyTorch docs: torch.nn.BatchNorm2d, torch.nn.Linear",),
     see_also=("conv.channels",))
rule("net.flatten", "Flatten, and dense layers take flat inputs",
     """Flatten turns a (C, *spatial) map into C * prod(spatial) features, channels first (the
     order of torch.flatten(x, 1)). A dense layer acts on flat features only: a map with
     spatial axes must be flattened or globally pooled first.""",
     formula="n = C * prod(spatial)",
     examples=(Example("(50, 5, 5) -> Flatten", "(1250,)", "Hung-yi Lee's Keras model"),),
     sources=(TORCH_FLATTEN, S.SEED_HYLEE))
rule("net.residual-shape", "The two branches of a residual add have one shape",
     """A residual block adds main(x) and shortcut(x) (the identity when there is none)
     elementwise, so both must have the same channels and spatial sizes. With symbolic sizes
     the shapes may agree only for some sizes (e.g. floor(H/2) and ceiling(H/2) for even H):
     that condition is reported; shapes that agree for no size are rejected.""",
     examples=(Example("main Conv(128, 3, stride=2, padding=1), shortcut Conv(128, 1, stride=2), "
                       "H = 56", "both 28 = ceiling(56/2): valid"),),
     sources=(HE_RESNET,))
rule("net.layer", "Supported layers",
     """summarize accepts the specs of cnnspec.layers and, for a torch.nn.Module traced with
     torch.fx, the modules and functions with a spec (conv, transposed conv, pooling,
     adaptive and global pooling, batch norm, linear, flatten, dropout, parameter-free
     elementwise functions, residual adds); anything else is rejected by name rather than
     guessed.""",
     examples=(Example("summarize([Conv(8, 3), object()], (3, 8, 8))", "InvalidConfig naming layer 1 [net.layer]"),),
     sources=("PyTorch docs: torch.fx.symbolic_trace",))
rule("net.adaptive-pool", "Adaptive pooling windows",
     """Adaptive pooling from i to o cells uses window j = [floor(j*i/o), ceil((j+1)*i/o)).
     When o divides i the windows are uniform (kernel = stride = i/o); o = 1 is global
     pooling. Adaptive pooling has no parameters.""",
     formula="window j = [floor(j*i/o), ceil((j+1)*i/o))",
     examples=(Example("i=10, o=3", "windows [0, 4), [3, 7), [6, 10)", "overlapping, size 4"),),
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
                       "the shortcut's 1x1 convs never widen it"),
               Example("on 4x4: main Conv(3) (jump 1), shortcut Conv(1, stride=2) (jump 2)",
                       "both 2x2; no union", "jumps 1 and 2 differ")),
     sources=(S.ARAUJO, HE_RESNET))
rule("net.remainder", "Input cells the floor leaves unread",
     """When (i + p_b + p_a - d(k-1) - 1) is not a multiple of s, the floor in the output size
     discards a last, partial window. The input cells past both the last window's end and
     the discarded window's start are then read by no window. Cells skipped between windows
     when the stride exceeds the dilated kernel are the stride's gaps, not the floor's. An
     input size 'without remainder' is one where no layer drops a cell this way.""",
     symbolic=_dropped,
     formula="dropped = max(0, p_b + i - max((o-1)*s + d(k-1) + 1, o*s))",
     examples=(Example("i=225, 2x2 max pooling, stride 2", "1 cell dropped",
                       "o = 112 windows cover 224 cells"),
               Example("VGG-16 (five 2x2 poolings)", "no cell dropped iff H = 0 mod 32"),),
     sources=(S.DUMOULIN, S.TORCH_POOL), see_also=("conv.out-size", "pool.out-size"))


from . import net_checks as _checks  # noqa: E402,F401  (the checks of these rules)
