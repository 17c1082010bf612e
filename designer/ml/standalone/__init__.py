"""Code copied verbatim into exported training scripts: imports only stdlib, numpy, torch and Pillow, never designer."""
