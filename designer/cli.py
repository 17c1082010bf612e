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

COMMANDS = ("check", "export", "train", "predict")
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

    train = sub.add_parser("train", help=_("train the model headless"))
    train.add_argument("file", metavar="FILE")
    train.add_argument("--dataset", help=_("mnist-5k (bundled, default), mnist or fashion-mnist"))
    train.add_argument("--epochs", type=int)
    train.add_argument("--batch-size", type=int)
    train.add_argument("--lr", type=float)
    train.add_argument("--optimizer", help=_("SGD, Adam or AdamW"))
    train.add_argument("--device", help=_("cpu, cuda, cuda:N or mps"))
    train.add_argument("--seed", type=int)
    train.add_argument("--out", metavar="W.pt", required=True, help=_("where to write the trained state_dict"))

    predict = sub.add_parser("predict", help=_("classify images with a trained model"))
    predict.add_argument("file", metavar="FILE")
    predict.add_argument("--weights", metavar="W.pt", required=True)
    predict.add_argument("images", nargs="+", metavar="IMAGE")
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
        module = importlib.import_module(f"designer.headless.{args.command}")
        return module.run(args)
    from designer.ui.app import run_app

    return run_app(argv)
