"""Editing the model: palette, inspector, problems, summary and the live code view."""
