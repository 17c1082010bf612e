"""The commands that work without a window (``python main.py COMMAND``), one module each."""

COMMANDS = ("check", "export", "train", "predict", "import", "explain", "lessons", "new", "grade")
MODULES = {"import": "import_py"}  # "import" is a keyword: not a module name
