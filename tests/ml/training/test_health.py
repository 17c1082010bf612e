"""Network health: dead ReLUs, histograms and update sizes measured between epochs, and the warnings."""

import pytest
import torch
from torch import nn

from designer.ml.data import datasets as data
from designer.ml.training.health import BINS, HealthReport, Probe, watch
from designer.ml.training.loop import EpochEnd, Finished, TrainConfig, train

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def tiny():
    return data.load("mnist-5k").subset(512, 200)


def mlp() -> nn.Sequential:
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 10))


def test_a_report_follows_each_epoch_and_the_run_is_unchanged(tiny):
    config = TrainConfig(epochs=2, batch_size=64, seed=3)
    plain = [e for e in train(mlp(), tiny, config) if isinstance(e, (EpochEnd, Finished))]
    model = mlp()
    events = list(watch(train(model, tiny, config), model, tiny))
    kinds = [type(e).__name__ for e in events if not type(e).__name__ == "BatchEnd"]
    assert kinds == ["Started", "EpochEnd", "HealthReport", "EpochEnd", "HealthReport", "Finished"]
    watched = [e for e in events if isinstance(e, (EpochEnd, Finished))]
    assert [e.train_loss for e in watched[:2]] == [e.train_loss for e in plain[:2]]  # the probe changes nothing
    assert all(torch.equal(watched[-1].last_state[k], plain[-1].last_state[k]) for k in plain[-1].last_state)
    report = next(e for e in events if isinstance(e, HealthReport))
    assert isinstance(report, HealthReport) and report.epoch == 1
    by_name = {layer.name: layer for layer in report.layers}
    assert list(by_name) == ["0", "1", "2", "3"]
    assert 0.0 <= by_name["2"].dead < 1.0 and by_name["1"].dead is None
    assert len(by_name["1"].counts) == BINS and sum(by_name["1"].counts) == 200 * 32  # every output, once
    assert by_name["1"].update > 0 and by_name["2"].update is None  # ReLU has no weight


def test_dead_relus_are_counted_per_unit_and_named(tiny):
    model = mlp()
    with torch.no_grad():
        model[1].bias[:24] = -1000.0  # 24 of the 32 units can never fire
    probe = Probe(model, tiny, samples=100)
    probe.start()
    report = probe.report(EpochEnd(1, 1, 1.0, 0.5, 1.0, 0.5, {}, 0.0, 0.0))
    relu = next(layer for layer in report.layers if layer.type == "ReLU")
    assert relu.dead == pytest.approx(24 / 32)
    assert "75% of 2's units never fire on the held-out set: lower the learning rate or use LeakyReLU." \
        in report.warnings
    assert any("barely moved" in w for w in report.warnings)  # nothing trained between start and report


def epoch(n, train_loss, val_loss):
    return EpochEnd(n, 9, train_loss, 0.5, val_loss, 0.5, {}, 0.0, 0.0)


def test_loss_stalls_and_overfitting_are_said_in_words(tiny):
    probe = Probe(mlp(), tiny, samples=20)
    probe.start()
    said = [probe.report(epoch(n, t, v)).warnings for n, t, v in
            [(1, 2.0, 2.0), (2, 1.0, 1.5), (3, 0.7, 1.6), (4, 0.5, 1.7)]]
    assert not any("overfits" in w for w in said[2])
    assert any("held-out loss rises while the training loss falls: the model overfits" in w for w in said[3])
    probe.start()
    said = [probe.report(epoch(n, t, v)).warnings for n, t, v in
            [(1, 2.0, 2.0), (2, 1.0, 1.5), (3, 1.0, 1.5), (4, 1.01, 1.5)]]
    assert not any("stopped falling" in w for w in said[2])
    assert any("The training loss stopped falling after epoch 2" in w for w in said[3])


def test_the_advice_holds_for_the_runs_own_settings(tiny):
    """No "try a schedule" with cosine on, no "use augmentation" with augmentation on."""
    config = TrainConfig(lr_schedule="cosine", augment=True)
    probe = Probe(mlp(), tiny, samples=20, config=config)
    probe.start()
    said = [probe.report(epoch(n, t, v)).warnings for n, t, v in
            [(1, 2.0, 2.0), (2, 1.0, 1.5), (3, 1.0, 1.6), (4, 1.01, 1.7)]]
    stalled = [w for w in said[3] if "stopped falling" in w]
    assert stalled and not any("schedule" in w for w in stalled)
    probe.start()
    said = [probe.report(epoch(n, t, v)).warnings for n, t, v in
            [(1, 2.0, 2.0), (2, 1.0, 1.5), (3, 0.7, 1.6), (4, 0.5, 1.7)]]
    overfit = [w for w in said[3] if "overfits" in w]
    assert overfit and not any("augmentation" in w for w in overfit)


def test_a_small_held_out_set_is_not_judged_overfitting(tiny):
    probe = Probe(mlp(), tiny.subset(512, 23), samples=20)
    probe.start()
    said = [probe.report(epoch(n, t, v)).warnings for n, t, v in
            [(1, 2.0, 2.0), (2, 1.0, 1.5), (3, 0.7, 1.6), (4, 0.5, 1.7)]]
    assert not any("overfits" in w for w in said[3])
