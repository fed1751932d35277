"""Recurrent layers (nn.RNN, nn.LSTM, nn.GRU) and BatchNorm: parameter counts, output shapes, one RNN step.

Conventions, as PyTorch defines them: a recurrent layer with input_size I
and hidden_size H has, per gate, an input weight (H x I), a recurrent weight
(H x H) and two bias vectors b_ih and b_hh (H each); an RNN has one gate, a
GRU three, an LSTM four. With batch_first=False (the default) the input is
L x N x I (sequence length, batch, features) and the output L x N x H.

Counts and shapes are sympy expressions that accept integer sympy symbols
(a student's earlier answer), so errors carry forward. The RNN step is exact
integer arithmetic with the ReLU non-linearity (nn.RNN(nonlinearity="relu")),
so it can be done by hand. Each "mode" argument reproduces a students' slip.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sympy

from reference.conv import _as_int_matrix

CELLS = ("rnn", "lstm", "gru")
GATES = {"rnn": 1, "lstm": 4, "gru": 3}
BIAS_MODES = ("two", "one", "none")              # b_ih and b_hh, b_ih only, no bias
UPPER_INPUTS = ("hidden_size", "input_size")     # what a stacked layer above the first takes in
OUTPUTS = ("output", "h_n", "last_step")         # what a recurrent layer's shape question may be answered with
NONLINEARITY_MODES = ("relu", "none")
STATS_MODES = ("learnable", "with_buffers")


def _size(name: str, value, least: int = 1):
    """A whole number >= least, or an integer sympy symbol standing for a student's earlier answer."""
    if isinstance(value, sympy.Basic) and not value.is_number and value.is_integer:
        return value
    if isinstance(value, sympy.Integer):
        value = int(value)  # what another solver returned
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ValueError(f"{name} must be a whole number >= {least}, got {value!r}")
    return sympy.Integer(value)


def _mode(name: str, value, allowed: Sequence[str]) -> None:
    if value not in allowed:
        raise ValueError(f"{name} must be one of {tuple(allowed)}, got {value!r}")


def _layer(layer) -> tuple:
    if not isinstance(layer, Mapping) or set(layer) != {"input_size", "hidden_size"}:
        raise ValueError(f"a recurrent layer is {{input_size: ..., hidden_size: ...}}, got {layer!r}")
    return _size("input_size", layer["input_size"]), _size("hidden_size", layer["hidden_size"])


def recurrent_param_count(cell: str, layer: Mapping, bias: str = "two", recurrent: bool = True):
    """Learnable parameters of one nn.RNN / nn.LSTM / nn.GRU layer: per gate H x I + H x H weights and 2H biases.

    bias="one" counts a single bias vector, "none" none; recurrent=False leaves
    out the recurrent weights W_hh; a wrong `cell` uses another cell's gates."""
    _mode("cell", cell, CELLS)
    _mode("bias", bias, BIAS_MODES)
    inputs, hidden = _layer(layer)
    per_gate = hidden * inputs + (hidden * hidden if recurrent else 0)
    per_gate += {"two": 2 * hidden, "one": hidden, "none": 0}[bias]
    return GATES[cell] * per_gate


def stacked_param_count(first_layer, cell: str, layer: Mapping, num_layers: int = 2, bias: str = "two",
                        upper_input: str = "hidden_size"):
    """The parameters of a stack of num_layers recurrent layers, given the first layer's count (an earlier answer).

    Each layer above the first takes the hidden state in: input_size = hidden_size.
    upper_input="input_size" sizes them like the first layer (a common slip)."""
    _mode("upper_input", upper_input, UPPER_INPUTS)
    inputs, hidden = _layer(layer)
    upper = {"input_size": inputs, "hidden_size": hidden}[upper_input]
    count = _size("num_layers", num_layers) - 1
    return _size("first_layer", first_layer, 0) + count * recurrent_param_count(
        cell, {"input_size": upper, "hidden_size": hidden}, bias)


def recurrent_output_shape(input_shape, layer: Mapping, output: str = "output", num_layers: int = 1) -> tuple:
    """The shape of a recurrent layer's result on an L x N x I input (batch_first=False).

    output="output" is the per-step output, L x N x H; "h_n" the last hidden
    state of every layer, num_layers x N x H; "last_step" one step's output, N x H."""
    _mode("output", output, OUTPUTS)
    inputs, hidden = _layer(layer)
    if not isinstance(input_shape, Sequence) or len(input_shape) != 3:
        raise ValueError(f"input_shape must be L x N x I, got {input_shape!r}")
    length, batch, features = (_size(name, value) for name, value in zip(("L", "N", "I"), input_shape))
    if features != inputs:
        raise ValueError(f"the input has {features} features but the layer's input_size is {inputs}")
    return {"output": (length, batch, hidden), "h_n": (_size("num_layers", num_layers), batch, hidden),
            "last_step": (batch, hidden)}[output]


def batchnorm_param_count(channels, stats: str = "learnable"):
    """Learnable parameters of nn.BatchNorm1d/2d(channels): a weight and a bias per channel.

    stats="with_buffers" also counts running_mean and running_var, which are
    buffers, not parameters (a common miscount)."""
    _mode("stats", stats, STATS_MODES)
    return _size("channels", channels) * {"learnable": 2, "with_buffers": 4}[stats]


def rnn_step(x, h, W_ih, W_hh, b_ih, b_hh, nonlinearity: str = "relu", bias: str = "two", recurrent: bool = True,
             transpose_weights: bool = False) -> list[list[int]]:
    """One step of nn.RNN(nonlinearity="relu"): h' = relu(W_ih x + b_ih + W_hh h + b_hh), as a row [[...]].

    The other arguments are students' slips: no non-linearity, one bias or
    none, no recurrent term, the weights used transposed."""
    _mode("nonlinearity", nonlinearity, NONLINEARITY_MODES)
    _mode("bias", bias, BIAS_MODES)
    weights_ih, weights_hh = _as_int_matrix("W_ih", W_ih), _as_int_matrix("W_hh", W_hh)
    if transpose_weights:
        weights_ih, weights_hh = weights_ih.T, weights_hh.T
    x_, h_, b_ih_, b_hh_ = (_as_int_matrix(name, [value])[0] for name, value in
                            (("x", x), ("h", h), ("b_ih", b_ih), ("b_hh", b_hh)))
    hidden = weights_hh.shape[0]
    if weights_ih.shape != (hidden, len(x_)) or weights_hh.shape != (hidden, len(h_)) or len(b_ih_) != hidden \
            or len(b_hh_) != hidden:
        raise ValueError(f"sizes do not fit: W_ih {weights_ih.shape}, x {len(x_)}, W_hh {weights_hh.shape}, "
                         f"h {len(h_)}, b_ih {len(b_ih_)}, b_hh {len(b_hh_)}")
    total = weights_ih.dot(x_) + {"two": b_ih_ + b_hh_, "one": b_ih_, "none": 0 * b_ih_}[bias]
    if recurrent:
        total = total + weights_hh.dot(h_)
    return [[int(max(value, 0)) if nonlinearity == "relu" else int(value) for value in total]]
