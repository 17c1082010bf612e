"""NetDesigner: design, train and try out PyTorch networks visually."""

from importlib import metadata

try:
    __version__ = metadata.version("netdesigner")
except metadata.PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0.1.0+source"
