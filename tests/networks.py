"""Published networks, each written twice: as cnnspec layer specs and as a torch.nn.Module.

The torch modules follow torchvision's source (torchvision is not a dependency), so that
``sum(p.numel())`` can be compared with the documented counts; the specs are written
independently from the papers' tables. Build torch modules under ``torch.device("meta")``
to count parameters without allocating them.
"""

from __future__ import annotations

from cnnspec.layers import (
    Activation,
    AdaptiveAvgPool,
    AvgPool,
    BatchNorm,
    Conv,
    Dense,
    Dropout,
    Flatten,
    GlobalAvgPool,
    MaxPool,
    ReLU,
    Residual,
)

# ---------------------------------------------------------------------- specs

VGG16_CFG = [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M",
             512, 512, 512, "M"]


def vgg16_specs() -> list:
    """VGG-16 (configuration D of Simonyan & Zisserman, Table 1), torchvision's head."""
    out: list = []
    for v in VGG16_CFG:
        out += [MaxPool(2, stride=2)] if v == "M" else [Conv(v, 3, padding=1), ReLU()]
    return out + [AdaptiveAvgPool((7, 7)), Flatten(), Dense(4096), ReLU(), Dropout(),
                  Dense(4096), ReLU(), Dropout(), Dense(1000)]


def alexnet_specs(*, torchvision: bool = True) -> list:
    """AlexNet: torchvision's single-tower variant ("One weird trick", 64-192-384-256-256);
    torchvision=False: Krizhevsky et al. 2012's first layer (96 filters, 11x11/4, no padding)."""
    first = Conv(64, 11, stride=4, padding=2) if torchvision else Conv(96, 11, stride=4)
    return [first, ReLU(), MaxPool(3, stride=2), Conv(192, 5, padding=2), ReLU(),
            MaxPool(3, stride=2), Conv(384, 3, padding=1), ReLU(), Conv(256, 3, padding=1),
            ReLU(), Conv(256, 3, padding=1), ReLU(), MaxPool(3, stride=2),
            AdaptiveAvgPool((6, 6)), Flatten(), Dropout(), Dense(4096), ReLU(), Dropout(),
            Dense(4096), ReLU(), Dense(1000)]


def _basic(c_in: int, c: int, stride: int) -> Residual:
    main = [Conv(c, 3, stride=stride, padding=1, bias=False), BatchNorm(), ReLU(),
            Conv(c, 3, padding=1, bias=False), BatchNorm()]
    short = [Conv(c, 1, stride=stride, bias=False), BatchNorm()] \
        if stride != 1 or c_in != c else []
    return Residual(main, short)


def _bottleneck(c_in: int, c: int, stride: int) -> Residual:
    """torchvision's ResNet v1.5: the stride is on the 3x3 conv."""
    main = [Conv(c, 1, bias=False), BatchNorm(), ReLU(),
            Conv(c, 3, stride=stride, padding=1, bias=False), BatchNorm(), ReLU(),
            Conv(4 * c, 1, bias=False), BatchNorm()]
    short = [Conv(4 * c, 1, stride=stride, bias=False), BatchNorm()] \
        if stride != 1 or c_in != 4 * c else []
    return Residual(main, short)


def resnet_specs(blocks: tuple[int, ...] = (2, 2, 2, 2), *, bottleneck: bool = False) -> list:
    """ResNet-18 (2, 2, 2, 2) / ResNet-50 (3, 4, 6, 3, bottleneck), He et al. Table 1."""
    out = [Conv(64, 7, stride=2, padding=3, bias=False), BatchNorm(), ReLU(),
           MaxPool(3, stride=2, padding=1)]
    c_in, expansion = 64, 4 if bottleneck else 1
    for stage, n in enumerate(blocks):
        c = 64 * 2 ** stage
        for j in range(n):
            stride = 2 if stage > 0 and j == 0 else 1
            out += [(_bottleneck if bottleneck else _basic)(c_in, c, stride), ReLU()]
            c_in = c * expansion
    return out + [GlobalAvgPool(), Dense(1000)]


MOBILENET_V2_CFG = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                    (6, 160, 3, 2), (6, 320, 1, 1)]  # t, c, n, s (Sandler et al., Table 2)


def mobilenet_v2_specs() -> list:
    def cbr(c: int, k: int, stride: int = 1, groups: int = 1) -> list:
        return [Conv(c, k, stride=stride, padding=(k - 1) // 2, groups=groups, bias=False),
                BatchNorm(), Activation("ReLU6")]

    out, c_in = cbr(32, 3, 2), 32
    for t, c, n, s in MOBILENET_V2_CFG:
        for j in range(n):
            stride, hidden = (s if j == 0 else 1), c_in * t
            body = (cbr(hidden, 1) if t != 1 else []) + cbr(hidden, 3, stride, hidden) + \
                [Conv(c, 1, bias=False), BatchNorm()]
            out += [Residual(body)] if stride == 1 and c_in == c else body
            c_in = c
    return out + cbr(1280, 1) + [GlobalAvgPool(), Dropout(0.2), Dense(1000)]


MOBILENET_V1_CFG = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1),
                    (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]


