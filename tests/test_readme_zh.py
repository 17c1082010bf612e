"""README.zh-CN.md is the whole README in Chinese: the same sections in the same order, the same commands,
pictures and links."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The English headings and their Chinese, in order: a new English section needs its translation here and there.
SECTIONS = {
    "Quick start": "快速开始",
    "Using it": "使用方法",
    "Languages, lessons and the projector": "语言、课程和投影",
    "Classroom: challenges, hand-ins and grading": "课堂：挑战、提交和评分",
    "Command line": "命令行",
    "Architecture": "架构",
    "Development": "开发",
}


def read(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


def headings(text: str) -> list[str]:
    return re.findall(r"^## (.+)$", text, re.MULTILINE)


def code_blocks(text: str) -> list[tuple[str, list[str]]]:
    """(language, what each line runs or names): a shell line without its comment, a map line's first word."""
    blocks = []
    for language, body in re.findall(r"^```(\w*)\n(.*?)^```", text, re.MULTILINE | re.DOTALL):
        if language == "bash":
            lines = [re.sub(r"\s+#.*$", "", line).rstrip() for line in body.splitlines()]
        else:
            lines = [line.split()[0] for line in body.splitlines() if line[:1].strip()]
        blocks.append((language, lines))
    return blocks


def targets(text: str) -> list[str]:
    """Pictures and links: the files and pages the text points to, in order."""
    return [t for t in re.findall(r"\]\(([^)]+)\)", text) if not t.startswith("README")]


def test_the_two_readmes_have_the_same_sections_in_the_same_order():
    assert headings(read("README.md")) == list(SECTIONS)
    assert headings(read("README.zh-CN.md")) == list(SECTIONS.values())


def test_the_two_readmes_run_the_same_commands():
    english, chinese = code_blocks(read("README.md")), code_blocks(read("README.zh-CN.md"))
    assert len(english) >= 4
    assert chinese == english


def test_the_two_readmes_show_the_same_pictures_and_links():
    assert targets(read("README.zh-CN.md")) == targets(read("README.md"))


def test_each_section_is_translated_whole():
    """Each Chinese section has the English one's paragraphs and list items, and names the same code
    (a summary would have fewer)."""
    def sections(text: str) -> list[str]:
        return re.split(r"^## .+$", text, flags=re.MULTILINE)

    for heading, en, zh in zip(["(intro)", *SECTIONS], sections(read("README.md")), sections(read("README.zh-CN.md"))):
        def shape(text: str) -> tuple[int, int]:
            paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
            return len(paragraphs), len(re.findall(r"^- ", text, re.MULTILINE))

        assert shape(zh) == shape(en), f"{heading}: paragraphs and list items differ"
        def spans(text: str) -> set[str]:
            return set(re.findall(r"`([^`\n]+)`", re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)))

        code = spans(en)
        missing = code - spans(zh)
        assert len(missing) <= len(code) // 10, f"{heading}: the Chinese leaves out {sorted(missing)}"
