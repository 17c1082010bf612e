"""The front door: the app by default, headless subcommands for scripts.

Each subcommand lives in ``designer.headless.<name>`` and is imported only
when used, so ``check`` never pays for torch and the app starts fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from designer.core import i18n
from designer.core.i18n import N_, _
from designer.headless import COMMANDS, MODULES

# argparse's own words that a user meets (Python 3.10 to 3.13), so that the catalog translates them too.
ARGPARSE_MESSAGES = (
    N_("usage: "), N_("positional arguments"), N_("options"), N_("show this help message and exit"),
    N_("%(prog)s: error: %(message)s\n"), N_("argument %(argument_name)s: %(message)s"),
    N_("the following arguments are required: %s"), N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"), N_("invalid %(type)s value: %(value)r"),
    N_("expected one argument"), N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("not allowed with argument %s"), N_("one of the arguments %s is required"),
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="netdesigner", description=_("Design, train and try out neural networks."))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = sub.add_parser("check", help=_("infer every node's output shape and report errors"))
    check.add_argument("files", nargs="+", metavar="FILE")
    check.add_argument("--json", action="store_true", help=_("print one JSON list instead of tables"))

    export = sub.add_parser("export", help=_("write the model as a standalone Python file (and weights)"))
    export.add_argument("file", metavar="FILE")
    export.add_argument("--py", metavar="OUT.py", help=_("the Python file to write"))
    export.add_argument("--style", choices=("class", "sequential"), default="class",
                        help=_("a class with a step-by-step forward (default) or a compact nn.Sequential"))
    export.add_argument("--weights", metavar="OUT.pt", help=_("also write a state_dict (.pt or .safetensors)"))
    export.add_argument("--from-weights", metavar="W.pt",
                        help=_("use these weights instead of a seeded initialisation"))
    export.add_argument("--onnx", metavar="OUT.onnx", help=_("also write an ONNX model"))
    export.add_argument("--train-script", metavar="TRAIN.py", help=_("also write a standalone training script"))
    export.add_argument("--notebook", metavar="OUT.ipynb",
                        help=_("also write a Jupyter notebook that trains the model with all of its settings"))
    export.add_argument("--no-check", action="store_true",
                        help=_("skip the check that imports the written files in a fresh process"))

    train = sub.add_parser("train", help=_("train the model headless"))
    train.add_argument("file", metavar="FILE")
    train.add_argument("--dataset", help=_("mnist-5k (bundled, default), mnist, fashion-mnist or folder:PATH "
                                           "(an image folder, one sub-folder per class)"))
    train.add_argument("--epochs", type=int)
    train.add_argument("--batch-size", type=int)
    train.add_argument("--lr", type=float)
    train.add_argument("--optimizer", help=_("SGD, Adam or AdamW"))
    train.add_argument("--device", help=_("cpu, cuda, cuda:N or mps"))
    train.add_argument("--seed", type=int)
    train.add_argument("--resume", nargs="?", const="latest", metavar="RUN",
                       help=_("continue a stopped or crashed run from its last checkpoint, with its own settings: "
                              "the latest one that can be continued, or RUN (e.g. run-0003)"))
    train.add_argument("--out", metavar="W.pt", required=True, help=_("where to write the trained state_dict"))
    train.add_argument("--no-record", action="store_true",
                       help=_("do not record the run in NAME.runs/ beside the project (no history, no checkpoints, "
                              "so it cannot be continued with --resume)"))

    predict = sub.add_parser("predict", help=_("classify images with a trained model"))
    predict.add_argument("file", metavar="FILE")
    predict.add_argument("--weights", metavar="W.pt", required=True)
    predict.add_argument("images", nargs="+", metavar="IMAGE")

    explain = sub.add_parser("explain", help=_("render a convolution or pooling layer's computation as a GIF"))
    explain.add_argument("file", metavar="FILE")
    explain.add_argument("--weights", metavar="W.pt", required=True)
    explain.add_argument("--layer", metavar="NAME", required=True, help=_("the layer's name (conv1) or node id"))
    explain.add_argument("--image", metavar="IMG", required=True, help=_("the picture to run it on"))
    explain.add_argument("--out", metavar="OUT.gif", required=True)
    explain.add_argument("--channel", type=int, default=0, help=_("the output channel to show (default 0)"))

    import_ = sub.add_parser("import", help=_("turn the model in a PyTorch .py file or an ONNX file into a project"))
    import_.add_argument("file", metavar="MODEL.py|MODEL.onnx")
    import_.add_argument("--out", metavar="OUT.netproj.json", required=True, help=_("the project file to write"))
    import_.add_argument("--class", dest="class_name", metavar="NAME",
                         help=_("the model to import: a class or a module-level variable (default: the outermost)"))
    import_.add_argument("--input-shape", metavar="C,H,W",
                         help=_("one sample's shape (default: from the file, else inferred)"))

    lessons = sub.add_parser("lessons", help=_("list the built-in lessons that follow the tutorial"))
    lessons.add_argument("--dir", metavar="DIR", help=_("list the lessons in this folder instead (a teacher's)"))
    lessons_sub = lessons.add_subparsers(dest="lessons_command", metavar="check")
    check_lessons = lessons_sub.add_parser("check", help=_("check lesson files and name each wrong step and field"))
    check_lessons.add_argument("files", nargs="+", metavar="FILE", help=_("lesson files (.json) or folders of them"))

    grade = sub.add_parser("grade", help=_("judge a folder of hand-ins and projects against a challenge"))
    grade.add_argument("challenge", metavar="CHALLENGE", help=_("the challenge file (.netchallenge.json)"))
    grade.add_argument("folder", metavar="FOLDER", help=_("the folder of hand-in files and projects"))
    grade.add_argument("--csv", metavar="OUT.csv", help=_("also write the results as a CSV file"))
    grade.add_argument("--html", metavar="OUT.html", help=_("also write a report as one HTML page"))
    from designer.core.templates import DEFAULT

    new = sub.add_parser("new", help=_("write a new project from a bundled template"))
    new.add_argument("out", nargs="?", metavar="OUT.netproj.json", help=_("the project file to write"))
    new.add_argument("--template", metavar="NAME",
                     help=_("the template's name (default: {name}); see --list").format(name=DEFAULT))
    new.add_argument("--list", action="store_true", help=_("list the templates, one a line"))
    new.add_argument("--force", action="store_true", help=_("replace OUT.netproj.json if it exists"))
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    i18n.set_language(i18n.language_from_env())
    # argparse looks up its own words ("usage:", "options", its errors) through these module-level
    # gettext names; point them at our catalog so --help is all in one language.
    argparse._ = i18n.gettext_
    argparse.ngettext = i18n.ngettext
    if argv and argv[0] in COMMANDS or argv[:1] in (["-h"], ["--help"]):
        args = build_parser().parse_args(argv)
        module = importlib.import_module(f"designer.headless.{MODULES.get(args.command, args.command)}")
        return module.run(args)
    from designer.ui.app import run_app

    return run_app(argv)
