"""A torch.nn.Module as layer specs, for :func:`cnnspec.summarize` (imports torch; lazy).

The module is traced with ``torch.fx.symbolic_trace`` (no data flows, so a module on the
``meta`` device works). Every traced value carries the list of specs that produced it
from the input; an add of two values becomes ``Residual(main, shortcut)`` after their
longest common prefix, so ResNet-style blocks (nested too) come out as written. Shapes,
parameters and MACs then come from cnnspec.formulas, never from running the module.

Supported: Conv/ConvTranspose/MaxPool/AvgPool/AdaptiveAvgPool/AdaptiveMaxPool 1-3d,
BatchNorm1-3d, Linear, Flatten(1), Dropout, parameter-free elementwise activations, and
the functional forms torch.flatten(x, 1), x.view(x.size(0), -1), x.mean((2, 3)),
F.adaptive_*_pool*d, F.max_pool*d, F.avg_pool*d, F.relu & co, +. Anything else
(torch.cat, attention, ...) raises InvalidConfig [net.layer] naming the node.
"""

from __future__ import annotations

import operator
from typing import Any

from . import layers as L
from .errors import InvalidConfig

__all__ = ["specs_from_module"]

_ELEMENTWISE = {
    "ReLU", "ReLU6", "LeakyReLU", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish", "Sigmoid",
    "Tanh", "Hardswish", "Hardsigmoid", "Hardtanh", "Softplus", "Softsign", "Softmax",
    "LogSoftmax", "Identity", "Tanhshrink", "LogSigmoid",
}
_ELEMENTWISE_FUNCTIONS = {
    "relu", "relu_", "relu6", "leaky_relu", "elu", "selu", "celu", "gelu", "silu", "mish",
    "sigmoid", "tanh", "hardswish", "hardsigmoid", "hardtanh", "softplus", "softmax",
    "log_softmax", "dropout", "contiguous", "clone", "float", "identity",
}
_NOT_A_TENSOR = object()


def _unsupported(what: str, where: str) -> InvalidConfig:
    return InvalidConfig(f"{where}={what}, but should be a supported layer (conv, pooling, "
                         f"batch norm, linear, flatten, elementwise, residual add)",
                         rule="net.layer")


def _module_spec(m: Any, name: str) -> Any:
    import torch.nn as nn

    kind = type(m).__name__
    if isinstance(m, nn.modules.conv._ConvTransposeNd):
        return L.ConvTranspose(m.out_channels, m.kernel_size, stride=m.stride, padding=m.padding,
                               output_padding=m.output_padding, dilation=m.dilation,
                               groups=m.groups, bias=m.bias is not None,
                               in_channels=m.in_channels, name=name)
    if isinstance(m, nn.modules.conv._ConvNd):
        return L.Conv(m.out_channels, m.kernel_size, stride=m.stride, padding=m.padding,
                      dilation=m.dilation, groups=m.groups, bias=m.bias is not None,
                      in_channels=m.in_channels, name=name)
    if isinstance(m, nn.modules.pooling._MaxPoolNd):
        if m.return_indices:
            raise _unsupported(f"{kind}(return_indices=True)", f"module {name!r}")
        return L.MaxPool(m.kernel_size, stride=m.stride, padding=m.padding, dilation=m.dilation,
                         ceil_mode=m.ceil_mode, name=name)
    if isinstance(m, nn.modules.pooling._AvgPoolNd):
        return L.AvgPool(m.kernel_size, stride=m.stride, padding=m.padding,
                         ceil_mode=bool(m.ceil_mode), count_include_pad=bool(m.count_include_pad),
                         name=name)
    if isinstance(m, nn.modules.pooling._AdaptiveAvgPoolNd):
        return L.AdaptiveAvgPool(m.output_size, name=name)
    if isinstance(m, nn.modules.pooling._AdaptiveMaxPoolNd):
        return L.AdaptiveMaxPool(m.output_size, name=name)
    if isinstance(m, nn.modules.batchnorm._BatchNorm):
        return L.BatchNorm(m.num_features, affine=m.affine, name=name)
    if isinstance(m, nn.Linear):
        return L.Dense(m.out_features, bias=m.bias is not None, in_features=m.in_features,
                       name=name)
    if isinstance(m, nn.Flatten):
        if m.start_dim != 1 or m.end_dim != -1:
            raise _unsupported(f"Flatten(start_dim={m.start_dim}, end_dim={m.end_dim})",
                               f"module {name!r}")
        return L.Flatten(name=name)
    if isinstance(m, nn.modules.dropout._DropoutNd):
        return L.Dropout(m.p, name=name)
    if kind in _ELEMENTWISE and not any(True for _ in m.parameters()):
        return L.ReLU(name=name) if kind == "ReLU" else L.Activation(kind, name=name)
    raise _unsupported(kind, f"module {name!r}")


def _arg(node: Any, i: int, key: str, default: Any) -> Any:
    if len(node.args) > i:
        return node.args[i]
    return node.kwargs.get(key, default)


