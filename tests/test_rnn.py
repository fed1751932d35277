"""The RNN homework's solvers against PyTorch (the test oracle), their symbolic forms and input checks,
and its text against its rubric. Its samples are graded by tests/test_course_samples.py."""

from __future__ import annotations

import random

import pytest
import sympy

from autograder.grading.rubric import load_rubric
from support.paths import REPO
from reference.rnn import (
    batchnorm_param_count, recurrent_output_shape, recurrent_param_count, rnn_step, stacked_param_count,
)

RUBRIC = REPO / "rubric" / "rnn.yaml"
CELLS = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}


@pytest.fixture(scope="module")
def torch():
    module = pytest.importorskip("torch", reason="PyTorch (the test oracle) is installed for Python 3.11 only")
    module.set_num_threads(1)
    return module


def _layers(count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    return [{"case": case, "cell": rng.choice(sorted(CELLS)), "input_size": rng.randint(1, 40),
             "hidden_size": rng.randint(1, 40), "num_layers": rng.randint(1, 3), "length": rng.randint(1, 6),
             "batch": rng.randint(1, 5)} for case in range(count)]


LAYERS = _layers(40, seed=2025)


def _id(config: dict) -> str:
    return (f"#{config['case']}-{config['cell']}-{config['input_size']}to{config['hidden_size']}"
            f"x{config['num_layers']}-L{config['length']}N{config['batch']}")


def count(module) -> int:
    return sum(parameter.numel() for parameter in module.parameters())


def layer_of(config: dict) -> dict:
    return {"input_size": config["input_size"], "hidden_size": config["hidden_size"]}


@pytest.mark.parametrize("config", LAYERS, ids=_id)
def test_parameter_counts_match_torch(config, torch):
    build = getattr(torch.nn, CELLS[config["cell"]])
    sizes = (config["input_size"], config["hidden_size"])
    layer = layer_of(config)
    assert recurrent_param_count(config["cell"], layer) == count(build(*sizes))
    assert recurrent_param_count(config["cell"], layer, bias="none") == count(build(*sizes, bias=False))
    one_layer = build(*sizes)
    without_recurrent = count(one_layer) - sum(p.numel() for name, p in one_layer.named_parameters() if "weight_hh" in name)
    assert recurrent_param_count(config["cell"], layer, recurrent=False) == without_recurrent
    first = recurrent_param_count(config["cell"], layer)
    stacked = build(*sizes, num_layers=config["num_layers"])
    assert stacked_param_count(first, config["cell"], layer, config["num_layers"]) == count(stacked)


@pytest.mark.parametrize("config", LAYERS, ids=_id)
def test_output_shapes_match_torch(config, torch):
    module = getattr(torch.nn, CELLS[config["cell"]])(config["input_size"], config["hidden_size"],
                                                      num_layers=config["num_layers"])
    shape = [config["length"], config["batch"], config["input_size"]]
    output, state = module(torch.zeros(*shape))
    h_n = state[0] if config["cell"] == "lstm" else state
    layer = layer_of(config)
    assert recurrent_output_shape(shape, layer) == tuple(output.shape)
    assert recurrent_output_shape(shape, layer, "h_n", config["num_layers"]) == tuple(h_n.shape)
    assert recurrent_output_shape(shape, layer, "last_step") == tuple(output[-1].shape)


@pytest.mark.parametrize("channels", [random.Random(7).randint(1, 64) for _ in range(10)])
def test_batchnorm_param_count_matches_torch(channels, torch):
    layer = torch.nn.BatchNorm1d(channels)
    assert batchnorm_param_count(channels) == count(layer)
    buffers = layer.running_mean.numel() + layer.running_var.numel()
    assert batchnorm_param_count(channels, "with_buffers") == count(layer) + buffers


def _steps(count_: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    configs = []
    for case in range(count_):
        inputs, hidden = rng.randint(1, 4), rng.randint(1, 4)
        vector = lambda size: [rng.randint(-3, 3) for _ in range(size)]  # noqa: E731
        configs.append({"case": case, "x": vector(inputs), "h": vector(hidden),
                        "W_ih": [vector(inputs) for _ in range(hidden)], "W_hh": [vector(hidden) for _ in range(hidden)],
                        "b_ih": vector(hidden), "b_hh": vector(hidden)})
    return configs


@pytest.mark.parametrize("config", _steps(30, seed=31), ids=lambda config: f"#{config['case']}")
def test_one_step_matches_torchs_relu_rnn(config, torch):
    hidden, inputs = len(config["h"]), len(config["x"])
    module = torch.nn.RNN(inputs, hidden, nonlinearity="relu")
    with torch.no_grad():
        for name in ("W_ih", "W_hh", "b_ih", "b_hh"):
            getattr(module, f"{name.lower().replace('w_', 'weight_').replace('b_', 'bias_')}_l0").copy_(
                torch.tensor(config[name], dtype=torch.float64))
        x = torch.tensor([[config["x"]]], dtype=torch.float32)
        h = torch.tensor([[config["h"]]], dtype=torch.float32)
        output, _ = module(x, h)
    step = {name: config[name] for name in ("x", "h", "W_ih", "W_hh", "b_ih", "b_hh")}
    assert rnn_step(**step) == [[round(value) for value in output[0, 0].tolist()]]
    # Without the ReLU (nonlinearity="none") it is the pre-activation, which torch's tanh RNN maps through tanh.
    tanh = torch.nn.RNN(inputs, hidden)
    tanh.load_state_dict(module.state_dict())
    with torch.no_grad():
        pre = torch.atanh(tanh(x, h)[0][0, 0].clamp(-0.999999, 0.999999))
    for got, want in zip(rnn_step(**step, nonlinearity="none")[0], pre.tolist()):
        assert abs(want) > 6 or abs(got - want) < 1e-3


def test_the_step_slips_are_what_their_names_say():
    step = {"x": [1, 2], "h": [3, 4], "W_ih": [[1, 0], [0, 1]], "W_hh": [[0, 1], [1, 0]], "b_ih": [10, 20],
            "b_hh": [100, 200]}
    assert rnn_step(**step) == [[1 + 4 + 110, 2 + 3 + 220]]
    assert rnn_step(**step, bias="one") == [[1 + 4 + 10, 2 + 3 + 20]]
    assert rnn_step(**step, bias="none") == [[1 + 4, 2 + 3]]
    assert rnn_step(**step, recurrent=False) == [[1 + 110, 2 + 220]]
    assert rnn_step(**{**step, "W_ih": [[1, 2], [0, 1]]}, transpose_weights=True) == [[1 + 4 + 110, 2 + 2 + 3 + 220]]
    assert rnn_step(**{**step, "b_ih": [-500, 0]}) == [[0, 2 + 3 + 200]]
    assert rnn_step(**{**step, "b_ih": [-500, 0]}, nonlinearity="none") == [[1 + 4 - 400, 2 + 3 + 200]]


def test_counts_carry_errors_forward():
    first = sympy.Symbol("q1.lstm", integer=True)
    layer = {"input_size": 10, "hidden_size": 20}
    assert stacked_param_count(first, "lstm", layer) == first + 3360
    assert stacked_param_count(first, "lstm", layer, upper_input="input_size") == first + 2560
    channels = sympy.Symbol("q2.channels", integer=True)
    assert batchnorm_param_count(channels) == 2 * channels


@pytest.mark.parametrize("call, message", [
    (lambda: recurrent_param_count("transformer", {"input_size": 1, "hidden_size": 1}), "cell must be one of"),
    (lambda: recurrent_param_count("rnn", {"input_size": 0, "hidden_size": 1}), "input_size must be a whole number"),
    (lambda: recurrent_param_count("rnn", {"input": 1, "hidden_size": 1}), "a recurrent layer is"),
    (lambda: recurrent_param_count("rnn", {"input_size": 1, "hidden_size": 1}, bias="three"), "bias must be one of"),
    (lambda: stacked_param_count(-1, "rnn", {"input_size": 1, "hidden_size": 1}), "first_layer must be a whole"),
    (lambda: recurrent_output_shape([5, 3, 9], {"input_size": 10, "hidden_size": 2}), "the input has 9 features"),
    (lambda: recurrent_output_shape([5, 3], {"input_size": 10, "hidden_size": 2}), "input_shape must be L x N x I"),
    (lambda: batchnorm_param_count(2.5), "channels must be a whole number"),
    (lambda: batchnorm_param_count(True), "channels must be a whole number"),
    (lambda: rnn_step([1], [1, 2], [[1]], [[1, 0], [0, 1]], [0, 0], [0, 0]), "sizes do not fit"),
    (lambda: rnn_step([1], [1], [[1]], [[1]], [0], [0], nonlinearity="tanh"), "nonlinearity must be one of"),
])
def test_impossible_input_is_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_the_homework_text_states_the_rubric_parameters():
    text = (REPO / "rubric" / "rnn.md").read_text(encoding="utf-8")
    params = load_rubric(RUBRIC).parameters
    layer = params["layer"]
    for call in ("nn.RNN", "nn.LSTM", "nn.GRU"):
        assert f"`{call}({layer['input_size']}, {layer['hidden_size']}" in text
    assert f"nn.BatchNorm1d({layer['hidden_size']})" in text
    assert " x ".join(map(str, params["input_shape"])) in text
    for name in ("W_ih", "W_hh", "b_ih", "b_hh"):
        assert f"{name} = {params['step'][name]}" in text
    assert f"h = {params['step']['h']}" in text and f"x = {params['step']['x']}" in text
