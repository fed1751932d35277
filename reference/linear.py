"""Fully connected (nn.Linear) layers: sizes, parameter counts and the forward pass.

Conventions, as the homework states them and as PyTorch stores them: a layer
maps in_features to out_features with y = W x + b, W of shape
out_features x in_features and b of out_features numbers. A batch holds one
example per row (N x features), so the layer computes Y = X Wᵀ + b. An MLP
here is nn.Flatten() followed by linear layers given by their widths (each
one's out_features); activations such as ReLU change no shape and learn
nothing, so they are left out.

Sizes and counts are sympy expressions and accept integer sympy symbols, so
the key compiler can carry errors forward from a student's earlier answer
(e.g. their in_features). The forward pass is exact integer arithmetic.
Each "changed term" argument (bias, transposed, start_dim, ...) reproduces
a mistake students make.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sympy

from reference.conv import _as_int_matrix

BIAS_MODES = ("per_output", "per_input", "per_layer", "none")
ADD_BIAS_MODES = ("per_output", "per_example", "none")


def _size(name: str, value):
    """A whole number ≥ 1, or an integer sympy symbol standing for a student's answer."""
    if isinstance(value, sympy.Basic):
        if value.is_Integer and value >= 1:
            return value
        if not value.is_number and value.is_integer:
            return value
        raise ValueError(f"{name} must be a whole number ≥ 1, got {value!r}")
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a whole number ≥ 1, got {value!r}")
    return sympy.Integer(int(value))


def _sizes(name: str, values, least_length: int) -> list:
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or len(values) < least_length:
        raise ValueError(f"{name} must be a list of at least {least_length} whole number(s), got {values!r}")
    return [_size(f"{name}[{index}]", value) for index, value in enumerate(values)]


def _check_mode(name: str, value, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")


def flattened_size(shape, start_dim: int = 1):
    """Numbers per example after nn.Flatten(start_dim): the product of the dimensions from start_dim on.

    PyTorch's nn.Flatten keeps the batch (start_dim=1); start_dim=0, what
    torch.flatten does by default, folds the whole batch into one vector.
    """
    dims = _sizes("shape", shape, 1)
    if isinstance(start_dim, bool) or not isinstance(start_dim, int) or not 0 <= start_dim < len(dims):
        raise ValueError(f"start_dim must be a dimension of the {len(dims)}-D shape (0 to {len(dims) - 1}), got {start_dim!r}")
    return sympy.Mul(*dims[start_dim:])


def linear_weight_shape(in_features, out_features, transposed: bool = False) -> tuple:
    """The shape of nn.Linear(in_features, out_features).weight: out_features x in_features.

    transposed=True gives in_features x out_features, the layout of
    Y = X W (e.g. Keras's kernel), which PyTorch's W is not.
    """
    rows, cols = _size("out_features", out_features), _size("in_features", in_features)
    return (cols, rows) if transposed else (rows, cols)


def linear_param_count(in_features, widths, bias: str = "per_output"):
    """Learnable parameters of linear layers in_features -> widths[0] -> widths[1] -> ...

    Each layer has in x out weights and, with bias="per_output", one bias
    per output feature. The other modes are students' miscounts: a bias per
    input feature, one per layer, or none (what bias=False builds).
    """
    _check_mode("bias", bias, BIAS_MODES)
    sizes = [_size("in_features", in_features), *_sizes("widths", widths, 1)]
    total = sympy.Integer(0)
    for inputs, outputs in zip(sizes, sizes[1:]):
        total += inputs * outputs
        total += {"per_output": outputs, "per_input": inputs, "per_layer": 1, "none": 0}[bias]
    return total


def mlp_output_shape(input_shape, widths, batch_first: bool = True) -> tuple:
    """The output shape of nn.Flatten() then linear layers of these widths, on a batch of input_shape.

    input_shape is (N, feature dimensions...): nn.Flatten() makes it
    N x (their product), and each linear layer replaces the last dimension
    by its width. batch_first=False gives out x N, the shape of the
    examples' outputs written as columns (W x + b per column).
    """
    batch = _sizes("input_shape", input_shape, 2)[0]  # every dimension is checked, only N is kept
    outputs = _sizes("widths", widths, 1)[-1]
    return (batch, outputs) if batch_first else (outputs, batch)


def matrix_product(A, B, transpose_a: bool = False, transpose_b: bool = False) -> list[list[int]]:
    """The exact integer product op(A) op(B), op transposing where asked."""
    left, right = _as_int_matrix("A", A).astype(object), _as_int_matrix("B", B).astype(object)
    left, right = (left.T if transpose_a else left), (right.T if transpose_b else right)
    if left.shape[1] != right.shape[0]:
        raise ValueError(
            f"cannot multiply a {left.shape[0]}x{left.shape[1]} matrix by a {right.shape[0]}x{right.shape[1]} one"
            + (" (after the requested transposes)" if transpose_a or transpose_b else "")
        )
    return [[int(value) for value in row] for row in left.dot(right)]


def linear_forward(X, W, b, transpose_weight: bool = True, add_bias: str = "per_output") -> list[list[int]]:
    """A linear layer on a batch, one example per row: Y = X Wᵀ + b, b added to every row.

    transpose_weight=False computes X W (W used as stored, untransposed);
    add_bias="per_example" adds b[i] to row i, as a column vector b would
    be added (this needs as many examples as outputs); "none" leaves b out.
    """
    _check_mode("add_bias", add_bias, ADD_BIAS_MODES)
    product = np.array(matrix_product(X, W, transpose_b=transpose_weight), dtype=object)
    vector = _int_vector("b", b)
    examples, outputs = product.shape
    if add_bias == "per_output":
        if len(vector) != outputs:
            raise ValueError(f"b has {len(vector)} entries but the layer has {outputs} outputs")
        product = product + vector[None, :]
    elif add_bias == "per_example":
        if len(vector) != examples:
            raise ValueError(f"b has {len(vector)} entries, so it cannot be added per example to {examples} examples")
        product = product + vector[:, None]
    return [[int(value) for value in row] for row in product]


def _int_vector(name: str, values) -> np.ndarray:
    if (isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not values
            or any(isinstance(value, (list, tuple)) for value in values)):
        raise ValueError(f"{name} must be a non-empty flat list of integers, got {values!r}")
    return _as_int_matrix(name, [values]).astype(object)[0]
