"""A run you can steer: schedules, early stopping, checkpoints and resume, augmentation, mistakes."""
import math

import pytest
import torch
from torch import nn

from designer.core.training import ConfigError, TrainConfig
from designer.ml.training import checkpoint
from designer.ml.data import datasets as data
from designer.ml.standalone.augment import Augmentation, augment
from designer.ml.standalone.schedules import learning_rates
from designer.ml.training.loop import BatchEnd, EpochEnd, Failed, Finished, Started, train

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def tiny():
    return data.load("mnist-5k").subset(256, 100)


def mlp() -> nn.Sequential:
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 16), nn.ReLU(), nn.Dropout(0.2), nn.Linear(16, 10))


def batch_lrs(events) -> list[float]:
    return [lr for e in events if isinstance(e, BatchEnd) for lr in e.lrs]


@pytest.mark.parametrize("kind, expected", [
    ("constant", lambda t, T: 0.1),
    ("step", lambda t, T: 0.1 * 0.5 ** (t // 8)),  # 4 batches an epoch, halved every 2 epochs
    ("cosine", lambda t, T: 0.1 * (1 + math.cos(math.pi * t / T)) / 2),
])
def test_schedules_give_the_expected_learning_rate_every_batch(tiny, kind, expected):
    config = TrainConfig(epochs=6, batch_size=64, optimizer="SGD", lr=0.1, lr_schedule=kind, lr_step_epochs=2,
                         lr_step_factor=0.5)
    events = list(train(mlp(), tiny, config))
    rates = batch_lrs(events)
    assert len(rates) == 24
    assert rates == pytest.approx([expected(t, 24) for t in range(24)], rel=1e-9)
    assert rates == pytest.approx(learning_rates(kind, 0.1, 4, 6, 2, 0.5), rel=1e-9)
    epochs = [e for e in events if isinstance(e, EpochEnd)]
    assert [e.lr for e in epochs] == [rates[4 * k + 3] for k in range(6)]


def test_one_cycle_rises_to_the_learning_rate_then_falls_far_below():
    rates = learning_rates("one-cycle", 0.01, 10, 10)
    peak = max(range(100), key=rates.__getitem__)
    assert rates[0] == pytest.approx(0.01 / 25) and rates[peak] == pytest.approx(0.01, rel=1e-3)
    assert 25 <= peak <= 35 and rates[-1] < 0.01 / 1e4


def test_early_stopping_stops_when_the_held_out_loss_stops_improving(tiny):
    # A learning rate this large makes the held-out loss worse after the first epoch or two.
    config = TrainConfig(epochs=40, batch_size=32, optimizer="SGD", lr=3.0, patience=2, seed=1)
    events = list(train(nn.Sequential(nn.Flatten(), nn.Linear(784, 10)), tiny, config))
    done = events[-1]
    epochs = [e for e in events if isinstance(e, EpochEnd)]
    assert isinstance(done, Finished) and done.early_stopped and done.epochs_done == len(epochs) < 40
    losses = [e.val_loss for e in epochs]
    best = losses.index(min(losses))
    assert len(losses) == best + 3  # two epochs without a better held-out loss, then it stopped
    assert done.best_val_acc == max(e.val_acc for e in epochs)


def run_to_end(events):
    return [e for e in events if not isinstance(e, BatchEnd)]


def test_a_run_broken_off_after_epoch_2_resumes_to_the_same_weights(tiny, tmp_path):
    config = dict(epochs=4, batch_size=32, lr=0.01, seed=5, lr_schedule="cosine", augment=True,
                  augment_rotation=15.0)
    whole = run_to_end(train(mlp(), tiny, TrainConfig(**config)))[-1]
    path = tmp_path / "run.ckpt"
    broken = train(mlp(), tiny, TrainConfig(**config), checkpoint=path)
    for event in broken:
        if isinstance(event, EpochEnd) and event.epoch == 2:
            break  # as if the process died here
    broken.close()
    saved = checkpoint.load(path)
    assert saved["epoch"] == 2 and not saved["finished"]
    torch.manual_seed(999)  # whatever happened in between
    events = run_to_end(train(mlp(), tiny, TrainConfig(**config), checkpoint=path, resume=saved))
    assert isinstance(events[0], Started) and events[0].resumed_after == 2
    assert [e.epoch for e in events if isinstance(e, EpochEnd)] == [3, 4]
    done = events[-1]
    assert isinstance(done, Finished) and done.epochs_done == 4
    assert all(torch.equal(done.last_state[k], whole.last_state[k]) for k in whole.last_state)
    assert done.best_epoch == whole.best_epoch and done.best_val_acc == whole.best_val_acc
    assert checkpoint.load(path)["finished"]


def test_a_checkpoint_that_is_not_one_is_refused_by_name(tmp_path):
    bad = tmp_path / "bad.ckpt"
    bad.write_bytes(b"junk")
    with pytest.raises(checkpoint.CheckpointError, match="bad.ckpt"):
        checkpoint.load(bad)
    torch.save({"model": {}}, bad)
    with pytest.raises(checkpoint.CheckpointError, match="not a NetDesigner checkpoint"):
        checkpoint.load(bad)


def test_augmentation_moves_each_picture_its_own_way_and_keeps_the_shape():
    x = torch.zeros(64, 1, 20, 30)
    x[:, 0, 10, 20] = 1.0
    out = augment(x, Augmentation(shift=0.2), torch.Generator().manual_seed(0))
    assert out.shape == x.shape
    spots = {tuple(torch.nonzero(out[i, 0] == out[i, 0].max())[0].tolist()) for i in range(64)}
    assert len(spots) > 20  # not one shift for the whole batch
    for i in range(64):
        row, col = torch.nonzero(out[i, 0] == out[i, 0].max())[0].tolist()
        assert abs(row - 10) <= 4 and abs(col - 20) <= 6  # at most 20% of the height and width
    flipped = augment(x, Augmentation(flip=True), torch.Generator().manual_seed(0))
    assert all(torch.equal(flipped[i], x[i]) or torch.equal(flipped[i], x[i].flip(-1)) for i in range(64))
    assert 10 < sum(torch.equal(flipped[i], x[i]) for i in range(64)) < 54
    vector = augment(torch.rand(8, 784), Augmentation(rotation=10), torch.Generator())
    assert vector.shape == (8, 784)
    with pytest.raises(ValueError, match="pictures"):
        augment(torch.rand(8, 10), Augmentation(rotation=10), torch.Generator())


def test_augmentation_changes_training_batches_never_the_held_out_set(tiny):
    common = dict(epochs=1, batch_size=32, optimizer="SGD", lr=1e-12, seed=2)
    plain = [e for e in train(mlp(), tiny, TrainConfig(**common)) if isinstance(e, EpochEnd)][0]
    shaken = [e for e in train(mlp(), tiny, TrainConfig(**common, augment=True, augment_rotation=90.0,
                                                        augment_shift=0.4)) if isinstance(e, EpochEnd)][0]
    assert shaken.train_loss != pytest.approx(plain.train_loss, rel=1e-4)
    assert shaken.val_loss == pytest.approx(plain.val_loss, rel=1e-6) and shaken.val_acc == plain.val_acc


def test_flips_are_refused_for_digits():
    with pytest.raises(ConfigError, match="augment_flip"):
        TrainConfig(dataset="mnist-5k", augment=True, augment_flip=True).validated()
    assert TrainConfig(dataset="fashion-mnist", augment=True, augment_flip=True).validated().augment_flip


def test_the_mistakes_are_the_wrong_held_out_answers_most_confident_first(tiny):
    done = list(train(mlp(), tiny, TrainConfig(epochs=2, batch_size=32, lr=0.01)))[-1]
    assert isinstance(done, Finished) and done.mistakes
    wrong = sum(sum(row) - row[i] for i, row in enumerate(done.confusion))
    assert len(done.mistakes) == wrong
    confidences = [m.confidence for m in done.mistakes]
    assert confidences == sorted(confidences, reverse=True)
    model = mlp()
    model.load_state_dict(done.best_state)
    model.eval()
    first = done.mistakes[0]
    with torch.no_grad():
        probs = torch.softmax(model(tiny.test_x[first.index:first.index + 1]), 1)[0]
    assert int(probs.argmax()) == first.predicted != first.true == int(tiny.test_y[first.index])
    assert float(probs.max()) == pytest.approx(first.confidence, rel=1e-5)
