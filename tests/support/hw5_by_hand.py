"""HW5's answers worked out from a variant's parameters, independently of the reference solvers.

The formulas of the homework written out again (output size (W + 2P - F)/S + 1,
weights out x in x F x F plus a bias per filter, pooling without parameters)
and cross-correlation as the sum over the window, loop by loop, in numpy;
convolution as cross-correlation with B rotated by 180°. Used to fill the
answers of any student's variant as `handout --json` prints it.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

TEXT_ANSWERS = {
    "q2b": {"condition": "When B is equal to itself rotated by 180 degrees (centrosymmetric)."},
    "q3": {"answer": "cross-correlation",
           "reason": "The kernel weights are learned, so a flipped kernel is learned just as well; and "
                     "cross-correlation is cheaper because it skips the flip."},
}


def out_size(size: int, kernel: int, stride: int, pad: int) -> int:
    return (size + 2 * pad - kernel) // stride + 1


def layer_output(shape: tuple[int, int, int], layer: Mapping[str, int]) -> tuple[int, int, int]:
    _, width, height = shape
    return (layer["out_channels"], out_size(width, layer["kernel"], layer["stride"], layer["pad"]),
            out_size(height, layer["kernel"], layer["stride"], layer["pad"]))


def correlate(a: Any, b: Any, pad: int, stride: int) -> list[list[int]]:
    image = np.pad(np.array(a, dtype=np.int64), pad)
    kernel = np.array(b, dtype=np.int64)
    rows = (image.shape[0] - kernel.shape[0]) // stride + 1
    columns = (image.shape[1] - kernel.shape[1]) // stride + 1
    out = np.zeros((rows, columns), dtype=np.int64)
    for i in range(rows):
        for j in range(columns):
            window = image[i * stride:i * stride + kernel.shape[0], j * stride:j * stride + kernel.shape[1]]
            out[i, j] = int((window * kernel).sum())
    return out.tolist()


def shape_text(shape: tuple[int, ...]) -> str:
    return " x ".join(str(n) for n in shape)


def answers(parameters: Mapping[str, Any]) -> dict:
    """Every part's right answer for these parameters, as an answers.yaml mapping."""
    layer1 = layer_output(tuple(parameters["input_shape"]), parameters["conv1"])
    layer2 = layer_output(layer1, parameters["conv2"])
    pool = parameters["pool"]
    pooled = (layer2[0], out_size(layer2[1], pool["kernel"], pool["stride"], 0),
              out_size(layer2[2], pool["kernel"], pool["stride"], 0))
    params = sum(layer["out_channels"] * layer["in_channels"] * layer["kernel"] ** 2 + layer["out_channels"]
                 for layer in (parameters["conv1"], parameters["conv2"]))
    a, b, p, s = parameters["A"], parameters["B"], parameters["P"], parameters["stride"]
    rotated = [row[::-1] for row in b[::-1]]
    return {
        "q1a": {"layer1_output": shape_text(layer1), "layer2_output": shape_text(layer2), "total_params": str(params)},
        "q1b": {"pool_output": shape_text(pooled), "pool_params": "0"},
        "q2a": {"cross_correlation": str(correlate(a, b, p, s)), "convolution": str(correlate(a, rotated, p, s))},
        **TEXT_ANSWERS,
    }
