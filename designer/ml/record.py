"""What a weights file was trained for: the record every weights file the app or ``train`` writes carries.

The record names the model's signature (``designer.ml.models.signature``),
the Input's shape, how pictures were converted for it (as the drawing pad
does, ``digits``; or as an image folder's were, ``folder``, with its channels
and size) and the class names in output order. Readers (``predict``, Try it,
Load Weights) take the conversion and the names from it, so weights trained
on ``folder:PATH`` answer by class name whatever the project's own dataset
says; weights of another model are refused with the reason. A file without
a record (a plain state_dict made elsewhere) is read with the project's settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from designer.core.datasets import is_folder
from designer.core.i18n import _

FORMAT = "netdesigner.weights"
VERSION = 1
DIGITS, FOLDER = "digits", "folder"


@dataclass(frozen=True)
class Record:
    """What a set of weights was trained for.

    Attributes:
        signature: the model's signature when the weights were written.
        input_shape: the Input's shape, without the batch dimension.
        pictures: ``digits`` (converted as the drawing pad does) or ``folder`` (as an image folder's pictures).
        classes: the class names, in the order of the model's scores.
        dataset: the data set trained on (``mnist-5k``, ``folder:PATH``...), for messages.
        channels, height, width: an image folder's conversion (0 for digits).
    """

    signature: str
    input_shape: tuple[int, ...]
    pictures: str
    classes: tuple[str, ...]
    dataset: str = ""
    channels: int = 0
    height: int = 0
    width: int = 0

    @property
    def folder(self) -> bool:
        return self.pictures == FOLDER

    def to_dict(self) -> dict:
        data = {"format": FORMAT, "version": VERSION, "signature": self.signature,
                "input_shape": list(self.input_shape), "pictures": {"kind": self.pictures},
                "classes": list(self.classes), "dataset": self.dataset}
        if self.folder:
            data["pictures"].update(channels=self.channels, height=self.height, width=self.width)
        return data

    @classmethod
    def from_dict(cls, data: dict | None) -> Record | None:
        """The record in ``data``; None when there is none or it is not one this version reads."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return None
        try:
            pictures = data.get("pictures") or {}
            kind = pictures.get("kind")
            shape = tuple(int(d) for d in data["input_shape"])
            classes = tuple(str(c) for c in data["classes"])
            if kind not in (DIGITS, FOLDER) or not isinstance(data["signature"], str):
                return None
            sizes = [int(pictures.get(k, 0)) for k in ("channels", "height", "width")]
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        return cls(data["signature"], shape, kind, classes, str(data.get("dataset", "")), *sizes)


def for_dataset(signature: str, input_shape, dataset: str, classes) -> Record:
    """The record of weights trained on ``dataset`` (whose classes are ``classes``) for an Input of ``input_shape``."""
    shape = tuple(int(d) for d in input_shape)
    if is_folder(dataset):
        from designer.ml.data.folders import picture_size

        channels, height, width = picture_size(shape)
        return Record(signature, shape, FOLDER, tuple(map(str, classes)), dataset, channels, height, width)
    return Record(signature, shape, DIGITS, tuple(map(str, classes)), str(dataset))


def mismatch(record: Record, signature: str, input_shape, scores: int | None) -> str | None:
    """Why weights with ``record`` are not this model's (its ``signature``, Input and number of scores), or None."""
    shape = tuple(int(d) for d in input_shape)
    if record.input_shape != shape:
        return _("they were trained for an Input of {trained}, and this model's Input is {shape}").format(
            trained=list(record.input_shape), shape=list(shape))
    if scores is not None and len(record.classes) != scores:
        return _("they were trained for {count} classes ({names}), and this model gives {scores} scores").format(
            count=len(record.classes), names=", ".join(record.classes), scores=scores)
    if record.signature != signature:
        return _("they were trained for another model (a layer, a setting or a wire differs from this one): "
                 "train this model, or open the project they were trained with")
    return None
