"""The one training-settings model: the file loader and a run read every setting the same way."""
import copy

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from designer.core import project as projects
from designer.core import datasets, training
from designer.core.training import SETTINGS, ConfigError, TrainConfig

BASE = {"format": "netdesigner.project", "version": 1, "name": "t",
        "nodes": [{"id": "input", "type": "Input", "params": {"shape": [1, 28, 28]}}], "edges": []}

VALUES = st.one_of(st.none(), st.booleans(), st.integers(-10, 10), st.sampled_from([0, 1, 5, 100_000, 100_001, 1 << 20,
                   (1 << 20) + 1, 2**31 - 1, 2**31]), st.floats(allow_nan=False, allow_infinity=False),
                   st.sampled_from([0.0, 1e-3, 0.5, 0.999, 1.0, 1e6, 1.5e6]),
                   st.sampled_from(["", "sgd", "SGD", "Adam", "adamw", "RMSprop", "mnist-5k", "MNIST", "cifar",
                                    "kaiming", "keep", "MSELoss", "cuda", "fashion-mnist"]), st.just([1]))


def _load(training: dict):
    data = copy.deepcopy(BASE)
    data["training"] = training
    return projects.from_dict(data, "net.json")


@hsettings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(list(SETTINGS) + ["future_key"]), VALUES, max_size=5))
def test_the_file_loader_and_a_run_accept_and_refuse_the_same_settings(raw):
    """Before, the loader, the loop and the exported script each had their own limits."""
    try:
        config = TrainConfig.from_project(raw, "net.json")
    except ConfigError as exc:
        with pytest.raises(projects.ProjectError) as caught:
            _load(raw)
        assert (caught.value.field, caught.value.message) == (exc.field, exc.message)
        assert str(caught.value) == str(exc)  # "net.json: training.lr: must be ..."
        return
    project = _load(raw)
    assert project.training == raw  # the file keeps what it holds, unknown keys too
    assert TrainConfig.from_project(config.to_project()) == config


@pytest.mark.parametrize("training, field, message", [
    ({"lr": 1e7}, "training.lr", "must be a number more than 0 and at most 1e+06, not 10000000.0"),
    ({"lr": 0}, "training.lr", "must be a number more than 0"),
    ({"dataset": "cifar"}, "training.dataset", "'cifar' is not one of mnist-5k, mnist, fashion-mnist"),
    ({"epochs": 100_001}, "training.epochs", "must be a whole number from 1 to 100,000, not 100,001"),
    ({"batch_size": 2.5}, "training.batch_size", "must be a whole number, not 2.5"),
    ({"momentum": 1.0}, "training.momentum", "must be a number from 0 to 0.999, not 1.0"),
    ({"weight_decay": -0.1}, "training.weight_decay", "from 0 to 1"),
    ({"nesterov": "yes"}, "training.nesterov", "must be true or false, not text"),
    ({"nesterov": True, "optimizer": "SGD"}, "training.nesterov", "needs the SGD optimizer and a momentum above 0"),
    ({"seed": -1}, "training.seed", "must be a whole number from 0 to 2,147,483,647, not -1"),
    ({"seed": "x"}, "training.seed", "must be a whole number or null, not text"),
    ({"init": "orthogonal"}, "training.init", "'orthogonal' is not one of default, kaiming, xavier, keep"),
])
def test_a_bad_setting_in_a_file_names_the_file_and_the_field(training, field, message):
    with pytest.raises(projects.ProjectError) as caught:
        _load(training)
    assert caught.value.field == field and message in caught.value.message
    assert str(caught.value).startswith(f"net.json: {field}: ")


def test_values_are_normalised_and_defaults_fill_the_rest():
    config = TrainConfig.from_project({"optimizer": "sgd", "loss": "mseloss", "lr": 1, "momentum": 0.9,
                                       "nesterov": True, "seed": None, "future_key": {"a": 1}})
    assert (config.optimizer, config.loss, config.lr, config.seed) == ("SGD", "MSELoss", 1.0, None)
    assert isinstance(config.lr, float) and config.epochs == SETTINGS["epochs"].default == 5
    assert TrainConfig.from_project(None) == TrainConfig()
    assert config.updated(epochs=None, lr=0.5).lr == 0.5 and config.updated(epochs=None).epochs == 5
    with pytest.raises(ConfigError, match=r"^training\.epochs: "):
        config.updated(epochs=0)


def test_the_device_belongs_to_the_machine_not_the_file():
    config = TrainConfig.from_project({"device": "cuda:3", "epochs": 2})
    assert config.device == "cpu"  # a file made on another machine does not pick this one's device
    assert "device" not in config.updated(device="cuda").to_project()
    assert not SETTINGS["device"].saved


def test_every_setting_is_described_once_with_a_valid_default():
    assert list(SETTINGS) == [f for f in TrainConfig.__dataclass_fields__]
    for name, setting in SETTINGS.items():
        assert setting.check(setting.default) == setting.default, name
    assert SETTINGS["optimizer"].options == training.OPTIMIZERS
    assert SETTINGS["dataset"].options == datasets.BUILT_IN
