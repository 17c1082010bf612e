"""Importing a .py speaks Chinese: the command's report and errors, the sandbox's protections and reasons."""
from pathlib import Path

from designer.core import i18n
from designer.core.i18n import _
from designer.ml.importing import sandbox
from tests.test_cli_language import run

ROOT = Path(__file__).resolve().parents[1]
LENET_28 = ROOT / "designer" / "resources" / "examples" / "lenet-28.netproj.json"
TINY = """
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(x)
"""


def test_import_reports_in_chinese_under_a_chinese_locale(tmp_path):
    (tmp_path / "tiny.py").write_text(TINY, encoding="utf-8")
    done = run("zh_CN.UTF-8", "import", "tiny.py", "--out", "tiny.netproj.json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "tiny.py：找到 Net（类，第 5 行），已选用" in done.stdout
    assert "从 Net 导入了 1 个层；输入 4" in done.stdout
    assert "重建的模型：已验证：输出完全一致" in done.stdout
    assert done.stdout.rstrip().endswith("已写入 tiny.netproj.json")
    assert (tmp_path / "tiny.netproj.json").is_file()


def test_a_missing_file_is_named_in_chinese(tmp_path):
    done = run("zh_CN.UTF-8", "import", "nope.py", "--out", "x.netproj.json", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == "import：nope.py：文件不存在"
    assert run("C.UTF-8", "import", "nope.py", "--out", "x.netproj.json", cwd=tmp_path).stderr.strip() == \
        "import: nope.py: no such file"


def test_explain_names_the_layers_it_can_explain_in_chinese(tmp_path):
    done = run("zh_CN.UTF-8", "explain", str(LENET_28), "--weights", str(tmp_path / "w.pt"), "--layer", "conv9",
               "--image", str(tmp_path / "x.png"), "--out", str(tmp_path / "x.gif"))
    assert done.returncode == 1
    assert done.stderr.strip() == \
        f"错误：{LENET_28}：模型中没有名为 'conv9' 的层（可讲解的层：conv1, pool1, conv2, pool2）"


def test_missing_protections_follow_a_language_switch(monkeypatch):
    offered = {"network": False, "processes": True, "files": False, "limits": True}
    monkeypatch.setattr(sandbox, "_AVAILABLE", offered)
    assert sandbox.missing() == ["no network (its own network namespace)",
                                 "it can write only inside its temporary folder (Landlock)"]
    i18n.set_language(i18n.CHINESE)
    try:
        assert sandbox.missing() == ["不能联网（它有自己的网络命名空间）",
                                     "它只能在自己的临时文件夹里写入（Landlock）"]
        assert sandbox.protections()["limits"] == "内存和 CPU 时间限制"
    finally:
        i18n.set_language(i18n.ENGLISH)


def test_why_the_child_failed_is_told_in_chinese(chinese):
    what = _("running the file")
    stopped = sandbox.ChildResult(None, "", timed_out=True)
    assert stopped.problem(what, 60) == "运行该文件：未在 60 秒内完成，已被终止"
    crashed = sandbox.ChildResult(1, "Traceback\nRuntimeError: boom\n")
    assert crashed.problem(what, 60) == "运行该文件：失败：RuntimeError: boom"


def test_what_the_sandboxed_child_finds_is_told_in_the_apps_language(tmp_path, chinese):
    from designer.ml.importing import importer

    path = tmp_path / "scaled.py"
    path.write_text(TINY.replace("return self.fc(x)", "return self.fc(x) * 2"), encoding="utf-8")
    result = importer.import_py(path)
    assert not result.ok  # an operation it cannot draw is refused, never dropped
    report = result.report()
    assert "scaled.py：找到 Net（类，第 5 行），已选用" in report
    assert "第 11 行 `return self.fc(x) * 2`：乘以一个数、一个权重或一个不来自其他层的张量没有对应的块" in report
