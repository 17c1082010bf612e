"""The convolution explainer speaks Chinese: its messages, and the text drawn into its frames."""

import numpy as np
import pytest
import torch

from designer.core import i18n
from designer.ml.explain import frames as explain_render
from designer.ml.explain.numbers import ExplainError, Explainer
from designer.ml.explain.frames import MARGIN, Renderer

CONV = {"in_channels": 2, "out_channels": 3, "kernel_size": (3, 3), "padding": (1, 1)}


def conv_frame(**changes) -> np.ndarray:
    torch.manual_seed(0)
    conv = torch.nn.Conv2d(2, 3, 3, padding=1)
    explainer = Explainer("Conv2d", {**CONV, **changes}, torch.randn(2, 8, 8), conv.weight, conv.bias)
    return np.asarray(Renderer(explainer, "conv1").frame(5, out_channel=1)[0])


def test_messages_are_chinese_under_chinese(chinese):
    with pytest.raises(ExplainError, match="^Linear 没有可讲解的滑动窗口$"):
        Explainer("Linear", {}, torch.zeros(1, 4, 4))
    what_if = Explainer("Conv2d", {**CONV, "kernel_size": (5, 5)}, torch.zeros(2, 8, 8),
                        torch.zeros(3, 2, 3, 3))
    with pytest.raises(ExplainError, match="这个卷积核尺寸没有权重"):
        what_if.cell(0, 0, 0)


def test_the_formula_follows_a_language_switch():
    explainer = Explainer("Conv2d", {**CONV, "padding": "same"}, torch.zeros(2, 8, 8))
    assert explainer.formula == 'padding="same": H, W unchanged = 8, 8'
    i18n.set_language(i18n.CHINESE)
    try:
        assert explainer.formula != 'padding="same": H, W unchanged = 8, 8'
        assert explainer.formula.startswith('padding="same"')
    finally:
        i18n.set_language(i18n.ENGLISH)


def test_a_chinese_frame_draws_its_text_with_a_cjk_font(chinese):
    assert explain_render.cjk_font() is not None, "install a Simplified Chinese font (e.g. Noto Sans CJK SC)"
    drawn = conv_frame()
    i18n.set_language(i18n.ENGLISH)
    english = conv_frame()
    assert drawn.shape == english.shape
    heading = slice(0, MARGIN + 20)
    assert not np.array_equal(drawn[heading], english[heading])  # the caption changed...
    np.testing.assert_array_equal(drawn[MARGIN + 22:MARGIN + 150], english[MARGIN + 22:MARGIN + 150])  # not the grids


def test_without_a_cjk_font_a_chinese_frame_is_drawn_in_english(chinese, monkeypatch):
    monkeypatch.setattr(explain_render, "cjk_font", lambda: None)
    # The what-if kernel has no weights: the frame shows that error, and the "same" padding's formula, in English.
    fallback = conv_frame(kernel_size=(5, 5), padding="same")
    assert i18n.language() == i18n.CHINESE  # drawing in English left the language alone
    i18n.set_language(i18n.ENGLISH)
    np.testing.assert_array_equal(fallback, conv_frame(kernel_size=(5, 5), padding="same"))