def _function_spec(fn: str, node: Any) -> Any:
    """Specs for functional calls, by the function's name (torch.* / F.* / tensor methods)."""
    name = node.name
    if fn in ("flatten",):
        if _arg(node, 1, "start_dim", 0) != 1 or _arg(node, 2, "end_dim", -1) != -1:
            raise _unsupported(f"flatten(start_dim={_arg(node, 1, 'start_dim', 0)})",
                               f"node {name!r}")
        return L.Flatten(name=name)
    if fn.startswith("adaptive_avg_pool"):
        return L.AdaptiveAvgPool(_arg(node, 1, "output_size", None), name=name)
    if fn.startswith("adaptive_max_pool"):
        return L.AdaptiveMaxPool(_arg(node, 1, "output_size", None), name=name)
    if fn.startswith("max_pool"):
        return L.MaxPool(_arg(node, 1, "kernel_size", None), stride=_arg(node, 2, "stride", None)
                         or None, padding=_arg(node, 3, "padding", 0),
                         dilation=_arg(node, 4, "dilation", 1),
                         ceil_mode=_arg(node, 5, "ceil_mode", False), name=name)
    if fn.startswith("avg_pool"):
        return L.AvgPool(_arg(node, 1, "kernel_size", None), stride=_arg(node, 2, "stride", None)
                         or None, padding=_arg(node, 3, "padding", 0),
                         ceil_mode=_arg(node, 4, "ceil_mode", False),
                         count_include_pad=_arg(node, 5, "count_include_pad", True), name=name)
    if fn in _ELEMENTWISE_FUNCTIONS:
        if fn in ("contiguous", "clone", "float", "identity"):
            return None
        return L.ReLU(name=name) if fn in ("relu", "relu_") else L.Activation(fn, name=name)
    if fn in ("view", "reshape"):
        shape = node.args[1:]
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        if len(shape) == 2 and shape[1] == -1:
            return L.Flatten(name=name)
    if fn == "mean":
        dims = _arg(node, 1, "dim", None)
        dims = tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)
        if dims and all(isinstance(d, int) and d >= 2 for d in dims):
            return L.GlobalAvgPool(keepdims=bool(_arg(node, 2, "keepdim", False)), name=name)
    raise _unsupported(f"{fn}(...)", f"node {name!r}")


def specs_from_module(module: Any) -> list:
    """The layer specs of a torch.nn.Module with one tensor input."""
    import torch
    import torch.fx

    try:
        gm = torch.fx.symbolic_trace(module)
    except Exception as exc:  # noqa: BLE001 - report why tracing failed
        raise InvalidConfig(f"model={type(module).__name__} cannot be traced by torch.fx "
                            f"({type(exc).__name__}: {exc}), but should be traceable; or pass "
                            f"a list of layer specs", rule="net.layer") from None
    modules = dict(gm.named_modules())
    paths: dict[Any, Any] = {}
    result = None
    adds = {operator.add, operator.iadd, torch.add}
    inputs = 0
    for node in gm.graph.nodes:
        if node.op == "placeholder":
            inputs += 1
            if inputs > 1:
                raise _unsupported("a second input", f"node {node.name!r}")
            paths[node] = []
            continue
        if node.op == "output":
            result = node.args[0]
            break
        tensors = [a for a in node.args if isinstance(a, torch.fx.Node)
                   and paths.get(a) is not _NOT_A_TENSOR]
        if node.op == "call_module":
            spec = _module_spec(modules[node.target], str(node.target))
        elif node.op == "call_method" and node.target in ("size", "dim"):
            paths[node] = _NOT_A_TENSOR
            continue
        elif node.op == "call_function" and node.target in (operator.getitem, getattr) and \
                not tensors:
            paths[node] = _NOT_A_TENSOR
            continue
        elif node.op == "call_function" and node.target in adds or \
                node.op == "call_method" and node.target in ("add", "add_"):
            if len(tensors) != 2:
                raise _unsupported("an add of a tensor and a constant", f"node {node.name!r}")
            paths[node] = _merge(paths[tensors[0]], paths[tensors[1]], node.name)
            continue
        elif node.op in ("call_function", "call_method"):
            fn = node.target if isinstance(node.target, str) else node.target.__name__
            spec = _function_spec(fn, node)
        else:
            raise _unsupported(f"{node.op} {node.target}", f"node {node.name!r}")
        if len(tensors) != 1:
            raise _unsupported(f"{len(tensors)} tensor inputs", f"node {node.name!r}")
        base = paths[tensors[0]]
        paths[node] = base if spec is None else base + [(node.name, spec)]
    if not isinstance(result, torch.fx.Node) or paths.get(result) in (None, _NOT_A_TENSOR):
        raise _unsupported("an output that is not one tensor", "model output")
    return [spec for _, spec in paths[result]]


def _merge(a: list, b: list, name: str) -> list:
    """a + b as a Residual after the common prefix (the longer branch is the main path)."""
    n = 0
    while n < min(len(a), len(b)) and a[n][0] == b[n][0]:
        n += 1
    main, short = a[n:], b[n:]
    if len(short) > len(main):
        main, short = short, main
    block = L.Residual([s for _, s in main], [s for _, s in short], name=name)
    return a[:n] + [(name, block)]
