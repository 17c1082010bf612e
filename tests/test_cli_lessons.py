"""``lessons`` for a teacher: list a folder of lessons, and check a lesson file before handing it out."""
import json

from tests.test_cli_language import ROOT, run

BUILT_IN = ROOT / "designer" / "resources" / "lessons"


def lesson(**step_changes) -> dict:
    step = {"id": "stride", "text": {"en": "Set conv1's stride to 2.", "zh_CN": "把 conv1 的 stride 设为 2。"},
            "check": {"kind": "layer", "type": "Conv2d", "name": "conv1", "params": {"stride": 2}}}
    step.update(step_changes)
    return {"id": "stride", "number": 1, "template": "lenet-28", "title": {"en": "Stride", "zh_CN": "步幅"},
            "steps": [step]}


def test_check_accepts_the_built_in_lessons_and_a_good_teachers_lesson(tmp_path):
    good = tmp_path / "stride.json"
    good.write_text(json.dumps(lesson()), encoding="utf-8")
    result = run("C.UTF-8", "lessons", "check", str(good), str(BUILT_IN))
    assert result.returncode == 0, result.stdout
    assert f"{good}: ok, 1 steps" in result.stdout
    assert len([line for line in result.stdout.splitlines() if line.endswith("steps")]) == 13


def test_check_names_the_step_and_the_field_that_is_wrong_in_the_interface_language(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(lesson(check={"kind": "layer", "type": "Conv2d", "params": {"strid": 2}},
                                     target="Inspektor")), encoding="utf-8")
    english = run("C.UTF-8", "lessons", "check", str(bad))
    assert english.returncode == 1
    assert f"{bad}: step 1 “stride”: check.params.strid: Conv2d has no setting strid" in english.stdout
    assert f"{bad}: step 1 “stride”: target: Inspektor is not one of canvas" in english.stdout
    chinese = run("zh_CN.UTF-8", "lessons", "check", str(bad))
    assert chinese.returncode == 1
    assert f"{bad}: 第 1 步 “stride”: check.params.strid: Conv2d 没有设置项 strid" in chinese.stdout


def test_check_exit_codes_for_a_file_that_is_not_json_or_cannot_be_read(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    assert run("C.UTF-8", "lessons", "check", str(broken)).returncode == 1
    missing = run("C.UTF-8", "lessons", "check", str(tmp_path / "missing.json"))
    assert missing.returncode == 2 and "cannot be read" in missing.stdout


def test_dir_lists_a_teachers_folder_in_order(tmp_path):
    for number, name in ((2, "second"), (1, "first")):
        data = dict(lesson(), id=name, number=number, title={"en": name.title(), "zh_CN": name})
        (tmp_path / f"{name}.json").write_text(json.dumps(data), encoding="utf-8")
    result = run("C.UTF-8", "lessons", "--dir", str(tmp_path))
    assert result.returncode == 0
    assert result.stdout.splitlines() == ["1. First", "2. Second"]
