"""The MLP homework: its solvers against PyTorch, their input checks, and every sample graded end to end.

PyTorch is the oracle only and exists for Python 3.11 here: the tests that
need it take the `torch` fixture and are skipped without it; the rest (input
checks, error carried forward, the samples) run everywhere.

Every random configuration comes from a seeded `random.Random`, and each is
its own parametrized case whose id spells it out.
"""

from __future__ import annotations

import json
import random
import subprocess

import pytest
import sympy

from autograder.grading.results_json import WrittenResult
from autograder.authoring.check import grade_example
from autograder.authoring.compile import compile_key
from autograder.grading.rubric import load_rubric
from autograder.authoring.samples import compare, grade_sample, sample_folders
from support.paths import REPO, SAMPLES, autograder_root, checkout_env
from reference import SOLVERS
from reference.linear import (
    flattened_size,
    linear_forward,
    linear_param_count,
    linear_weight_shape,
    matrix_product,
    mlp_output_shape,
)

RUBRIC = REPO / "rubric" / "mlp.yaml"
MLP_SAMPLES = sample_folders(SAMPLES / "mlp")


@pytest.fixture(scope="module")
def torch():
    module = pytest.importorskip("torch", reason="PyTorch (the test oracle) is installed for Python 3.11 only")
    module.set_num_threads(1)
    return module


@pytest.fixture(scope="module")
def key():
    return compile_key(load_rubric(RUBRIC))


def as_int(value) -> int:
    """An exact integer out of a solver: int() alone would truncate a stray Rational."""
    value = sympy.sympify(value)
    assert value.is_Integer, f"expected an exact integer, got {value!r}"
    return int(value)


def ints(shape) -> tuple[int, ...]:
    return tuple(as_int(v) for v in shape)


def show(values) -> str:
    return "x".join(str(v) for v in values)


# --------------------------------------------------------------------------- random configurations


