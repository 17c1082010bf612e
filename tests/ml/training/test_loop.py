"""The training loop: learning, repeatability, stop/pause, NaN guard, settings, accuracy."""
import math
import threading

import pytest
import torch
from torch import nn

from designer.ml.data import datasets as data
from designer.ml.training.loop import (BatchEnd, ConfigError, Control, DeviceError, EpochEnd, Failed, Finished, Started,
                               TrainConfig, available_devices, resolve_device, train)

# One thread: on a busy shared machine two OpenMP threads spin against each other and run ~10x slower.
torch.set_num_threads(1)


def lenet(size: int = 28) -> nn.Sequential:
    flat = 16 * ((size // 2 - 4) // 2) ** 2
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(flat, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def mlp() -> nn.Sequential:
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 10))


@pytest.fixture(scope="module")
def tiny():
    return data.load("mnist-5k").subset(512, 200)


def run(model, dataset, **settings):
    return list(train(model, dataset, TrainConfig(**settings)))


def test_a_few_epochs_lower_the_loss_and_finish_with_best_and_last_weights(tiny):
    model = mlp()
    events = run(model, tiny, epochs=3, batch_size=32)
    assert isinstance(events[0], Started) and events[0].steps_per_epoch == 16
    epochs = [e for e in events if isinstance(e, EpochEnd)]
    assert [e.epoch for e in epochs] == [1, 2, 3]
    assert epochs[-1].train_loss < epochs[0].train_loss and epochs[-1].val_loss < epochs[0].val_loss
    assert set(epochs[0].grad_norms) == {"1", "3"} and all(v > 0 for v in epochs[0].grad_norms.values())
    done = events[-1]
    assert isinstance(done, Finished) and not done.stopped and done.epochs_done == 3
    assert done.best_val_acc == max(e.val_acc for e in epochs)
    assert epochs[done.best_epoch - 1].val_acc == done.best_val_acc
    assert done.best_state.keys() == model.state_dict().keys()
    assert all(torch.equal(done.last_state[k], v) for k, v in model.state_dict().items())
    assert len(done.confusion) == 10 and sum(map(sum, done.confusion)) == 200
    assert sum(done.confusion[i][i] for i in range(10)) == round(done.best_val_acc * 200)


def test_batch_events_cover_every_batch_in_order(tiny):
    events = run(mlp(), tiny, epochs=2, batch_size=64)
    batches = [e for e in events if isinstance(e, BatchEnd)]
    assert [b.step for b in batches] == sorted(b.step for b in batches) and batches[-1].step == 16
    assert sum(len(b.losses) for b in batches) == 16 and all(b.steps == 16 for b in batches)
    assert batches[-1].eta_s == 0 and all(b.samples_per_s > 0 for b in batches)
    kinds = [type(e).__name__ for e in events]
    assert kinds.index("EpochEnd") > kinds.index("BatchEnd") and kinds[-1] == "Finished"


def test_the_same_seed_repeats_a_cpu_run_exactly(tiny):
    def losses(seed):
        events = run(lenet(), tiny.subset(128, 50), epochs=2, batch_size=32, seed=seed, init="kaiming")
        return [v for e in events if isinstance(e, BatchEnd) for v in e.losses], events[-1].last_state

    first, state = losses(7)
    again, state_again = losses(7)
    assert first == again and all(torch.equal(state[k], state_again[k]) for k in state)
    assert losses(8)[0] != first


def test_stop_ends_the_run_within_half_a_second(tiny):
    control = Control()
    events, first_batch = [], threading.Event()

    def consume():
        for event in train(lenet(), tiny, TrainConfig(epochs=1000, batch_size=32), control, events_per_s=1000):
            events.append(event)
            first_batch.set()

    worker = threading.Thread(target=consume, daemon=True)
    worker.start()
    assert first_batch.wait(30)
    control.stop()
    worker.join(30)
    assert not worker.is_alive()
    assert isinstance(events[-1], Finished) and events[-1].stopped


def test_pause_holds_the_loop_until_resume(tiny):
    control = Control()
    events, paused, later = [], threading.Event(), threading.Event()

    def consume():
        for event in train(mlp(), tiny, TrainConfig(epochs=3, batch_size=16), control, events_per_s=1000):
            events.append(event)
            if paused.is_set():
                later.set()
            elif isinstance(event, BatchEnd):
                control.pause()
                paused.set()

    worker = threading.Thread(target=consume, daemon=True)
    worker.start()
    try:
        assert paused.wait(30)
        # Paused after the first batch event: nothing more may come in a generous window.
        assert not later.wait(0.3)
        assert control.paused and isinstance(events[-1], BatchEnd)
    finally:
        control.resume()
        worker.join(30)
    assert later.is_set() and isinstance(events[-1], Finished)
    assert not events[-1].stopped and events[-1].epochs_done == 3


@pytest.mark.parametrize("optimizer", ["SGD", "Adam"])
def test_a_huge_learning_rate_stops_with_a_clear_message(tiny, optimizer):
    events = run(lenet(), tiny, epochs=2, lr=1e6, optimizer=optimizer)
    failed = events[-1]
    assert isinstance(failed, Failed), failed
    assert failed.step is not None and f"step {failed.step}" in failed.message
    assert "learning rate" in failed.message and "smaller" in failed.message
    assert not any(isinstance(e, EpochEnd) and not math.isfinite(e.train_loss) for e in events)


@pytest.mark.parametrize("loss, last", [("MSELoss", None), ("NLLLoss", nn.LogSoftmax(dim=1))])
def test_other_losses_train_too(tiny, loss, last):
    model = mlp() if last is None else nn.Sequential(*mlp(), last)
    events = run(model, tiny, epochs=3, batch_size=32, loss=loss, lr=3e-3)
    epochs = [e for e in events if isinstance(e, EpochEnd)]
    assert isinstance(events[-1], Finished) and epochs[-1].train_loss < epochs[0].train_loss
    assert events[0].warnings == []


def test_nll_loss_without_log_softmax_is_warned_about(tiny):
    events = run(mlp(), tiny.subset(64), epochs=1, loss="NLLLoss")
    assert "LogSoftmax" in events[0].warnings[0]


@pytest.mark.parametrize("init", ["kaiming", "xavier", "default"])
def test_initialisation_is_applied_and_seeded(init):
    def weights(seed):
        model = mlp()
        events = run(model, data.load("mnist-5k").subset(1, 1), epochs=1, batch_size=1, lr=1e-12, seed=seed,
                     init=init, optimizer="SGD")
        return events[-1].last_state["1.weight"]

    assert torch.equal(weights(3), weights(3)) and not torch.equal(weights(3), weights(4))
    std = weights(3).std().item()
    expected = {"kaiming": math.sqrt(2 / 784), "xavier": math.sqrt(2 / (784 + 32)), "default": 1 / math.sqrt(3 * 784)}
    assert abs(std - expected[init]) / expected[init] < 0.1


def test_keep_continues_from_the_current_weights(tiny):
    model = mlp()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    events = run(model, tiny.subset(1, 1), epochs=1, batch_size=1, lr=1e-12, optimizer="SGD", init="keep")
    assert all(torch.allclose(events[-1].last_state[k], before[k]) for k in before)


def test_a_model_whose_output_does_not_fit_the_classes_fails_clearly(tiny):
    events = run(nn.Sequential(nn.Flatten(), nn.Linear(784, 7)), tiny, epochs=1)
    assert isinstance(events[-1], Failed) and "10 classes" in events[-1].message and "[7]" in events[-1].message
    events = run(nn.Sequential(nn.Flatten(), nn.Linear(100, 10)), tiny, epochs=1)
    assert isinstance(events[-1], Failed) and "[1, 28, 28]" in events[-1].message


def test_settings_come_from_the_project_and_errors_name_the_field():
    config = TrainConfig.from_project({"dataset": "mnist-5k", "epochs": 2, "batch_size": 16, "optimizer": "sgd",
                                       "lr": 0.1, "momentum": 0.9, "nesterov": True, "future_key": 1})
    assert (config.epochs, config.batch_size, config.optimizer, config.lr, config.nesterov) == (2, 16, "SGD", 0.1, True)
    assert TrainConfig.from_project(None) == TrainConfig()
    assert "device" not in config.to_project() and TrainConfig.from_project(config.to_project()) == config
    assert config.updated(epochs=None, lr=0.5).lr == 0.5 and config.updated(epochs=None).epochs == 2
    for training, field in [({"lr": -1}, "training.lr"), ({"epochs": 0}, "training.epochs"),
                            ({"optimizer": "Adagrad"}, "training.optimizer"), ({"dataset": "cifar"}, "training.dataset"),
                            ({"nesterov": True}, "training.nesterov"), ({"loss": "L1"}, "training.loss"),
                            ({"batch_size": 2.5}, "training.batch_size"), ({"init": "orthogonal"}, "training.init")]:
        with pytest.raises(ConfigError, match=field.replace(".", r"\.")) as caught:
            TrainConfig.from_project(training, "net.json")
        assert str(caught.value).startswith("net.json: ")


def test_devices_are_checked_before_training(tiny):
    assert available_devices()[0] == "cpu" and resolve_device("CPU") == torch.device("cpu")
    with pytest.raises(DeviceError, match="cuda:7.*available here: cpu"):
        resolve_device("cuda:7")
    with pytest.raises(DeviceError, match="not a device name"):
        resolve_device("gpu")
    events = run(mlp(), tiny, epochs=1, device="cuda:7")
    assert len(events) == 1 and isinstance(events[0], Failed) and "cuda:7" in events[0].message


@pytest.mark.slow
def test_lenet_reaches_95_percent_on_mnist_5k_in_five_epochs():
    events = run(lenet(), data.load("mnist-5k", (1, 28, 28)), epochs=5, batch_size=64, optimizer="Adam", lr=1e-3)
    done = events[-1]
    assert isinstance(done, Finished) and done.best_val_acc >= 0.95, done


@pytest.mark.parametrize("device", available_devices())
def test_training_runs_on_every_device_this_machine_has(tiny, device):
    model = lenet()
    events = run(model, tiny.subset(256, 100), epochs=2, batch_size=32, device=device)
    assert isinstance(events[0], Started) and events[0].device == device
    done = events[-1]
    assert isinstance(done, Finished) and done.epochs_done == 2, done
    assert all(t.device.type == "cpu" for t in done.best_state.values())  # weights come back to the CPU
    assert [e.val_loss for e in events if isinstance(e, EpochEnd)][-1] < 2.3


def test_a_last_batch_of_one_sample_is_left_out_so_batchnorm_trains(tiny):
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Linear(16, 10))
    events = run(model, tiny.subset(65, 20), epochs=2, batch_size=32)
    assert isinstance(events[-1], Finished) and events[0].steps_per_epoch == 2


