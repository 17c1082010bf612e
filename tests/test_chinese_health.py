"""The weights fit summary and the image folder's split note follow the chosen language."""

import torch

from designer.ml import weights
from designer.ml.data import folders
from designer.ml.standalone import pictures


def test_weights_summary_in_chinese_names_the_key_and_counts(chinese):
    model = {"fc.weight": torch.zeros(3, 4), "fc.bias": torch.zeros(3)}
    loaded = {"fc.weight": torch.zeros(2, 4), "fc.bias": torch.zeros(3)}
    text = weights.compare(model, loaded).summary()
    assert "权重与模型不匹配（2 个张量中有 1 个匹配）" in text
    assert "fc.weight：文件中的形状是 (2, 4)，模型需要 (3, 4)" in text


def test_split_note_is_chinese_in_the_app_but_english_in_pictures(chinese, tmp_path):
    from PIL import Image
    for name in ("cat", "dog"):
        (tmp_path / name).mkdir()
        for i in range(10):
            Image.new("RGB", (8, 8), (i * 20, 0, 0)).save(tmp_path / name / f"{i}.png")
    assert folders.scan(tmp_path).split == "每个类别取出 10% 作为验证集，每次运行都是同一批图片"
    assert pictures.scan_folder(tmp_path).split == "10% of each class held out, the same pictures every run"
