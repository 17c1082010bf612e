"""A corpus of model files written the ways real ones are, and torchvision's builders from three-line files.

Each imports, with its intended input shape, to a project with the original's
parameter count and output shape, whose exported model takes the original
weights strictly and computes the original's outputs. Without a shape, the
importer finds the intended one (the count is checked and printed). Files are imported in-process (the sandbox has its own tests).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch

from designer.core import shapes
from designer.ml import build
from designer.ml.importing import child, importer

CORPUS = Path(__file__).parent / "corpus"


@dataclass(frozen=True)
class Case:
    file: str
    shape: tuple
    model: str  # the file's name for the model the import should choose: a variable, a class or a factory
    chosen: str | None = None  # --class, where the file holds several models


CASES = [
    Case("chapter_alexnet.py", (1, 224, 224), "net"),
    Case("chapter_vgg.py", (1, 224, 224), "net"),
    Case("chapter_nin.py", (1, 224, 224), "net"),
    Case("chapter_resnet.py", (1, 96, 96), "net"),
    Case("course_mnist.py", (1, 28, 28), "model"),
    Case("course_containers.py", (1, 28, 28), "net"),
    Case("zoo_resnet.py", (3, 32, 32), "ResNet18"),
    Case("zoo_mobilenetv2.py", (3, 32, 32), "MobileNetV2"),
    Case("zoo_senet.py", (3, 32, 32), "SENet18"),
    Case("zoo_densenet.py", (3, 32, 32), "net"),
    Case("zoo_shufflenet.py", (3, 32, 32), "ShuffleNetSmall"),
    Case("gan_dcgan.py", (16, 1, 1), "netG", "netG"),
    Case("gan_resize_generator.py", (3, 64, 64), "generator"),
    Case("gan_linear_generator.py", (32,), "generator"),
    Case("seg_unet.py", (3, 64, 64), "UNet"),
    Case("mobile_blocks.py", (3, 64, 64), "model"),
]
TORCHVISION = [Case(f"tv_{name}.py", (3, 224, 224), "model") for name in
               ("resnet18", "mobilenet_v2", "mobilenet_v3_small", "squeezenet1_1", "googlenet", "densenet121",
                "shufflenet_v2_x0_5")]
# Files whose export renames some layers (UNet's Up and DenseNet's dense layers take several inputs, so they stay
# loose layers named up1_up, denselayer2_norm1); their original weights load through the import's key map.
KEEP_A_KEY_MAP = {"seg_unet.py", "zoo_densenet.py", "tv_densenet121.py"}
# Refused with torchvision's line, never dropped: ConvNeXt moves the channels last to normalise them.
REFUSED = {"tv_convnext_tiny.py": ("convnext.py line 33", "reordering dimensions has no block")}


def _import(case: Case, shape=None) -> importer.ImportResult:
    request = {"catalog": importer.catalog_params(), "class": case.chosen,
               "input_shape": list(shape) if shape else None}
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as in the sandboxed child
    try:
        data, tensors = child.describe(str(CORPUS / case.file), request)
    finally:
        torch.set_num_threads(threads)
    result = importer.ImportResult(str(CORPUS / case.file))
    if not data["ok"]:
        importer._found(result, data)
        result.error, result.failure = data["error"], data["failure"]
        return result
    return importer.finish(result, data, tensors)


def _original(case: Case) -> torch.nn.Module:
    spec = importlib.util.spec_from_file_location(f"corpus_{case.file[:-3]}", CORPUS / case.file)
    module = importlib.util.module_from_spec(spec)
    torch.manual_seed(0)
    spec.loader.exec_module(module)
    value = getattr(module, case.model)
    return (value() if callable(value) and not isinstance(value, torch.nn.Module) else value).eval()


def _check(case: Case) -> importer.ImportResult:
    result = _import(case, case.shape)
    assert result.ok, result.report()
    assert result.check.ok, result.report()
    original = _original(case)
    inferred = shapes.infer(result.project.graph)
    assert inferred.parameters == sum(p.numel() for p in original.parameters() if p.requires_grad)
    exported = build.build_model(result.project.graph).eval()
    if case.file in KEEP_A_KEY_MAP:  # layers no block can hold (two inputs, a list) are renamed: the map reads them
        exported.load_state_dict(importer.remap(original.state_dict(), result.key_map), strict=True)
    else:  # the export's keys are the file's own: its weights load as they are
        exported.load_state_dict(original.state_dict(), strict=True)
    x = torch.randn(2, *case.shape, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        want, got = original(x), exported(x)
    assert got.shape == want.shape == (2, *inferred.output_shape)
    scale = float(want.abs().max())
    assert torch.allclose(got, want, rtol=1e-4, atol=1e-5 * scale), float((got - want).abs().max())
    return result


@pytest.mark.parametrize("case", CASES, ids=[c.file for c in CASES])
def test_corpus_file_imports_with_its_parameters_weights_and_outputs(case):
    _check(case)


@pytest.mark.slow
@pytest.mark.parametrize("case", TORCHVISION, ids=[c.file for c in TORCHVISION])
def test_torchvision_builder_imports_with_its_parameters_weights_and_outputs(case):
    _check(case)


@pytest.mark.slow
@pytest.mark.parametrize("file, words", REFUSED.items())
def test_what_cannot_be_drawn_is_refused_by_name_and_line(file, words):
    result = _import(Case(file, (3, 224, 224), "model"), (3, 224, 224))
    assert not result.ok and result.failure == importer.FAILED_MODEL
    assert all(word in result.error for word in words), result.error


@pytest.mark.slow
def test_without_a_shape_every_file_gets_its_intended_input(capsys):
    hits = []
    for case in CASES + TORCHVISION[:2]:  # the other builders take the same path as these two
        result = _import(case)
        hits.append(result.ok and tuple(result.input_shape) == case.shape)
        print(f"{case.file}: {result.input_shape} ({result.shape_source})" if result.ok else
              f"{case.file}: {result.error}")
    print(f"intended input found for {sum(hits)} of {len(hits)}")
    assert sum(hits) == len(hits), capsys.readouterr().out
