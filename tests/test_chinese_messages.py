"""Messages raised in ml/ and core's codegen speak Chinese under zh_CN, still naming what they are about."""
import pytest
import torch

from designer.core import codegen, project
from designer.core.codegen import CodegenError
from designer.ml import weights
from designer.ml.data import folders
from designer.ml.training.loop import DeviceError, resolve_device

from tests.test_cli_language import BROKEN, run

LENET = "designer/resources/examples/lenet-28.netproj.json"


def test_train_with_a_wrong_device_name_is_refused_in_chinese(tmp_path):
    result = run("zh_CN.UTF-8", "train", LENET, "--device", "gpu", "--epochs", "1", "--out", str(tmp_path / "w.pt"))
    assert result.returncode != 0
    assert "'gpu' 不是设备名：请用 cpu、cuda、cuda:N 或 mps（本机可用：cpu" in result.stderr + result.stdout
    assert "is not a device name" not in result.stderr + result.stdout


def test_a_device_error_is_chinese(chinese):
    with pytest.raises(DeviceError, match=r"^'tpu' 不是设备名"):
        resolve_device("tpu")


def test_an_invalid_model_cannot_be_written_as_code_in_chinese(chinese):
    with pytest.raises(CodegenError, match=r"^模型无效，因此无法写成代码："):
        codegen.generate(project.load(BROKEN))


def test_a_weights_file_that_is_not_one_is_said_in_chinese(chinese, tmp_path):
    empty = tmp_path / "w.pt"
    empty.write_bytes(b"")
    with pytest.raises(weights.WeightsError, match=r"是空文件，不是权重文件$"):
        weights.load_state_dict(empty)
    torch.save({"fc.weight": [1, 2]}, tmp_path / "list.pt")
    with pytest.raises(weights.WeightsError, match="不是张量"):
        weights.load_state_dict(tmp_path / "list.pt")


def test_an_empty_class_folder_is_said_in_chinese(chinese, tmp_path):
    for name in ("cats", "dogs", "小鸟"):
        (tmp_path / name).mkdir()
    with pytest.raises(folders.FolderError, match="类别文件夹 cats, dogs, 小鸟 中没有图片"):
        folders.scan(tmp_path)


def test_the_exported_script_keeps_its_english():
    from designer.ml.standalone import pictures

    with pytest.raises(pictures.PictureFolderError, match="no such folder"):
        pictures.scan_folder("/no/such/folder")


def test_a_new_blank_project_is_named_in_chinese(chinese):
    from designer.core import templates

    assert templates.new_project("blank").name == "空白"
    assert templates.new_project("alexnet-small").name == "AlexNet-small"  # a model's name stays


def test_a_new_blank_project_keeps_its_english_name_in_english():
    from designer.core import templates

    assert templates.new_project("blank").name == "Blank"


def test_an_input_images_cannot_fill_is_said_in_chinese(chinese):
    import numpy as np

    from designer.ml.data import datasets

    with pytest.raises(datasets.DatasetError, match=r"^形状为 \[3\] 的 Input 放不下 28x28 的图像"):
        datasets.adapt(np.zeros((1, 28, 28), np.uint8), (3,), 0.5, 0.5)


def test_augmenting_samples_that_are_not_pictures_is_said_in_chinese(chinese):
    from designer.core import i18n
    from designer.ml.standalone.augment import AugmentError, augment
    from designer.ml.data.preview import augmentation
    from designer.core.training import TrainConfig

    with pytest.raises(AugmentError) as caught:
        augment(torch.zeros(2, 5), augmentation(TrainConfig(augment=True)), torch.Generator().manual_seed(0))
    assert i18n.said(caught.value) == "数据增强需要图片，而不是形状为 [5] 的样本"
    assert str(caught.value) == "augmentation needs pictures, not samples of shape [5]"  # the script's English
