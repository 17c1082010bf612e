"""The model behind the drawing pad and the activations view, kept in step with the document.

``Tryout`` rebuilds the model after an edit, loads the document's trained
weights, classifies one picture (recording every layer's output with forward
hooks) and offers a quick training run on mnist-5k (``quick_training``). All
of that runs on worker threads: on a large model the pad keeps up with the
mouse. Torch is imported on first use, never at module level.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Signal

from designer.core import datasets
from designer.ui.background import Latest
from designer.ui.panels.tryit.numbers_input import Numbers, evaluate as evaluate_numbers
from designer.ui.panels.tryit.quick_training import QuickTraining

if TYPE_CHECKING:  # numpy and torch load with the first drawing, not with the window
    import numpy as np

FIELD_SHAPE = (1, 28, 28)


@dataclass
class Result:
    """One classification, for the pad and the activations view.

    Attributes:
        empty: no ink: nothing was classified.
        image: the 28x28 field the model sees, 0..1 (None when empty).
        probs: class probabilities, or None when the model cannot run.
        layers: every layer's output (``designer.ml.explain.inside.LayerOutput``), in forward order.
        tensor: the model input, (1, *input_shape).
        trained: the document's trained weights were used.
        model_ms: time spent in the model's forward pass.
        picture: an image-folder model's input as uint8 (H, W, 3) pixels, in colour where the model takes
            colour (None for digits).
        generation: the Tryout's generation (edits and new weights) it was computed in.
    """

    empty: bool
    image: np.ndarray | None = None
    probs: np.ndarray | None = None
    layers: list = field(default_factory=list)
    tensor: object = None
    trained: bool = False
    model_ms: float = 0.0
    picture: np.ndarray | None = None
    generation: int = -1


_NOTHING = object()  # no picture asked for: build only


@dataclass
class _Work:
    """What one job needs, copied in the UI thread: it touches nothing the UI thread changes."""

    generation: int
    lock: threading.Lock
    build: bool  # build the model (from ``graph``, with ``weights`` where they fit) before anything else
    graph: object
    weights: dict | None
    model: object = None  # the model built for this generation, when ``build`` is off
    trained: bool = False
    image: object = _NOTHING  # the pad's pixels, None for an empty pad, or _NOTHING
    input_shape: tuple = FIELD_SHAPE
    path: tuple = ()
    folder: bool = False  # an image-folder model: classify ``picture`` (or the pad) as its pictures were
    picture: object = None


@dataclass
class _Outcome:
    generation: int
    built: bool
    model: object
    trained: bool
    graph: object
    message: str = ""
    result: Result | None = None


@contextmanager
def one_core_left():
    """Run torch on every core but one in this (worker) thread: the one left keeps the window fluid.

    OpenMP's thread count is per thread, so this thread's is set and restored; other threads keep theirs.
    """
    import torch

    from designer.ui.worker import default_threads

    threads = torch.get_num_threads()
    torch.set_num_threads(min(threads, default_threads()))
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def _run(work: _Work) -> _Outcome:
    """On a worker thread: build the model if asked, then classify the picture if there is one."""
    with one_core_left():
        return _run_here(work)


def _run_here(work: _Work) -> _Outcome:
    model, trained, message = work.model, work.trained, ""
    if work.build:
        from designer.ml import models

        model, trained = None, False
        if work.graph is not None:
            try:
                model = models.build(work.graph)
            except models.ModelError as exc:
                message = str(exc)
            else:
                if work.weights is not None and models.fit(model, work.weights).ok:
                    models.attach(model, work.weights)
                    trained = True
                model.eval()
    outcome = _Outcome(work.generation, work.build, model, trained, work.graph, message)
    if work.image is _NOTHING:
        return outcome
    if work.image is None:
        outcome.result = Result(empty=True, generation=work.generation)
        return outcome
    with work.lock:  # hooks on a shared model: one forward at a time
        if isinstance(work.image, Numbers):  # a tiny Input's typed values, run as they are
            fields = evaluate_numbers(work.image, model, work.input_shape, work.path, work.graph)
            outcome.result, problem = Result(False, trained=trained, **fields) if fields else Result(True), ""
        elif work.folder:
            outcome.result, problem = _evaluate_picture(work, model, trained)
        else:
            outcome.result, problem = _evaluate(work, model, trained)
    outcome.message = outcome.message or problem
    outcome.result.generation = work.generation
    return outcome


def _evaluate(work: _Work, model, trained: bool) -> tuple[Result, str]:
    from designer.ml.data.preprocess import PreprocessError, preprocess
    from designer.ml.explain.inside import capture, probabilities

    problem = ""
    try:
        prepared = preprocess(work.image, work.input_shape)
    except PreprocessError as exc:  # an Input shape that images cannot fill
        problem = str(exc)
        prepared = preprocess(work.image, FIELD_SHAPE)
        model = None
    if prepared.empty:
        return Result(empty=True), problem
    result = Result(False, prepared.image, tensor=prepared.tensor, trained=trained)
    if model is not None:
        start = time.perf_counter()
        out, result.layers = capture(model, prepared.tensor, work.path, work.graph)
        result.probs = probabilities(out.reshape(1, -1))[0].numpy()
        result.model_ms = (time.perf_counter() - start) * 1000
    return result, problem


def _evaluate_picture(work: _Work, model, trained: bool) -> tuple[Result, str]:
    """An image-folder model: the opened picture (or the pad, once drawn on), converted as its pictures were."""
    import numpy as np
    from PIL import Image

    from designer.ml.data.folders import MEAN, STD, FolderError, prepare_array
    from designer.ml.explain.inside import capture, probabilities

    image = work.image
    if work.picture is not None:
        source = work.picture
    elif image.dtype == np.uint8:  # the pad's own pixels: white ink on black
        source = image
    else:
        source = np.clip(image * 255 + 0.5, 0, 255).astype(np.uint8)
    try:
        tensor = prepare_array(source, work.input_shape)
    except FolderError as exc:
        return Result(empty=True), str(exc)
    seen = np.asarray(Image.fromarray(source).convert("L").resize((28, 28)), np.float32) / 255.0
    # What the model sees, back in pixels: the picture at the Input's size, grey or colour as it was trained.
    pixels = tensor[0].numpy().reshape(-1, *tensor.shape[-2:]) * STD + MEAN
    pixels = np.clip(pixels * 255 + 0.5, 0, 255).astype(np.uint8)
    picture = np.ascontiguousarray(np.repeat(pixels, 3 // len(pixels), axis=0).transpose(1, 2, 0))
    result = Result(False, seen, tensor=tensor, trained=trained, picture=picture)
    if model is not None:
        start = time.perf_counter()
        out, result.layers = capture(model, tensor, work.path)
        result.probs = probabilities(out.reshape(1, -1))[0].numpy()
        result.model_ms = (time.perf_counter() - start) * 1000
    return result, ""


class Tryout(QuickTraining, QObject):
    """The document's model, ready to classify drawings.

    The model is built and run on a worker thread (``Latest``: the newest picture
    wins); answers arrive by ``result_ready``. An edit or new weights start a new
    generation: nothing of an older one is shown again.
    """

    status_changed = Signal()
    model_changed = Signal()  # an edit or new weights: the model is rebuilt, classify again
    model_ready = Signal()  # the model for the current edit is built (``model``; None when it cannot run)
    result_ready = Signal(object)  # Result
    training_progress = Signal(int, int)
    discarded = Signal(str)  # a quick training's weights were not kept (the window's status bar says why)

    def __init__(self, document, parent: QObject | None = None):
        super().__init__(parent)
        self.document = document
        self.model = None  # built for the current generation, or None
        self.trained = False
        self.last: Result | None = None
        self.message = ""  # an extra note: a build error, the last quick training's outcome
        self.generation = 0  # counts edits and new weights
        self.lock = threading.Lock()  # held by a worker while it runs the model (forward hooks are shared)
        self._dirty = True  # no model built for this generation yet
        self._graph = None  # the graph copy the model was built from
        self._wanted = _NOTHING  # the picture the next job classifies
        self._model_wanted = False  # the next job builds the model even without a picture
        self._jobs = Latest(self, show_superseded=True)  # every answer on the way is shown, in order
        self._signature = None
        self.picture = None  # uint8 (H, W) or (H, W, 3): an opened picture, for a model trained on an image folder
        self._classes: tuple | None = None  # (dataset, folder, class names or None), looked up once per dataset
        self._init_quick_training()
        document.shapes_changed.connect(self._shapes_changed)
        document.weights_changed.connect(self._invalidate)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    @property
    def busy(self) -> bool:
        """A build or a classification is in flight or waiting."""
        return self._jobs.busy

    @property
    def settled(self):
        """Emitted when nothing is in flight: the answer shown is the newest."""
        return self._jobs.settled

    # state ----------------------------------------------------------------------------
    def input_shape(self) -> tuple[int, ...]:
        shapes = self.document.shapes
        if shapes.path and shapes.nodes[shapes.path[0]].out_shape:
            return tuple(shapes.nodes[shapes.path[0]].out_shape)
        return FIELD_SHAPE

    def status(self) -> tuple[str, str]:
        """(kind, message): kind is invalid, output, training, untrained or ready."""
        shapes = self.document.shapes
        if not shapes.valid:
            return "invalid", self.tr("The model has errors: fix them on the canvas to try it out.")
        out = shapes.output_shape
        if out is None or len(out) != 1:
            return "output", self.tr("The model's output has shape {shape}: to classify digits it needs one score "
                                     "per class; end it with Linear(…, 10).").format(shape=tuple(out or ()))
        if self.training:
            return "training", self.tr("Training on mnist-5k…")
        if self.message:
            return ("ready" if self.document.weights is not None else "untrained"), self.message
        if self.document.weights is None:
            return "untrained", self.tr("This model has not been trained yet: its answers are guesses.")
        if self.folder_classes() is not None:
            return "ready", self.tr("Trained weights loaded: drop or open a picture, or draw on the pad.")
        return "ready", self.tr("Trained weights loaded: draw a digit.")

    def folder_classes(self) -> list[str] | None:
        """The class names of an image-folder model, else None.

        The weights' record says what they were trained on; without one, the project's ``folder:PATH`` does.
        """
        record = getattr(self.document, "weights_record", None)
        if record is not None:
            return list(record.classes) if record.folder else None
        dataset = (self.document.project.training or {}).get("dataset")
        if not datasets.is_folder(dataset):
            return None
        base = self.document.folder
        if self._classes is None or self._classes[:2] != (dataset, base):
            from designer.ml.data.folders import FolderError, classes_of

            try:
                names = classes_of(dataset, base)
            except FolderError as exc:
                self.message = self.tr("{problem}: the answers are shown as class numbers.").format(problem=exc)
                names = None
            self._classes = (dataset, base, names)
        return self._classes[2]

    def class_names(self, count: int) -> list[str]:
        """Names for ``count`` scores: the weights' (or image folder's) classes where they fit, else 0, 1, 2..."""
        record = getattr(self.document, "weights_record", None)
        names = list(record.classes) if record is not None else self.folder_classes()
        return list(names) if names and len(names) == count else [str(i) for i in range(count)]

    def _shapes_changed(self, *args) -> None:
        if self.document.model_signature() != self._signature:  # moving a block changes nothing here
            self._invalidate()

    def _invalidate(self, *args) -> None:
        self.generation += 1
        self._jobs.discard()  # an answer of the old model must never be shown
        self._dirty = True
        self._signature = self.document.model_signature()
        self.model, self.trained, self._graph = None, False, None
        self.message = ""
        self.status_changed.emit()
        self.model_changed.emit()

    @property
    def graph(self):
        """The copy of the graph ``model`` was built from (a worker may read it while the canvas is edited)."""
        return self._graph

    def current(self) -> Result | None:
        """The last answer if the current model gave it (not one from before the last edit)."""
        last = self.last
        return last if last is not None and last.generation == self.generation else None

    def needs_build(self) -> bool:
        """True when the model for the current edit has not been built yet."""
        return self._dirty

    def request_model(self) -> None:
        """Build the model on a worker thread (if not built yet); ``model_ready`` says when it is there."""
        if self._dirty:
            self._model_wanted = True
            self._jobs.request(self._prepare, self._arrived)

    # classification -------------------------------------------------------------------
    def evaluate(self, image: np.ndarray | None) -> None:
        """Classify a pad picture (uint8 or float, white on black), or a tiny Input's typed ``Numbers``, on a
        worker thread; ``result_ready`` brings it.

        None or no ink gives an empty Result. While a picture is being classified, a newer
        one waits (replacing any older one waiting).
        """
        self._wanted = image
        self._jobs.request(self._prepare, self._arrived)

    def _prepare(self):
        """In the UI thread, when the job's turn comes: what it needs, copied; None when there is nothing to do."""
        image, self._wanted = self._wanted, _NOTHING
        can_run = self.status()[0] not in ("invalid", "output")
        if self._dirty and not can_run:  # nothing can be built for this edit
            self._dirty, self.model, self.trained, self._graph = False, None, False, None
            self.model_ready.emit()
        asked, self._model_wanted = self._model_wanted, False
        drawn = image is not None and image is not _NOTHING  # an empty pad needs no model (nor torch)
        build = self._dirty and (asked or drawn)
        if not build and image is _NOTHING:
            return None
        folder = self.folder_classes() is not None if image is not _NOTHING else False
        work = _Work(self.generation, self.lock, build, self.document.snapshot().graph if build else self._graph,
                     self.document.weights, self.model, self.trained, image, self.input_shape(),
                     tuple(self.document.shapes.path), folder, self.picture)
        return lambda: _run(work)

    def _arrived(self, outcome: _Outcome) -> None:
        if outcome.generation != self.generation:
            return  # built or run before an edit (never reached: the edit discarded it)
        message = self.message
        if outcome.built:
            self._dirty = False
            self.model, self.trained, self._graph = outcome.model, outcome.trained, outcome.graph
        if outcome.message:
            self.message = outcome.message
        if self.message != message:
            self.status_changed.emit()
        if outcome.built:
            self.model_ready.emit()
        if outcome.result is not None:
            self.last = outcome.result
            self.result_ready.emit(outcome.result)
