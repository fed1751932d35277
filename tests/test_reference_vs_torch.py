"""The reference solvers checked against PyTorch, which is the test oracle only.

PyTorch is not a runtime dependency: where it is not installed (Python 3.10
here) this whole file is skipped with a reason.

Axis order is the trap these tests are built to catch. The homework and
`reference.shapes` write shapes as (C, W, H) and kernel/stride/pad/dilation
pairs as [width, height]; PyTorch tensors are (N, C, H, W) and its pairs are
(height, width). Nearly every random configuration is non-square (W != H,
kernel/stride/pad/dilation pairs with different entries), so a swapped axis
anywhere fails. `reference.conv` works on plain matrices, rows x cols, which
map one-to-one onto PyTorch's (H, W).

Every configuration comes from a seeded `random.Random`, so the runs are
deterministic, and each is its own parametrized case whose id spells it out.
"""

from __future__ import annotations

import random

import pytest

torch = pytest.importorskip("torch", reason="PyTorch (the test oracle) is installed for Python 3.11 only")

import sympy  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

from reference import SOLVERS  # noqa: E402
from reference.conv import convolution, cross_correlation  # noqa: E402
from reference.shapes import (  # noqa: E402
    conv2d_output_shape,
    conv2d_param_count,
    pool2d_output_shape,
    pool2d_param_count,
    pytorch_conv2d_operation,
)

torch.set_num_threads(1)


# --------------------------------------------------------------------------- helpers


def as_int(value) -> int:
    """An exact integer out of a solver: int() alone would truncate a stray Rational."""
    if isinstance(value, bool):
        raise AssertionError(f"expected an integer, got {value!r}")
    if isinstance(value, int):
        return value
    value = sympy.sympify(value)
    assert value.is_Integer, f"expected an exact integer, got {value!r}"
    return int(value)


def ints(shape) -> tuple[int, ...]:
    return tuple(as_int(v) for v in shape)


def wh(value) -> tuple[int, int]:
    """Our int-or-[width, height] value as a (width, height) pair."""
    if isinstance(value, (list, tuple)):
        return value[0], value[1]
    return value, value


def torch_pair(value):
    """Our int or [width, height] pair -> PyTorch's int or (height, width) pair; strings pass through."""
    if isinstance(value, (list, tuple)):
        width, height = value
        return (height, width)
    return value


def torch_input(shape) -> torch.Tensor:
    """Our (C, W, H) -> a PyTorch (1, C, H, W) batch of zeros."""
    channels, width, height = shape
    return torch.zeros(1, channels, height, width)


def ours_from_torch(shape: torch.Size) -> tuple[int, int, int]:
    """PyTorch's (1, C, H, W) -> our (C, W, H)."""
    batch, channels, height, width = shape
    assert batch == 1
    return (channels, width, height)


def show(value) -> str:
    if isinstance(value, (list, tuple)):
        return "x".join(str(v) for v in value)
    return str(value)


def maybe_pair(rng: random.Random, low: int, high: int, pair_chance: float = 0.7):
    """An int, or (mostly) a [width, height] pair with distinct entries when the range allows."""
    if rng.random() >= pair_chance or low == high:
        return rng.randint(low, high)
    width = rng.randint(low, high)
    height = rng.choice([v for v in range(low, high + 1) if v != width])
    return [width, height]


def span(kernel: int, dilation: int) -> int:
    return dilation * (kernel - 1) + 1


# --------------------------------------------------------------------------- 1. Conv2d output shape


