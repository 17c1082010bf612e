"""The lesson panel."""
