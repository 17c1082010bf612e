"""Dataset references: one reader for ``folder:PATH`` and the built-in datasets' names."""
import os
from pathlib import Path

import pytest

from designer.core import datasets


def test_a_reference_is_parsed_and_resolved_from_the_project_folder(tmp_path):
    assert datasets.is_folder("folder:pics") and not datasets.is_folder("mnist") and not datasets.is_folder(None)
    assert datasets.folder_text("folder: pics ") == "pics" and datasets.folder_text("mnist-5k") == ""
    assert datasets.resolve("folder:pics", tmp_path) == tmp_path / "pics"
    assert datasets.resolve("folder:pics", None) == Path("pics")
    assert datasets.resolve(f"folder:{tmp_path}", Path("/elsewhere")) == tmp_path
    assert datasets.resolve("folder:~/pics", tmp_path) == Path(os.path.expanduser("~/pics"))
    with pytest.raises(ValueError, match="folder:pictures"):
        datasets.resolve("folder: ", tmp_path)
    assert datasets.project_folder(tmp_path / "p.netproj.json") == tmp_path.resolve()
    assert datasets.project_folder(None) is None


def test_a_chosen_folder_is_written_relative_to_the_project(tmp_path):
    assert datasets.folder_reference(tmp_path / "a" / "pics", tmp_path / "b") == "folder:../a/pics"
    assert datasets.folder_reference(tmp_path / "pics", None) == f"folder:{(tmp_path / 'pics').as_posix()}"
    assert datasets.folder_reference("pics", tmp_path) == "folder:pics"
    assert datasets.folder_reference("", tmp_path) == "folder:"


def test_rebase_keeps_naming_the_same_folder(tmp_path):
    old, new = tmp_path / "a", tmp_path / "b" / "c"
    assert datasets.rebase("folder:pics", old, new) == "folder:../../a/pics"
    assert datasets.rebase("folder:pics", old, old) == "folder:pics"
    assert datasets.rebase("folder:../shared/pics", old, tmp_path) == "folder:shared/pics"
    absolute = f"folder:{(tmp_path / 'pics').as_posix()}"
    assert datasets.rebase(absolute, old, new) == absolute  # written so by hand: kept
    assert datasets.rebase("folder:~/pics", old, new) == "folder:~/pics"
    assert datasets.rebase("mnist-5k", old, new) == "mnist-5k"
    for name in ("folder:pics", "folder:../shared/pics"):
        moved = datasets.rebase(name, old, new)
        assert datasets.resolve(moved, new).resolve() == datasets.resolve(name, old).resolve()


def test_the_first_save_writes_a_chosen_folder_relative_to_the_file(tmp_path):
    """Before, a folder chosen before the first Save was written as an absolute path."""
    chosen = f"folder:{(tmp_path / 'pictures').as_posix()}"
    assert datasets.rebase(chosen, None, tmp_path / "projects") == "folder:../pictures"


def test_built_in_datasets_have_one_table_of_class_names():
    assert datasets.class_names("fashion-mnist")[9] == "Ankle boot"
    assert datasets.class_names("mnist-5k") == [str(i) for i in range(10)]
    assert datasets.class_names("folder:pics") is None
    assert set(datasets.CLASSES) == set(datasets.BUILT_IN) == set(datasets.TRAIN_SAMPLES)