class Explodes(nn.Module):
    """Raises torch's kind of error on the third training batch."""

    def __init__(self):
        super().__init__()
        self.calls = 0

    def forward(self, x):
        self.calls += self.training
        if self.calls > 3:
            raise RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB\nmore detail")
        return x


def test_an_error_from_torch_ends_the_run_with_a_failed_event(tiny):
    events = run(nn.Sequential(mlp(), Explodes()), tiny, epochs=1, batch_size=32)
    assert isinstance(events[-1], Failed)
    assert events[-1].message == ("Training stopped: CUDA out of memory. Tried to allocate 2.00 GiB "
                                  "(out of memory: try a smaller batch size)")


class BreaksInEpoch2(nn.Module):
    """Passes its input through for the first ``steps`` training batches, then fails as ``how`` says."""

    def __init__(self, steps: int, how: str):
        super().__init__()
        self.steps, self.how, self.calls = steps, how, 0

    def forward(self, x):
        if self.training:
            self.calls += 1
            if self.calls > self.steps:
                if self.how == "raise":
                    raise RuntimeError("a layer gave up")
                return x * float("nan")
        return x


@pytest.mark.parametrize("how, said", [("nan", "The loss became NaN"), ("raise", "Training stopped: a layer gave up")])
def test_a_run_that_fails_in_epoch_2_keeps_the_best_weights_of_epoch_1(tiny, how, said):
    model = nn.Sequential(mlp(), BreaksInEpoch2(steps=512 // 64, how=how))
    events = run(model, tiny, epochs=3, batch_size=64)
    epochs = [e for e in events if isinstance(e, EpochEnd)]
    failed = events[-1]
    assert isinstance(failed, Failed) and failed.message.startswith(said), failed.message
    assert [e.epoch for e in epochs] == [1]
    assert failed.best_epoch == 1 and failed.best_val_acc == epochs[0].val_acc > 0.3
    assert set(failed.best_state) == set(model.state_dict())
    assert all(torch.isfinite(v).all() for v in failed.best_state.values())  # not the NaN weights of the failure


def test_a_run_that_fails_before_any_epoch_ends_keeps_nothing(tiny):
    events = run(nn.Sequential(mlp(), BreaksInEpoch2(steps=2, how="nan")), tiny, epochs=2, batch_size=64)
    assert isinstance(events[-1], Failed) and events[-1].best_state is None and events[-1].best_epoch == 0
