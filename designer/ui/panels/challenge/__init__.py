"""Challenges in the app: the goals as a live checklist, and File ▸ Hand In."""