def _shape_configs(count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    configs = []
    for case in range(count):
        shape = [rng.randint(1, 6) for _ in range(rng.randint(2, 5))]
        widths = [rng.randint(1, 40) for _ in range(rng.randint(1, 4))]
        configs.append({"case": case, "shape": shape, "start_dim": rng.randrange(len(shape)), "widths": widths})
    return configs


def _shape_id(config: dict) -> str:
    return f"#{config['case']}-in{show(config['shape'])}-s{config['start_dim']}-w{show(config['widths'])}"


def _matrix_configs(count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    configs = []
    for case in range(count):
        examples, inputs, outputs = rng.randint(1, 5), rng.randint(1, 5), rng.randint(1, 5)
        matrix = lambda rows, cols: [[rng.randint(-9, 9) for _ in range(cols)] for _ in range(rows)]  # noqa: E731
        configs.append({"case": case, "X": matrix(examples, inputs), "W": matrix(outputs, inputs),
                        "b": [rng.randint(-9, 9) for _ in range(outputs)], "V": matrix(outputs, examples)})
    return configs


def _matrix_id(config: dict) -> str:
    return f"#{config['case']}-X{len(config['X'])}x{len(config['X'][0])}-W{len(config['W'])}x{len(config['W'][0])}"


SHAPE_CONFIGS = _shape_configs(60, seed=6006)
MATRIX_CONFIGS = _matrix_configs(60, seed=1729)


# --------------------------------------------------------------------------- solvers against PyTorch


@pytest.mark.parametrize("config", SHAPE_CONFIGS, ids=_shape_id)
def test_flattened_size_matches_torch_flatten(config, torch):
    x = torch.zeros(*config["shape"])
    start_dim = config["start_dim"]
    assert as_int(flattened_size(config["shape"], start_dim)) == torch.flatten(x, start_dim).shape[-1]
    if start_dim == 1:
        assert as_int(flattened_size(config["shape"])) == torch.nn.Flatten()(x).shape[1]


@pytest.mark.parametrize("config", SHAPE_CONFIGS, ids=_shape_id)
def test_mlp_output_shape_matches_a_torch_mlp(config, torch):
    nn = torch.nn
    sizes = [as_int(flattened_size(config["shape"])), *config["widths"]]
    modules = [nn.Flatten()]
    for inputs, outputs in zip(sizes, sizes[1:]):
        modules += [nn.Linear(inputs, outputs), nn.ReLU()]
    with torch.no_grad():
        out = nn.Sequential(*modules)(torch.zeros(*config["shape"]))
    assert ints(mlp_output_shape(config["shape"], config["widths"])) == tuple(out.shape)
    assert ints(mlp_output_shape(config["shape"], config["widths"], batch_first=False)) == tuple(out.T.shape)


@pytest.mark.parametrize("config", SHAPE_CONFIGS, ids=_shape_id)
def test_weight_shapes_and_parameter_counts_match_torch(config, torch):
    sizes = [config["shape"][-1], *config["widths"]]
    layers = [torch.nn.Linear(i, o) for i, o in zip(sizes, sizes[1:])]
    for layer in layers:
        assert ints(linear_weight_shape(layer.in_features, layer.out_features)) == tuple(layer.weight.shape)
        assert ints(linear_weight_shape(layer.in_features, layer.out_features, transposed=True)) == tuple(layer.weight.T.shape)
    weights = sum(layer.weight.numel() for layer in layers)
    with_bias = sum(p.numel() for layer in layers for p in layer.parameters())
    without_bias = sum(p.numel() for i, o in zip(sizes, sizes[1:]) for p in torch.nn.Linear(i, o, bias=False).parameters())
    assert as_int(linear_param_count(sizes[0], config["widths"])) == with_bias
    assert as_int(linear_param_count(sizes[0], config["widths"], bias="none")) == without_bias == weights
    # The miscounts, from the layers' own sizes rather than from the solver's formula:
    assert as_int(linear_param_count(sizes[0], config["widths"], bias="per_layer")) == weights + len(layers)
    assert as_int(linear_param_count(sizes[0], config["widths"], bias="per_input")) == weights + sum(
        layer.in_features for layer in layers)


@pytest.mark.parametrize("config", MATRIX_CONFIGS, ids=_matrix_id)
def test_matrix_product_matches_torch_matmul(config, torch):
    X, W, V = (torch.tensor(config[name]) for name in ("X", "W", "V"))
    assert matrix_product(config["X"], config["W"], transpose_b=True) == torch.matmul(X, W.T).tolist()
    assert matrix_product(config["W"], config["W"], transpose_a=True) == torch.matmul(W.T, W).tolist()
    assert matrix_product(config["V"], config["X"]) == torch.matmul(V, X).tolist()
    assert matrix_product(config["X"], config["V"], transpose_a=True, transpose_b=True) == torch.matmul(X.T, V.T).tolist()


@pytest.mark.parametrize("config", MATRIX_CONFIGS, ids=_matrix_id)
def test_linear_forward_matches_nn_linear(config, torch):
    X, W, b = (torch.tensor(config[name], dtype=torch.float64) for name in ("X", "W", "b"))
    layer = torch.nn.Linear(W.shape[1], W.shape[0], dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(W)
        layer.bias.copy_(b)
        theirs = layer(X)
    assert torch.equal(theirs, theirs.round()), "float64 is exact on these small integers"
    as_ints = lambda tensor: tensor.round().to(torch.int64).tolist()  # noqa: E731
    assert linear_forward(config["X"], config["W"], config["b"]) == as_ints(theirs)
    assert linear_forward(config["X"], config["W"], config["b"], add_bias="none") == as_ints(X @ W.T)
    if W.shape[0] == W.shape[1]:  # X W exists only for a square W
        assert linear_forward(config["X"], config["W"], config["b"], transpose_weight=False) == as_ints(X @ W + b)
    if X.shape[0] == W.shape[0]:  # b per example fits only as many examples as outputs
        assert linear_forward(config["X"], config["W"], config["b"], add_bias="per_example") == as_ints(X @ W.T + b[:, None])


def test_the_homework_network_in_torch(torch, key):
    """The rubric's answers are what PyTorch computes for the network of rubric/mlp.md."""
    nn = torch.nn
    model = nn.Sequential(nn.Flatten(), nn.Linear(3072, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))
    no_bias = nn.Sequential(nn.Linear(3072, 256, bias=False), nn.Linear(256, 128, bias=False), nn.Linear(128, 10, bias=False))
    correct = {part_key.part.id: part_key.correct for part_key in key.parts}
    with torch.no_grad():
        assert correct["q2.output_shape"] == tuple(model(torch.zeros(32, 3, 32, 32)).shape)
    assert correct["q1.in_features"] == model[1].in_features
    assert correct["q1.weight_shape"] == tuple(model[1].weight.shape)
    assert correct["q2.total_params"] == sum(p.numel() for p in model.parameters())
    assert correct["q2.params_no_bias"] == sum(p.numel() for p in no_bias.parameters())
    layer = nn.Linear(3, 3, dtype=torch.float64)
    params = load_rubric(RUBRIC).parameters
    with torch.no_grad():
        layer.weight.copy_(torch.tensor(params["W"], dtype=torch.float64))
        layer.bias.copy_(torch.tensor(params["b"], dtype=torch.float64))
        y = layer(torch.tensor(params["X"], dtype=torch.float64)).round().to(torch.int64).tolist()
    assert [list(row) for row in correct["q3.output"]] == y


# --------------------------------------------------------------------------- what needs no PyTorch


def test_every_solver_is_registered():
    for function in (flattened_size, linear_weight_shape, linear_param_count, mlp_output_shape, matrix_product, linear_forward):
        assert SOLVERS[function.__name__].function is function


def test_symbolic_counts_evaluate_to_the_concrete_ones():
    """Error carried forward evaluates these formulas on a student's in_features."""
    n = sympy.Symbol("n", integer=True)
    for bias in ("per_output", "per_input", "per_layer", "none"):
        formula = linear_param_count(n, [256, 128, 10], bias=bias)
        for value in (1, 784, 1024, 3072):
            assert formula.subs(n, value) == linear_param_count(value, [256, 128, 10], bias=bias)
    assert linear_weight_shape(n, 256) == (256, n)
    assert mlp_output_shape([n, 3, 4], [5]) == (n, 5)


BAD_CALLS = [
    (flattened_size, ([32, 0, 4],), {}, r"shape\[1\] must be a whole number ≥ 1, got 0"),
    (flattened_size, ([32, 3],), {"start_dim": 2}, r"start_dim must be a dimension of the 2-D shape \(0 to 1\), got 2"),
    (flattened_size, ("32x3",), {}, "shape must be a list"),
    (linear_weight_shape, (3072, True), {}, "out_features must be a whole number ≥ 1, got True"),
    (linear_weight_shape, (sympy.Rational(1, 2), 4), {}, "in_features must be a whole number ≥ 1, got 1/2"),
    (linear_param_count, (3072, []), {}, "widths must be a list of at least 1"),
    (linear_param_count, (3072, [256]), {"bias": "per_channel"}, "bias must be one of"),
    (linear_param_count, (-1, [256]), {}, "in_features must be a whole number ≥ 1, got -1"),
    (mlp_output_shape, ([32], [10]), {}, "input_shape must be a list of at least 2"),
    (matrix_product, ([[1, 2]], [[1, 2]]), {}, "cannot multiply a 1x2 matrix by a 1x2 one"),
    (matrix_product, ([[1, 2]], [[1], [2]]), {"transpose_b": True}, r"cannot multiply a 1x2 matrix by a 1x2 one \(after"),
    (matrix_product, ([[1.5]], [[1]]), {}, "A must hold integers only"),
    (linear_forward, ([[1, 2]], [[1, 2], [3, 4]], [1]), {}, "b has 1 entries but the layer has 2 outputs"),
    (linear_forward, ([[1, 2]], [[1, 2], [3, 4]], [1, 2]), {"add_bias": "per_example"}, "cannot be added per example to 1"),
    (linear_forward, ([[1, 2]], [[1, 2]], [[1]]), {}, "b must be a non-empty flat list of integers"),
    (linear_forward, ([[1, 2]], [[1, 2]], [1]), {"add_bias": "per_row"}, "add_bias must be one of"),
]


@pytest.mark.parametrize("function, args, kwargs, message", BAD_CALLS, ids=lambda value: getattr(value, "__name__", None))
def test_bad_input_is_refused_with_a_clear_message(function, args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        function(*args, **kwargs)


# --------------------------------------------------------------------------- the rubric and its samples


def test_every_example_in_the_rubric_grades_as_declared(key):
    for part in key.rubric.parts:
        for example in part.examples:
            verdict = grade_example(key, part.id, example.answer, dict(example.given))
            assert (verdict.mistake or verdict.outcome) == (example.mistake or example.verdict), (part.id, example.answer)
            if example.credit is not None:
                assert verdict.credit == example.credit, (part.id, example.answer)


def test_the_samples_show_every_named_mistake():
    assert len(MLP_SAMPLES) >= 12
    shown = {(part_id, want["mistake"])
             for sample in MLP_SAMPLES
             for part_id, want in json.loads((sample / "expected.json").read_text(encoding="utf-8"))["parts"].items()}
    declared = {(part.id, mistake.id) for part in load_rubric(RUBRIC).parts for mistake in part.mistakes}
    assert declared <= shown, f"no sample shows {sorted(declared - shown)}"


@pytest.mark.parametrize("sample", MLP_SAMPLES, ids=lambda path: path.name)
def test_sample_grades_as_expected_in_process(sample, key, tmp_path):
    outcome = grade_sample(key, sample, tmp_path)
    assert outcome.mismatches == (), outcome.log


@pytest.mark.parametrize("sample", MLP_SAMPLES, ids=lambda path: path.name)
def test_sample_grades_as_expected_through_run_autograder(sample, image, tmp_path):
    root = autograder_root(tmp_path, image, sample)
    env = checkout_env(AUTOGRADER_ROOT=str(root), AUTOGRADER_RUBRIC=str(image / "rubric" / "mlp.yaml"), PYTHONPATH="")
    completed = subprocess.run(["bash", str(root / "run_autograder")], cwd=root, capture_output=True, text=True,
                               env=env, timeout=60)
    assert completed.returncode == 0, completed.stderr
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert results["extra_data"]["rubric"] == "mlp", completed.stdout
    expected = json.loads((sample / "expected.json").read_text(encoding="utf-8"))
    assert compare(WrittenResult.from_json(results), expected) == (), completed.stdout


def test_the_homework_text_states_the_rubric_parameters():
    """rubric/mlp.md is what students read: its numbers must be the rubric's."""
    text = (REPO / "rubric" / "mlp.md").read_text(encoding="utf-8")
    without_spaces = "".join(text.split())
    params = load_rubric(RUBRIC).parameters
    for name in ("X", "W", "b"):
        assert f"{name}={params[name]}".replace(" ", "") in without_spaces, name
    image, units = params["image"], params["units"]
    assert f"N = {params['batch']}" in text
    assert f"{params['batch']} x {image['channels']} x {image['height']} x {image['width']}" in text
    for inputs, outputs in (("?", units["fc1"]), (units["fc1"], units["fc2"]), (units["fc2"], units["fc3"])):
        assert f"nn.Linear({inputs}, {outputs})" in text
