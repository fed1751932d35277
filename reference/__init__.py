"""Reference solvers: every expected answer and every mistake's answer is a call of one of these.

`SOLVERS` is the one table the rubric's `solver:` names are looked up in.
`symbolic` solvers accept sympy symbols for their inputs, which is what lets
a part carry errors forward from the student's own earlier answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from reference import conv, linear, rnn, shapes


@dataclass(frozen=True)
class Solver:
    """A registered solver: the function, and whether it accepts sympy symbols (needed for ECF)."""

    function: Callable
    symbolic: bool


SOLVERS: dict[str, Solver] = {
    "cross_correlation": Solver(conv.cross_correlation, symbolic=False),
    "convolution": Solver(conv.convolution, symbolic=False),
    "conv2d_output_shape": Solver(shapes.conv2d_output_shape, symbolic=True),
    "pool2d_output_shape": Solver(shapes.pool2d_output_shape, symbolic=True),
    "conv2d_param_count": Solver(shapes.conv2d_param_count, symbolic=True),
    "pool2d_param_count": Solver(shapes.pool2d_param_count, symbolic=True),
    "pytorch_conv2d_operation": Solver(shapes.pytorch_conv2d_operation, symbolic=False),
    "flattened_size": Solver(linear.flattened_size, symbolic=True),
    "linear_weight_shape": Solver(linear.linear_weight_shape, symbolic=True),
    "linear_param_count": Solver(linear.linear_param_count, symbolic=True),
    "mlp_output_shape": Solver(linear.mlp_output_shape, symbolic=True),
    "matrix_product": Solver(linear.matrix_product, symbolic=False),
    "linear_forward": Solver(linear.linear_forward, symbolic=False),
    "recurrent_param_count": Solver(rnn.recurrent_param_count, symbolic=True),
    "stacked_param_count": Solver(rnn.stacked_param_count, symbolic=True),
    "recurrent_output_shape": Solver(rnn.recurrent_output_shape, symbolic=True),
    "batchnorm_param_count": Solver(rnn.batchnorm_param_count, symbolic=True),
    "rnn_step": Solver(rnn.rnn_step, symbolic=False),
}
