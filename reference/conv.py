"""Exact 2-D cross-correlation and convolution on integer matrices.

Integer dtype all the way: a rubric's expected matrices must be exact, and
float rounding would make "-17" and "-16.999999" different answers.
"""

from __future__ import annotations

import numpy as np

PAD_MODES = ("valid", "same", "full")
KERNEL_FLIPS = ("none", "both", "rows", "cols", "transpose")


def _as_int_matrix(name: str, values) -> np.ndarray:
    array = np.array(values, dtype=object)
    if array.ndim != 2 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty 2-D matrix, got shape {array.shape}")
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in array.flat):
        raise ValueError(f"{name} must hold integers only")
    return array.astype(np.int64)


def _padding(pad, kernel_shape: tuple[int, int]) -> tuple[int, int]:
    """Zero padding per side (rows, cols) for an int or a named mode."""
    if isinstance(pad, str):
        if pad not in PAD_MODES:
            raise ValueError(f"pad must be an integer or one of {PAD_MODES}, got {pad!r}")
        if pad == "valid":
            return 0, 0
        if pad == "full":
            return kernel_shape[0] - 1, kernel_shape[1] - 1
        if any(k % 2 == 0 for k in kernel_shape):
            raise ValueError("pad='same' needs an odd kernel size")
        return kernel_shape[0] // 2, kernel_shape[1] // 2
    if isinstance(pad, bool) or not isinstance(pad, int) or pad < 0:
        raise ValueError(f"pad must be a non-negative integer, got {pad!r}")
    return pad, pad


def _flip(kernel: np.ndarray, how: str) -> np.ndarray:
    if how == "none":
        return kernel
    if how == "both":
        return kernel[::-1, ::-1]
    if how == "rows":
        return kernel[::-1, :]
    if how == "cols":
        return kernel[:, ::-1]
    if how == "transpose":
        return kernel.T
    raise ValueError(f"kernel_flip must be one of {KERNEL_FLIPS}, got {how!r}")


def cross_correlation(input, kernel, pad=0, stride: int = 1, kernel_flip: str = "none") -> list[list[int]]:
    """out[i, j] = sum over (u, v) of padded_input[i*s + u, j*s + v] * kernel[u, v].

    `kernel_flip` reorders the kernel first; "both" (a 180° rotation) turns
    this into convolution, the other values reproduce students' half-flips.
    """
    image = _as_int_matrix("input", input)
    weights = _flip(_as_int_matrix("kernel", kernel), kernel_flip)
    if isinstance(stride, bool) or not isinstance(stride, int) or stride < 1:
        raise ValueError(f"stride must be a positive integer, got {stride!r}")
    pad_rows, pad_cols = _padding(pad, weights.shape)
    padded = np.pad(image, ((pad_rows, pad_rows), (pad_cols, pad_cols)))
    k_rows, k_cols = weights.shape
    out_rows = (padded.shape[0] - k_rows) // stride + 1
    out_cols = (padded.shape[1] - k_cols) // stride + 1
    if out_rows < 1 or out_cols < 1:
        raise ValueError("the kernel is larger than the padded input")
    windows = np.lib.stride_tricks.sliding_window_view(padded, weights.shape)[::stride, ::stride]
    out = np.einsum("ijuv,uv->ij", windows[:out_rows, :out_cols], weights)
    return out.astype(int).tolist()


def convolution(input, kernel, pad=0, stride: int = 1) -> list[list[int]]:
    """True convolution: cross-correlation with the kernel rotated by 180°."""
    return cross_correlation(input, kernel, pad=pad, stride=stride, kernel_flip="both")