def _conv_shape_configs(count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    configs = []
    while len(configs) < count:
        kernel = maybe_pair(rng, 1, 7)
        dilation = maybe_pair(rng, 1, 3, pair_chance=0.4) if rng.random() < 0.5 else 1
        mode = rng.choice(["int", "int", "pair", "pair", "valid", "same"])
        if mode == "same":
            pad = "same"
            stride = rng.choice([1, [1, 1]])  # PyTorch allows padding="same" only unstrided
        else:
            stride = maybe_pair(rng, 1, 3, pair_chance=0.5)
            pad = {"int": lambda: rng.randint(0, 3), "pair": lambda: maybe_pair(rng, 0, 3, 1.0), "valid": lambda: "valid"}[
                mode
            ]()
        k_w, k_h = wh(kernel)
        d_w, d_h = wh(dilation)
        p_w, p_h = (0, 0) if isinstance(pad, str) else wh(pad)
        # The smallest input PyTorch accepts: padded input at least one dilated kernel wide.
        min_w = 1 if pad == "same" else max(1, span(k_w, d_w) - 2 * p_w)
        min_h = 1 if pad == "same" else max(1, span(k_h, d_h) - 2 * p_h)
        width = rng.randint(min_w, min_w + 24)
        height = rng.randint(min_h, min_h + 24)
        if width == height:
            height += 1
        layer = {
            "in_channels": rng.randint(1, 4),
            "out_channels": rng.randint(1, 5),
            "kernel": kernel,
            "stride": stride,
            "pad": pad,
            "dilation": dilation,
        }
        # Leave optional fields out now and then: their defaults must match PyTorch's too.
        for key, default in (("stride", 1), ("pad", 0), ("dilation", 1)):
            if layer[key] == default and rng.random() < 0.5:
                del layer[key]
        configs.append({"input": (layer["in_channels"], width, height), "layer": layer})
    return configs


def _conv_id(config: dict) -> str:
    """e.g. in4x20x27-out3-k2x3-s3-p0: input (C, W, H) and our [width, height] pairs, as written in the layer."""
    layer = config["layer"]
    parts = [f"in{show(config['input'])}", f"out{layer['out_channels']}", f"k{show(layer['kernel'])}"]
    for key, tag in (("stride", "s"), ("pad", "p"), ("dilation", "d")):
        if key in layer:
            parts.append(f"{tag}{show(layer[key])}")
    return "-".join(parts)


CONV_SHAPE_CONFIGS = _conv_shape_configs(300, seed=20240501)


def torch_conv(layer: dict, bias: bool = True) -> nn.Conv2d:
    return nn.Conv2d(
        layer["in_channels"],
        layer["out_channels"],
        kernel_size=torch_pair(layer["kernel"]),
        stride=torch_pair(layer.get("stride", 1)),
        padding=torch_pair(layer.get("pad", 0)),
        dilation=torch_pair(layer.get("dilation", 1)),
        bias=bias,
    )


def test_conv_shape_configs_are_mostly_non_square():
    """The random configurations must be able to catch a (W, H) or pair swap."""
    non_square_inputs = sum(c["input"][1] != c["input"][2] for c in CONV_SHAPE_CONFIGS)
    non_square_kernels = sum(isinstance(c["layer"]["kernel"], list) for c in CONV_SHAPE_CONFIGS)
    non_square_strides = sum(isinstance(c["layer"].get("stride"), list) and len(set(c["layer"]["stride"])) == 2 for c in CONV_SHAPE_CONFIGS)
    non_square_pads = sum(isinstance(c["layer"].get("pad"), list) for c in CONV_SHAPE_CONFIGS)
    same_pads = sum(c["layer"].get("pad") == "same" for c in CONV_SHAPE_CONFIGS)
    assert non_square_inputs == len(CONV_SHAPE_CONFIGS)
    assert non_square_kernels > 100 and non_square_strides > 30 and non_square_pads > 30 and same_pads > 20


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths")
@pytest.mark.parametrize("config", CONV_SHAPE_CONFIGS, ids=_conv_id)
def test_conv2d_output_shape_matches_torch(config):
    layer = config["layer"]
    ours = ints(conv2d_output_shape(config["input"], layer))
    with torch.no_grad():
        theirs = ours_from_torch(torch_conv(layer)(torch_input(config["input"])).shape)
    assert ours == theirs, f"conv2d_output_shape{config['input'], layer}: ours (C, W, H) = {ours}, torch = {theirs}"


def _too_small_configs(count: int, seed: int) -> list[dict]:
    """Inputs narrower than one dilated kernel after padding, in one axis only."""
    rng = random.Random(seed)
    configs = []
    while len(configs) < count:
        kernel = [rng.randint(2, 7), rng.randint(2, 7)]
        dilation = [rng.randint(1, 3), rng.randint(1, 3)]
        pad = [rng.randint(0, 1), rng.randint(0, 1)]
        stride = [rng.randint(1, 3), rng.randint(1, 3)]
        sizes = [span(k, d) - 2 * p + rng.randint(0, 6) for k, d, p in zip(kernel, dilation, pad)]
        axis = rng.randint(0, 1)
        sizes[axis] = span(kernel[axis], dilation[axis]) - 2 * pad[axis] - rng.randint(1, 3)
        if sizes[axis] < 1 or sizes[1 - axis] < 1:
            continue
        layer = {"in_channels": 2, "out_channels": 3, "kernel": kernel, "stride": stride, "pad": pad, "dilation": dilation}
        configs.append({"input": (2, sizes[0], sizes[1]), "layer": layer, "axis": axis})
    return configs


@pytest.mark.parametrize("config", _too_small_configs(20, seed=7), ids=_conv_id)
def test_input_too_small_for_torch_gives_no_positive_size(config):
    """Where PyTorch rejects the input size, our formula must not produce a valid (>= 1) size on that axis."""
    ours = ints(conv2d_output_shape(config["input"], config["layer"]))
    with pytest.raises(RuntimeError):
        with torch.no_grad():
            torch_conv(config["layer"])(torch_input(config["input"]))
    assert ours[1 + config["axis"]] < 1, f"ours (C, W, H) = {ours}, but torch rejects the input"


# --------------------------------------------------------------------------- 2. MaxPool2d output shape


def _pool_configs(count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    configs = []
    while len(configs) < count:
        kernel = maybe_pair(rng, 1, 6)
        k_w, k_h = wh(kernel)
        layer: dict = {"kernel": kernel}
        if rng.random() < 0.6:  # otherwise PyTorch's and our default stride = kernel
            layer["stride"] = maybe_pair(rng, 1, 4, pair_chance=0.5)
        mode = rng.choice(["none", "int", "pair", "valid"])
        if mode == "int":
            layer["pad"] = rng.randint(0, min(k_w, k_h) // 2)
        elif mode == "pair":
            layer["pad"] = [rng.randint(0, k_w // 2), rng.randint(0, k_h // 2)]
        elif mode == "valid":
            layer["pad"] = "valid"
        if rng.random() < 0.4:
            layer["dilation"] = maybe_pair(rng, 1, 3, pair_chance=0.5)
        d_w, d_h = wh(layer.get("dilation", 1))
        p_w, p_h = (0, 0) if isinstance(layer.get("pad", 0), str) else wh(layer.get("pad", 0))
        min_w = max(1, span(k_w, d_w) - 2 * p_w)
        min_h = max(1, span(k_h, d_h) - 2 * p_h)
        width = rng.randint(min_w, min_w + 30)
        height = rng.randint(min_h, min_h + 30)
        if width == height:
            width += 1
        configs.append({"input": (rng.randint(1, 6), width, height), "layer": layer})
    return configs


def _pool_id(config: dict) -> str:
    layer = config["layer"]
    parts = [f"in{show(config['input'])}", f"k{show(layer['kernel'])}"]
    for key, tag in (("stride", "s"), ("pad", "p"), ("dilation", "d")):
        if key in layer:
            parts.append(f"{tag}{show(layer[key])}")
    return "-".join(parts)


def torch_max_pool(layer: dict) -> nn.MaxPool2d:
    pad = layer.get("pad", 0)
    return nn.MaxPool2d(
        kernel_size=torch_pair(layer["kernel"]),
        stride=torch_pair(layer["stride"]) if "stride" in layer else None,
        padding=0 if pad == "valid" else torch_pair(pad),
        dilation=torch_pair(layer.get("dilation", 1)),
    )


POOL_CONFIGS = _pool_configs(200, seed=31337)


def test_pool_configs_cover_the_default_stride():
    assert sum("stride" not in c["layer"] for c in POOL_CONFIGS) > 40
    assert sum(isinstance(c["layer"]["kernel"], list) for c in POOL_CONFIGS) > 80


@pytest.mark.parametrize("config", POOL_CONFIGS, ids=_pool_id)
def test_pool2d_output_shape_matches_torch(config):
    layer = config["layer"]
    ours = ints(pool2d_output_shape(config["input"], layer))
    with torch.no_grad():
        theirs = ours_from_torch(torch_max_pool(layer)(torch_input(config["input"])).shape)
    assert ours == theirs, f"pool2d_output_shape{config['input'], layer}: ours (C, W, H) = {ours}, torch = {theirs}"


# --------------------------------------------------------------------------- 3. parameter counts


def _stack_configs(count: int, seed: int) -> list[list[dict]]:
    rng = random.Random(seed)
    stacks = []
    for _ in range(count):
        channels = rng.randint(1, 8)
        stack = []
        for _ in range(rng.randint(1, 4)):
            out_channels = rng.randint(1, 16)
            layer = {"in_channels": channels, "out_channels": out_channels, "kernel": maybe_pair(rng, 1, 7)}
            if rng.random() < 0.5:  # fields that must not change the count
                layer["stride"] = maybe_pair(rng, 1, 3)
                layer["pad"] = rng.choice([0, 2, [1, 2], "valid", "same"])
                layer["dilation"] = maybe_pair(rng, 1, 2)
            stack.append(layer)
            channels = out_channels
        stacks.append(stack)
    return stacks


def _stack_id(stack: list[dict]) -> str:
    return "_".join(f"{l['in_channels']}to{l['out_channels']}k{show(l['kernel'])}" for l in stack)


def torch_param_count(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


STACKS = _stack_configs(60, seed=99)


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths")
@pytest.mark.parametrize("bias_mode, torch_bias", [("per_channel", True), ("none", False)])
@pytest.mark.parametrize("stack", STACKS, ids=_stack_id)
def test_conv2d_param_count_matches_torch(stack, bias_mode, torch_bias):
    ours = as_int(conv2d_param_count(stack, bias=bias_mode))
    # "same" with a stride > 1 is ours alone (PyTorch rejects it); it cannot change a count.
    torch_layers = [dict(l, pad=0) if l.get("pad") == "same" and wh(l.get("stride", 1)) != (1, 1) else l for l in stack]
    theirs = torch_param_count(nn.Sequential(*(torch_conv(l, bias=torch_bias) for l in torch_layers)))
    assert ours == theirs, f"conv2d_param_count({stack}, bias={bias_mode!r}): ours {ours}, torch {theirs}"


@pytest.mark.parametrize("config", POOL_CONFIGS[:40], ids=_pool_id)
def test_pool2d_param_count_matches_torch(config):
    assert as_int(pool2d_param_count(config["layer"])) == torch_param_count(torch_max_pool(config["layer"])) == 0


# --------------------------------------------------------------------------- 4. cross-correlation and convolution


def _matrix_configs(count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    configs = []
    for case in range(count):
        rows, cols = rng.randint(1, 8), rng.randint(1, 8)
        k_rows, k_cols = rng.randint(1, 5), rng.randint(1, 5)
        pad = rng.choice([0, 1, 2, 3, 0, 1, 2, 3, "valid", "full", "same"])
        if pad == "same" and (k_rows % 2 == 0 or k_cols % 2 == 0):
            k_rows, k_cols = k_rows | 1, k_cols | 1  # our "same" needs an odd kernel
        configs.append(
            {
                "case": case,
                "input": [[rng.randint(-9, 9) for _ in range(cols)] for _ in range(rows)],
                "kernel": [[rng.randint(-9, 9) for _ in range(k_cols)] for _ in range(k_rows)],
                "pad": pad,
                "stride": rng.randint(1, 3),
            }
        )
    return configs


def _matrix_id(config: dict) -> str:
    rows, cols = len(config["input"]), len(config["input"][0])
    k_rows, k_cols = len(config["kernel"]), len(config["kernel"][0])
    return f"#{config['case']}-A{rows}x{cols}-K{k_rows}x{k_cols}-p{config['pad']}-s{config['stride']}"


def torch_padding(pad, k_rows: int, k_cols: int) -> tuple[int, int]:
    """(rows, cols) zero padding per side, worked out here rather than taken from the solver."""
    if pad == "valid":
        return (0, 0)
    if pad == "full":
        return (k_rows - 1, k_cols - 1)
    if pad == "same":
        return ((k_rows - 1) // 2, (k_cols - 1) // 2)
    return (pad, pad)


def torch_correlate(input, kernel, padding, stride: int) -> list[list[int]]:
    """F.conv2d in float64 on int64 data: exact for these small integers."""
    a = torch.tensor(input, dtype=torch.int64).to(torch.float64)[None, None]
    k = torch.tensor(kernel, dtype=torch.int64).to(torch.float64)[None, None]
    out = F.conv2d(a, k, padding=padding, stride=stride)[0, 0]
    rounded = out.round()
    assert torch.equal(out, rounded), "float64 result is not integral"
    return rounded.to(torch.int64).tolist()


def torch_convolve(input, kernel, padding, stride: int) -> list[list[int]]:
    flipped = torch.flip(torch.tensor(kernel, dtype=torch.int64), dims=[-2, -1]).tolist()
    return torch_correlate(input, flipped, padding, stride)


def assert_int_matrix(matrix) -> None:
    assert isinstance(matrix, list) and all(isinstance(row, list) for row in matrix)
    assert all(type(v) is int for row in matrix for v in row), f"not plain ints: {matrix!r}"


MATRIX_CONFIGS = _matrix_configs(300, seed=4242)


def test_matrix_configs_cover_every_pad_mode():
    pads = [c["pad"] for c in MATRIX_CONFIGS]
    for mode in ("valid", "full", "same", 0, 1, 2, 3):
        assert pads.count(mode) >= 10, mode
    assert sum(len(c["input"]) != len(c["input"][0]) for c in MATRIX_CONFIGS) > 150
    assert sum(len(c["kernel"]) != len(c["kernel"][0]) for c in MATRIX_CONFIGS) > 100


@pytest.mark.parametrize("config", MATRIX_CONFIGS, ids=_matrix_id)
def test_cross_correlation_and_convolution_match_torch(config):
    a, k, pad, stride = config["input"], config["kernel"], config["pad"], config["stride"]
    padding = torch_padding(pad, len(k), len(k[0]))
    fits = all(size + 2 * p >= ks for size, p, ks in zip((len(a), len(a[0])), padding, (len(k), len(k[0]))))
    if not fits:  # the kernel is larger than the padded input: both sides must refuse
        with pytest.raises(ValueError):
            cross_correlation(a, k, pad, stride)
        with pytest.raises(ValueError):
            convolution(a, k, pad, stride)
        with pytest.raises(RuntimeError):
            torch_correlate(a, k, padding, stride)
        return

    ours = cross_correlation(a, k, pad, stride)
    assert_int_matrix(ours)
    theirs = torch_correlate(a, k, padding, stride)
    assert ours == theirs, f"cross_correlation(A={a}, K={k}, pad={pad!r}, stride={stride}): ours {ours}, torch {theirs}"

    ours_conv = convolution(a, k, pad, stride)
    assert_int_matrix(ours_conv)
    theirs_conv = torch_convolve(a, k, padding, stride)
    assert ours_conv == theirs_conv, (
        f"convolution(A={a}, K={k}, pad={pad!r}, stride={stride}): ours {ours_conv}, torch (flipped kernel) {theirs_conv}"
    )

    if pad == "same" and stride == 1:  # PyTorch's own "same", independent of the padding worked out above
        assert ours == torch_correlate(a, k, "same", 1)


HOMEWORK_A = [[2, 4, -3], [3, -2, 2], [-3, 1, 4]]
HOMEWORK_B = [[3, 1, -2], [-2, 2, 4], [1, 3, -3]]
HOMEWORK_CROSS_CORRELATION = [[35, -17, -10], [-20, 2, 30], [5, 27, 2]]
HOMEWORK_CONVOLUTION = [[-7, 20, 16], [20, 26, -23], [-1, -31, 24]]


@pytest.mark.parametrize("pad", [1, "same"])
def test_homework_matrices(pad):
    assert cross_correlation(HOMEWORK_A, HOMEWORK_B, pad, 1) == HOMEWORK_CROSS_CORRELATION
    assert convolution(HOMEWORK_A, HOMEWORK_B, pad, 1) == HOMEWORK_CONVOLUTION
    assert torch_correlate(HOMEWORK_A, HOMEWORK_B, (1, 1), 1) == HOMEWORK_CROSS_CORRELATION
    assert torch_convolve(HOMEWORK_A, HOMEWORK_B, (1, 1), 1) == HOMEWORK_CONVOLUTION


# --------------------------------------------------------------------------- 5. what nn.Conv2d computes


def _operation_configs(count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    configs = []
    for case in range(count):
        k_rows, k_cols = rng.randint(2, 4), rng.randint(2, 4)
        while True:
            kernel = [[rng.randint(-9, 9) for _ in range(k_cols)] for _ in range(k_rows)]
            if kernel != [row[::-1] for row in kernel[::-1]]:  # not 180°-symmetric
                break
        rows, cols = rng.randint(k_rows, 8), rng.randint(k_cols, 8)
        configs.append(
            {
                "case": case,
                "input": [[rng.randint(-9, 9) for _ in range(cols)] for _ in range(rows)],
                "kernel": kernel,
                "pad": rng.randint(0, 2),
                "stride": rng.randint(1, 2),
            }
        )
    return configs


@pytest.mark.parametrize("config", _operation_configs(20, seed=5), ids=_matrix_id)
def test_pytorch_conv2d_operation_is_what_nn_conv2d_computes(config):
    assert pytorch_conv2d_operation() == "cross_correlation"
    a, k, pad, stride = config["input"], config["kernel"], config["pad"], config["stride"]
    layer = nn.Conv2d(1, 1, kernel_size=(len(k), len(k[0])), padding=pad, stride=stride, bias=False, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(k, dtype=torch.float64)[None, None])
        out = layer(torch.tensor(a, dtype=torch.float64)[None, None])[0, 0]
    theirs = out.round().to(torch.int64).tolist()

    named = SOLVERS[pytorch_conv2d_operation()].function(a, k, pad, stride)
    assert named == theirs == cross_correlation(a, k, pad, stride)
    assert convolution(a, k, pad, stride) != theirs, "the kernel/input happen not to tell the two operations apart"


def test_pytorch_conv2d_operation_tells_them_apart_on_the_homework():
    layer = nn.Conv2d(1, 1, 3, padding=1, bias=False, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(HOMEWORK_B, dtype=torch.float64)[None, None])
        out = layer(torch.tensor(HOMEWORK_A, dtype=torch.float64)[None, None])[0, 0]
    theirs = out.round().to(torch.int64).tolist()
    assert SOLVERS[pytorch_conv2d_operation()].function(HOMEWORK_A, HOMEWORK_B, 1, 1) == theirs
    assert theirs == HOMEWORK_CROSS_CORRELATION != HOMEWORK_CONVOLUTION


# --------------------------------------------------------------------------- 6. the homework's chain


def test_homework_chain():
    conv1 = {"in_channels": 4, "out_channels": 8, "kernel": 3, "stride": 1, "pad": 1}
    conv2 = {"in_channels": 8, "out_channels": 16, "kernel": 5, "stride": 1, "pad": 1}
    pool = {"kernel": 2, "stride": 2}

    shape0 = (4, 64, 64)
    shape1 = ints(conv2d_output_shape(shape0, conv1))
    shape2 = ints(conv2d_output_shape(shape1, conv2))
    shape3 = ints(pool2d_output_shape(shape2, pool))
    assert (shape1, shape2, shape3) == ((8, 64, 64), (16, 62, 62), (16, 31, 31))
    params = as_int(conv2d_param_count([conv1, conv2])) + as_int(pool2d_param_count(pool))
    assert params == 3512

    model = nn.Sequential(
        nn.Conv2d(4, 8, 3, stride=1, padding=1),
        nn.Conv2d(8, 16, 5, stride=1, padding=1),
        nn.MaxPool2d(2, 2),
    )
    x = torch_input(shape0)
    torch_shapes = []
    with torch.no_grad():
        for module in model:
            x = module(x)
            torch_shapes.append(ours_from_torch(x.shape))
    assert torch_shapes == [shape1, shape2, shape3]
    assert torch_param_count(model) == 3512