def mobilenet_v1_specs() -> list:
    """1.0 MobileNet-224 (Howard et al. 2017, Table 1): 3x3 conv, 13 depthwise-separable
    pairs, global average pooling, FC 1000; every conv followed by BN and ReLU."""
    out, c_in = [Conv(32, 3, stride=2, padding=1, bias=False), BatchNorm(), ReLU()], 32
    for c, s in MOBILENET_V1_CFG:
        out += [Conv(c_in, 3, stride=s, padding=1, groups=c_in, bias=False), BatchNorm(), ReLU(),
                Conv(c, 1, bias=False), BatchNorm(), ReLU()]
        c_in = c
    return out + [GlobalAvgPool(), Dense(1000)]


def lenet5_modern_specs() -> list:
    """LeNet-5 as usually rebuilt today: full C3, average pooling, a 10-way dense output."""
    return [Conv(6, 5, padding=2), Activation("Sigmoid"), AvgPool(2, stride=2), Conv(16, 5),
            Activation("Sigmoid"), AvgPool(2, stride=2), Flatten(), Dense(120),
            Activation("Sigmoid"), Dense(84), Activation("Sigmoid"), Dense(10)]


# ---------------------------------------------------------------------- torch checks


def hook_shapes(module, x):
    """Output shapes (batch dropped) of every leaf module, by qualified name, in call order."""
    shapes: dict[str, list] = {}
    handles = [m.register_forward_hook(
        lambda mod, inp, out, name=name: shapes.setdefault(name, []).append(tuple(out.shape[1:])))
        for name, m in module.named_modules() if not list(m.children())]
    module(x)
    for h in handles:
        h.remove()
    return shapes


def assert_matches_torch(module, shape):
    """summarize(module) against sum(p.numel()) and a forward pass with hooks; the summary."""
    import torch

    from cnnspec.summary import summarize

    s = summarize(module, shape)
    numel = sum(p.numel() for p in module.parameters())
    assert s.total_params == numel, \
        f"total_params={s.total_params}, but should be sum(p.numel())={numel} [params.conv]"
    with torch.no_grad():
        hooked = hook_shapes(module.eval(), torch.zeros(1, *shape))
    rows: dict[str, list] = {}
    for r in s.rows:
        rows.setdefault(r.name, []).append(r.output_shape)
    for name, outs in hooked.items():
        assert sorted(rows.get(name, [])) == sorted(outs), \
            f"{name}: output shapes {rows.get(name)}, but should be {outs} [conv.out-size]"
    return s


# ---------------------------------------------------------------------- torch modules


