"""Export: the .py, ONNX, training script and notebook, and the check that they compute what the app does."""
