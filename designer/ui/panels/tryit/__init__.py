"""Try it: the drawing pad and the model behind it."""
