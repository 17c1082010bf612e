"""The training run: the loop, its events, control, checkpoints, health, mistakes and run records."""
