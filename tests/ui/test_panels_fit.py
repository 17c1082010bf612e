"""Each panel's primary content is in view without scrolling, on a laptop (1366×768) and in the first window of
a larger screen (1500×950), in English and in Chinese: the pad, the answer and its bars; Start, Stop and the loss
curve (during a run too); the inspector's Fix button; the explainer's numbers at a readable size.

The app runs in a fresh process (tests/ui/fit_probe.py) on an offscreen screen of that size, used as a user
would: a digit drawn with the mouse, a run started with the Start button, a mistake made in the inspector.
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = Path(__file__).with_name("fit_probe.py")
READABLE_PX = 11  # the explainer's numbers, in screen pixels


def probe(tmp_path, width: int, height: int, language: str, panels: str, mode: str = "") -> dict:
    tmp_path.mkdir(parents=True, exist_ok=True)
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{"name": "screen", "x": 0, "y": 0, "width": width, "height": height,
                                               "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    env = {"QT_QPA_PLATFORM": f"offscreen:configfile={config}", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT),
           "HOME": str(tmp_path), "OMP_NUM_THREADS": "1"}
    result = subprocess.run([sys.executable, str(PROBE), str(tmp_path / "settings"), language, panels, mode],
                            cwd=ROOT, capture_output=True, text=True, timeout=240, env=env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def in_view(seen: dict) -> bool:
    """The widget is shown, wholly inside its dock's viewport, and the dock does not scroll sideways."""
    x, y, w, h = seen["box"]
    vw, vh = seen["viewport"]
    return (seen["visible"] and seen["in_window"] and not seen["sideways"] and w > 0 and h > 0
            and 0 <= x and 0 <= y and x + w <= vw and y + h <= vh)


def assert_in_view(part: dict, *names: str) -> None:
    for name in names:
        assert in_view(part[name]), (name, part)


SCREENS = {"laptop": (1366, 768), "desktop": (1920, 1080)}  # the desktop's first window is 1500×950


@pytest.mark.parametrize("language", ["en", "zh_CN"])
@pytest.mark.parametrize("screen", list(SCREENS))
def test_every_panels_primary_content_is_in_view_without_scrolling(tmp_path, screen, language):
    seen = probe(tmp_path, *SCREENS[screen], language, "tryit,explain,training,inspector")
    if screen == "desktop":
        assert seen["window"] == [1500, 950]
    tryit = seen["tryit"]
    assert tryit["answer_text"] not in ("", "–")  # the drawing was classified
    assert_in_view(tryit, "pad", "answer", "bars", "clear")
    assert tryit["bars_fit"], tryit  # each class name, its bar and its percentage inside the bars' width

    assert_in_view(seen["training_idle"], "start", "stop", "curves")
    run = seen["training_run"]
    assert_in_view(run, "start", "stop", "curves", "status_label")
    assert run["status_fits"], run  # "… ETA 0:12", not "ETA 0:1"
    assert run["tabs_fit"], run  # every result tab's title in the dock's width: no scroll arrows
    end = seen["training_end"]
    assert end["tab_after"] == end["tab_before"], end  # the end of a run leaves the user's tab alone

    assert seen["inspector"]["fix_shown"]
    assert_in_view(seen["inspector"], "fix")

    explain = seen["explain"]
    assert_in_view(explain, "numbers", "step")
    assert explain["text_px"] >= READABLE_PX, explain


EVERYTHING = "lessons,canvas,tryit,explain,training,inspector"


@pytest.mark.parametrize("width, height, language, panels", [
    (1280, 720, "en", EVERYTHING), (1280, 720, "zh_CN", EVERYTHING), (1920, 1080, "en", EVERYTHING),
    (1400, 900, "zh_CN", "lessons,canvas")])
def test_in_presentation_mode_nothing_is_clipped_on_a_projector(tmp_path, width, height, language, panels):
    """F5 on a projector's screen: larger text everywhere, the lesson (the Conv2d lesson's first step, with the
    long formula) readable beside the canvas, the canvas refitted, and every panel's primary content in view."""
    seen = probe(tmp_path, width, height, language, panels, "present")
    assert seen["font_pt"] >= 1.25 * seen["normal_font_pt"]  # the whole window is zoomed
    assert seen["canvas"]["all_in_view"]
    lessons = seen["lessons"]
    assert_in_view(lessons, "text", "next")
    assert lessons["text_pt"] > seen["font_pt"]  # the lesson's text larger still
    if panels == EVERYTHING:
        assert_in_view(seen["tryit"], "pad", "answer", "bars")
        assert_in_view(seen["training_run"], "start", "stop", "curves", "status_label")
        assert seen["training_run"]["tabs_fit"] and seen["training_run"]["status_fits"]
        assert_in_view(seen["inspector"], "fix")
        assert_in_view(seen["explain"], "numbers", "step")
        assert seen["explain"]["text_px"] >= 1.25 * READABLE_PX
