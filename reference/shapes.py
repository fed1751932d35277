"""Shape and parameter-count formulas of conv/pool layers, in sympy.

Every function accepts sympy symbols as well as integers, so the compiler
can turn a part's answer into a formula of the student's earlier answers:
error carried forward is then the same formula evaluated on their values,
and a mistake is the formula with one term changed (a keyword argument).

Shapes are (C, W, H) as the homework writes them. A layer is a mapping:
{in_channels, out_channels, kernel, stride, pad, dilation}; kernel, stride,
pad and dilation are an int or a [width, height] pair; pad may also be
"valid", "same" (TensorFlow's: ceil(W / S)) or "keep" (the output keeps the
input's size whatever the kernel and stride: what a student who assumes
"padding keeps the size" writes; equal to "same" only at stride 1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sympy

BIAS_MODES = ("per_channel", "per_layer", "none")
PAD_MODES = ("valid", "same", "keep")


def _pair(layer: Mapping, key: str, default) -> tuple:
    value = layer.get(key, default)
    if isinstance(value, (list, tuple)):
        if len(value) != 2:
            raise ValueError(f"{key} must be an int or a [width, height] pair, got {value!r}")
        return tuple(value)
    return value, value


def _check_layer(layer: Mapping, allowed: set[str], required: set[str]) -> None:
    if not isinstance(layer, Mapping):
        raise ValueError(f"a layer must be a mapping, got {layer!r}")
    unknown = set(layer) - allowed
    if unknown:
        raise ValueError(f"unknown layer field(s) {sorted(unknown)}; known: {sorted(allowed)}")
    missing = required - set(layer)
    if missing:
        raise ValueError(f"layer is missing {sorted(missing)}")


def _whole(name: str, value, least: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ValueError(f"{name} must be a whole number ≥ {least}, got {value!r}")


def _spatial(size, kernel, stride, pad, dilation, plus_one: bool):
    """floor((W + 2P - D(F-1) - 1)/S) + 1, PyTorch's formula (= (W+2P-F)/S + 1 for D=1)."""
    _whole("kernel", kernel, 1)
    _whole("stride", stride, 1)
    _whole("dilation", dilation, 1)
    if pad not in PAD_MODES:
        _whole("pad", pad, 0)
    if pad == "keep":
        return sympy.sympify(size)
    if pad == "same":
        return sympy.ceiling(sympy.sympify(size) / stride)
    if pad == "valid":
        pad = 0
    span = dilation * (kernel - 1) + 1
    steps = sympy.floor((sympy.sympify(size) + 2 * pad - span) / sympy.Integer(stride))
    return steps + 1 if plus_one else steps


def _input_shape(input) -> tuple:
    if not isinstance(input, Sequence) or len(input) != 3:
        raise ValueError(f"input must be a (C, W, H) shape, got {input!r}")
    return tuple(input)


CONV_FIELDS = {"in_channels", "out_channels", "kernel", "stride", "pad", "dilation"}


def conv2d_output_shape(input, layer: Mapping, plus_one: bool = True) -> tuple:
    """(C_out, W_out, H_out) of a Conv2d layer on a (C, W, H) input."""
    _check_layer(layer, CONV_FIELDS, {"out_channels", "kernel"})
    _, width, height = _input_shape(input)
    kernel, stride = _pair(layer, "kernel", 1), _pair(layer, "stride", 1)
    pad, dilation = _pair(layer, "pad", 0), _pair(layer, "dilation", 1)
    return (
        sympy.Integer(layer["out_channels"]),
        _spatial(width, kernel[0], stride[0], pad[0], dilation[0], plus_one),
        _spatial(height, kernel[1], stride[1], pad[1], dilation[1], plus_one),
    )


POOL_FIELDS = {"kernel", "stride", "pad", "dilation"}


def pool2d_output_shape(input, layer: Mapping, plus_one: bool = True) -> tuple:
    """(C, W_out, H_out) of a max/avg pooling layer: channels are kept."""
    _check_layer(layer, POOL_FIELDS, {"kernel"})
    channels, width, height = _input_shape(input)
    kernel = _pair(layer, "kernel", 1)
    stride = _pair(layer, "stride", layer["kernel"])
    pad, dilation = _pair(layer, "pad", 0), _pair(layer, "dilation", 1)
    return (
        sympy.sympify(channels),
        _spatial(width, kernel[0], stride[0], pad[0], dilation[0], plus_one),
        _spatial(height, kernel[1], stride[1], pad[1], dilation[1], plus_one),
    )


def conv2d_param_count(layers: Sequence[Mapping], bias: str = "per_channel", count_in_channels: bool = True):
    """Learnable parameters of a stack of Conv2d layers: weights plus biases."""
    if bias not in BIAS_MODES:
        raise ValueError(f"bias must be one of {BIAS_MODES}, got {bias!r}")
    total = sympy.Integer(0)
    for layer in layers:
        _check_layer(layer, CONV_FIELDS, {"in_channels", "out_channels", "kernel"})
        kernel_w, kernel_h = _pair(layer, "kernel", 1)
        inputs = layer["in_channels"] if count_in_channels else 1
        total += layer["out_channels"] * inputs * kernel_w * kernel_h
        total += {"per_channel": layer["out_channels"], "per_layer": 1, "none": 0}[bias]
    return total


def pool2d_param_count(layer: Mapping):
    """Pooling takes a max (or mean) of each window: nothing is learned."""
    _check_layer(layer, POOL_FIELDS, {"kernel"})
    return sympy.Integer(0)


def pytorch_conv2d_operation() -> str:
    """What torch.nn.Conv2d computes; tests/test_reference_vs_torch.py checks it against PyTorch."""
    return "cross_correlation"
