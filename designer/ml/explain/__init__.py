"""See how it computes: the convolution explainer's numbers and frames, and Look inside's layer outputs."""
