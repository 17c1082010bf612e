"""Project-file errors and run summaries speak Chinese, still naming the file and the field."""
import json

import pytest

from designer.core import i18n, project, runs
from designer.ml.export import trainscript
from designer.core.project import ProjectError
from designer.core.training import ConfigError


def lenet(**changes) -> dict:
    data = {"format": "netdesigner.project", "version": 2,
            "nodes": [{"id": "in", "type": "Input", "params": {"shape": [1, 28, 28]}},
                      {"id": "c1", "type": "Conv2d", "params": {"out_channels": 6, "kernel_size": 5}}],
            "edges": [{"from": "in", "to": "c1"}]}
    data.update(changes)
    return data


def test_a_bad_parameter_is_named_in_chinese(chinese, tmp_path):
    data = lenet()
    data["nodes"][1]["params"]["strides"] = 2
    path = tmp_path / "lenet.netproj.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ProjectError) as caught:
        project.load(path)
    assert str(caught.value).startswith(
        f'{path}: nodes[1]（id "c1"）.params.strides: Conv2d 没有参数 "strides"（它的参数有：')


def test_a_missing_field_and_a_cycle_are_chinese(chinese):
    missing = r'^a\.json: format: 缺失；NetDesigner 项目应包含 "format": "netdesigner.project"$'
    with pytest.raises(ProjectError, match=missing):
        project.from_dict({"version": 2}, "a.json")
    looped = lenet(edges=[{"from": "in", "to": "c1"}, {"from": "c1", "to": "c1"}])
    with pytest.raises(ProjectError, match=r'^b\.json: edges\[1\]: 节点 "c1" 连向了自己$'):
        project.from_dict(looped, "b.json")


def test_the_same_errors_stay_english_by_default():
    with pytest.raises(ProjectError, match=r'^a\.json: format: is missing; a NetDesigner project has "format"'):
        project.from_dict({"version": 2}, "a.json")


def test_a_run_summary_follows_the_language(tmp_path):
    run = runs.Run(tmp_path / "run-0001", {"dataset": "mnist-5k", "epochs": 5}, "2026-12-02T10:00:00+00:00",
                   status="stopped", epochs=[{"epoch": 1}, {"epoch": 2}], best_val_acc=0.5)
    assert run.summary() == "run-0001 · 2026-12-02 10:00 · mnist-5k · 50.0% · 2/5 epochs · stopped"
    i18n.set_language(i18n.CHINESE)
    try:
        assert run.summary() == "run-0001 · 2026-12-02 10:00 · mnist-5k · 50.0% · 2/5 轮 · 已停止"
        run.status = "running"
        assert run.summary().endswith("2/5 轮 · 已中断")
    finally:
        i18n.set_language(i18n.ENGLISH)


def test_a_bad_setting_and_broken_json_are_chinese(chinese):
    with pytest.raises(ProjectError, match=r"^c\.json: training\.lr: 必须是数字，而不是文本$"):
        project.from_dict(lenet(training={"lr": "fast"}), "c.json")
    cut_short = r"^d\.json: 不是有效的 JSON：第 1 行第 \d+ 列 .*（文件似乎被截断了）$"
    with pytest.raises(ProjectError, match=cut_short):
        project.loads('{"format": "netdesigner.project", "nodes": [', "d.json")


def test_the_training_script_refuses_a_setting_in_chinese(chinese):
    model = project.from_dict(lenet(), "e.json")
    model.training = {"optimizer": "Adam", "nesterov": True}  # set after loading: only generate() checks it
    refused = "^training.nesterov: Nesterov 动量需要 SGD 优化器，且 momentum 大于 0$"
    with pytest.raises(ConfigError, match=refused):
        trainscript.generate(model, "lenet.py")