def torch_nets():
    """The torch versions (a function, so that importing this file does not import torch)."""
    import torch
    from torch import nn

    class VGG(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            layers: list[nn.Module] = []
            c_in = 3
            for v in VGG16_CFG:
                if v == "M":
                    layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
                else:
                    layers += [nn.Conv2d(c_in, v, kernel_size=3, padding=1), nn.ReLU(inplace=True)]
                    c_in = v
            self.features = nn.Sequential(*layers)
            self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
            self.classifier = nn.Sequential(
                nn.Linear(512 * 7 * 7, 4096), nn.ReLU(True), nn.Dropout(),
                nn.Linear(4096, 4096), nn.ReLU(True), nn.Dropout(), nn.Linear(4096, 1000))

        def forward(self, x):
            x = self.avgpool(self.features(x))
            return self.classifier(torch.flatten(x, 1))

    class AlexNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(3, 64, kernel_size=11, stride=4, padding=2), nn.ReLU(inplace=True),
                nn.MaxPool2d(kernel_size=3, stride=2),
                nn.Conv2d(64, 192, kernel_size=5, padding=2), nn.ReLU(inplace=True),
                nn.MaxPool2d(kernel_size=3, stride=2),
                nn.Conv2d(192, 384, kernel_size=3, padding=1), nn.ReLU(inplace=True),
                nn.Conv2d(384, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
                nn.Conv2d(256, 256, kernel_size=3, padding=1), nn.ReLU(inplace=True),
                nn.MaxPool2d(kernel_size=3, stride=2))
            self.avgpool = nn.AdaptiveAvgPool2d((6, 6))
            self.classifier = nn.Sequential(
                nn.Dropout(p=0.5), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(inplace=True),
                nn.Dropout(p=0.5), nn.Linear(4096, 4096), nn.ReLU(inplace=True),
                nn.Linear(4096, 1000))

        def forward(self, x):
            x = self.avgpool(self.features(x))
            return self.classifier(torch.flatten(x, 1))

    class BasicBlock(nn.Module):
        expansion = 1

        def __init__(self, inplanes, planes, stride=1, downsample=None):
            super().__init__()
            self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(planes)
            self.relu = nn.ReLU(inplace=True)
            self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(planes)
            self.downsample = downsample

        def forward(self, x):
            identity = x
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            if self.downsample is not None:
                identity = self.downsample(x)
            out += identity
            return self.relu(out)

    class Bottleneck(nn.Module):
        expansion = 4

        def __init__(self, inplanes, planes, stride=1, downsample=None):
            super().__init__()
            self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(planes)
            self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(planes)
            self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
            self.bn3 = nn.BatchNorm2d(planes * 4)
            self.relu = nn.ReLU(inplace=True)
            self.downsample = downsample

        def forward(self, x):
            identity = x
            out = self.relu(self.bn1(self.conv1(x)))
            out = self.relu(self.bn2(self.conv2(out)))
            out = self.bn3(self.conv3(out))
            if self.downsample is not None:
                identity = self.downsample(x)
            out += identity
            return self.relu(out)

    class ResNet(nn.Module):
        def __init__(self, block, layers):
            super().__init__()
            self.inplanes = 64
            self.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)
            self.bn1 = nn.BatchNorm2d(64)
            self.relu = nn.ReLU(inplace=True)
            self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
            self.layer1 = self._make_layer(block, 64, layers[0])
            self.layer2 = self._make_layer(block, 128, layers[1], stride=2)
            self.layer3 = self._make_layer(block, 256, layers[2], stride=2)
            self.layer4 = self._make_layer(block, 512, layers[3], stride=2)
            self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
            self.fc = nn.Linear(512 * block.expansion, 1000)

        def _make_layer(self, block, planes, blocks, stride=1):
            downsample = None
            if stride != 1 or self.inplanes != planes * block.expansion:
                downsample = nn.Sequential(
                    nn.Conv2d(self.inplanes, planes * block.expansion, 1, stride, bias=False),
                    nn.BatchNorm2d(planes * block.expansion))
            layers = [block(self.inplanes, planes, stride, downsample)]
            self.inplanes = planes * block.expansion
            layers += [block(self.inplanes, planes) for _ in range(1, blocks)]
            return nn.Sequential(*layers)

        def forward(self, x):
            x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
            x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
            return self.fc(torch.flatten(self.avgpool(x), 1))

    def cbr(c_in, c_out, k=3, stride=1, groups=1):
        return nn.Sequential(nn.Conv2d(c_in, c_out, k, stride, (k - 1) // 2, groups=groups,
                                       bias=False), nn.BatchNorm2d(c_out), nn.ReLU6(inplace=True))

    class InvertedResidual(nn.Module):
        def __init__(self, inp, oup, stride, expand_ratio):
            super().__init__()
            hidden = int(round(inp * expand_ratio))
            self.use_res_connect = stride == 1 and inp == oup
            layers = [cbr(inp, hidden, 1)] if expand_ratio != 1 else []
            layers += [cbr(hidden, hidden, 3, stride, hidden),
                       nn.Conv2d(hidden, oup, 1, 1, 0, bias=False), nn.BatchNorm2d(oup)]
            self.conv = nn.Sequential(*layers)

        def forward(self, x):
            return x + self.conv(x) if self.use_res_connect else self.conv(x)

    class MobileNetV2(nn.Module):
        def __init__(self):
            super().__init__()
            features = [cbr(3, 32, stride=2)]
            c_in = 32
            for t, c, n, s in MOBILENET_V2_CFG:
                for j in range(n):
                    features.append(InvertedResidual(c_in, c, s if j == 0 else 1, t))
                    c_in = c
            features.append(cbr(c_in, 1280, 1))
            self.features = nn.Sequential(*features)
            self.classifier = nn.Sequential(nn.Dropout(p=0.2), nn.Linear(1280, 1000))

        def forward(self, x):
            x = nn.functional.adaptive_avg_pool2d(self.features(x), (1, 1))
            return self.classifier(torch.flatten(x, 1))

    class LeNet5(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(
                nn.Conv2d(1, 6, kernel_size=5, padding=2), nn.Sigmoid(), nn.AvgPool2d(2, 2),
                nn.Conv2d(6, 16, kernel_size=5), nn.Sigmoid(), nn.AvgPool2d(2, 2), nn.Flatten(),
                nn.Linear(16 * 5 * 5, 120), nn.Sigmoid(), nn.Linear(120, 84), nn.Sigmoid(),
                nn.Linear(84, 10))

        def forward(self, x):
            return self.net(x)

    return {
        "vgg16": VGG, "alexnet": AlexNet, "lenet5": LeNet5, "mobilenet_v2": MobileNetV2,
        "resnet18": lambda: ResNet(BasicBlock, [2, 2, 2, 2]),
        "resnet50": lambda: ResNet(Bottleneck, [3, 4, 6, 3]),
    }
