"""The commands speak the locale's language, as command-line tools do (subprocess, as a user runs them)."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BROKEN = "designer/resources/examples/broken-lenet.netproj.json"


def run(lang: str, *args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    """``python main.py ARGS`` under the locale ``lang``, run from ``cwd``."""
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    env.update(LANG=lang, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, str(ROOT / "main.py"), *args], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", timeout=300, env=env)


def test_check_prints_chinese_under_a_chinese_locale():
    result = run("zh_CN.UTF-8", "check", BROKEN)
    assert result.returncode == 1
    assert "错误：in_features 应为 400，即它的输入 (400) 的大小，而不是 256。" in result.stdout
    assert "修复：把 in_features 设为 400" in result.stdout
    assert "无效：1 个错误" in result.stdout
    assert result.stdout.rstrip().endswith("1 个文件：0 个有效，1 个无效，0 个无法读取")


def test_check_prints_english_under_c_utf8():
    result = run("C.UTF-8", "check", BROKEN)
    assert result.returncode == 1
    assert "error: in_features should be 400, the size of its input (400), not 256." in result.stdout
    assert result.stdout.rstrip().endswith("1 file: 0 valid, 1 invalid, 0 unreadable")


def test_help_and_argparse_errors_follow_the_locale():
    help_text = run("zh_CN.UTF-8", "--help").stdout
    assert help_text.startswith("用法：netdesigner")
    assert "推断每个节点的输出形状并报告错误" in help_text and "显示此帮助信息并退出" in help_text
    missing = run("zh_CN.UTF-8", "check")
    assert missing.returncode == 2 and "缺少以下必需参数：FILE" in missing.stderr
    assert "the following arguments are required: FILE" in run("C.UTF-8", "check").stderr


def test_the_chinese_template_list_separates_title_and_description_as_chinese_does():
    from designer.core import templates

    result = run("zh_CN.UTF-8", "new", "--list")
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert result.returncode == 0 and len(lines) == len(templates.TEMPLATES)
    assert lines["lenet-28"].startswith("lenet-28           用于 MNIST 的 LeNet（28×28）（默认）：经典的")
    assert ": " not in result.stdout
    accuracy = templates.measurements()["alexnet-small"].accuracy
    assert lines["alexnet-small"].endswith(f"。实测：在 mnist-5k 上训练 5 轮后，验证集准确率为 {accuracy:.1%}（一次运行）。")


def test_chinese_table_columns_line_up():
    """CJK characters take two columns in a terminal: the table pads by display width."""
    import unicodedata

    lines = [line for line in run("zh_CN.UTF-8", "check", BROKEN).stdout.splitlines() if line.startswith("  n")
             or line.startswith("  编号")]
    def column(line: str, text: str) -> int:
        before = line[:line.index(text)]
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in before)
    header = next(line for line in lines if line.startswith("  编号"))
    row = next(line for line in lines if line.startswith("  n8 "))
    assert column(header, "类型") == column(row, "Linear")


def test_lessons_lists_the_twelve_titles_in_the_interface_language():
    english = run("C.UTF-8", "lessons")
    chinese = run("zh_CN.UTF-8", "lessons")
    assert english.returncode == chinese.returncode == 0
    assert english.stdout.splitlines()[0] == "1. Module and layers"
    assert chinese.stdout.splitlines()[5] == "6. 训练循环"
    assert len(english.stdout.splitlines()) == len(chinese.stdout.splitlines()) == 12
