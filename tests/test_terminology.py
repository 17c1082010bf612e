"""One Chinese word per concept across the Qt catalog, the gettext catalog and the lessons.

模块 is nn.Module (and a Python module), a canvas block is 块; filters are 卷积核; the held-out set is 验证集;
Explain is 讲解, while 演示 is Presentation Mode only.
"""
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

from tools import translations as tt

ROOT = Path(__file__).resolve().parents[1]
LESSONS = ROOT / "designer" / "resources" / "lessons"


def pairs() -> list[tuple[str, str, str]]:
    """(where, English, Chinese) for every translated text the user reads."""
    found = []
    for message in tt.read_catalog():
        if message.id and message.string:
            english = " ".join(message.id) if isinstance(message.id, tuple) else message.id
            chinese = " ".join(message.string) if isinstance(message.string, tuple) else message.string
            found.append(("po", english, chinese))
    for context in ET.parse(tt.TS).getroot().iter("context"):
        for message in context.iter("message"):
            translation = message.findtext("translation")
            if translation:
                found.append((f"ts {context.findtext('name')}", message.findtext("source"), translation))

    def walk(node, where):
        if isinstance(node, dict):
            if isinstance(node.get("en"), str) and isinstance(node.get("zh_CN"), str):
                found.append((where, node["en"], node["zh_CN"]))
            for value in node.values():
                walk(value, where)
        elif isinstance(node, list):
            for value in node:
                walk(value, where)

    for path in sorted(LESSONS.glob("*.json")):
        walk(json.loads(path.read_text(encoding="utf-8")), path.name)
    return found


def wrong_words(where: str, english: str, chinese: str) -> list[str]:
    problems = []
    if re.search("滤波器|过滤器", chinese):
        problems.append("filters are 卷积核")
    if re.search("留出|保留集|校验集", chinese):
        problems.append("the held-out set is 验证集")
    if "演示" in chinese and re.search(r"explain", english, re.IGNORECASE) and "Presentation" not in english:
        problems.append("Explain is 讲解 (演示 is Presentation Mode)")
    if "演示" in chinese and "Presentation" not in english:
        problems.append("演示 is Presentation Mode only")
    if re.search(r"held[- ]out", english, re.IGNORECASE) and "验证" not in chinese:
        problems.append("the held-out set is 验证集")
    if re.search(r"\bexplain", english, re.IGNORECASE) and "讲解" not in chinese:
        problems.append("Explain is 讲解")
    if "模块" in chinese and re.search(r"\bblocks?\b", english, re.IGNORECASE) \
            and not re.search(r"module", english, re.IGNORECASE):
        problems.append("a canvas block is 块 (模块 is nn.Module)")
    return [f"{where}: {english[:80]!r} -> {chinese[:80]!r}: {p}" for p in problems]


def test_one_word_per_concept():
    found = pairs()
    assert len(found) > 1000 and any(where.endswith(".json") for where, _, _ in found)
    problems = [p for pair in found for p in wrong_words(*pair)]
    assert not problems, "\n".join(problems)


def test_the_scan_finds_each_wrong_word():
    assert wrong_words("po", "Number of filters", "滤波器的个数")
    assert wrong_words("po", "held-out loss", "留出集损失")
    assert wrong_words("ts", "Explain", "演示")
    assert wrong_words("ts", "Held-out accuracy", "测试准确率")
    assert wrong_words("ts", "this block is not in the model", "这个模块还不在模型里")
    assert not wrong_words("ts", "&Presentation Mode", "演示模式(&P)")
    assert not wrong_words("po", "blocks from the file's modules", "由文件中的模块生成的块")
