"""Run NetDesigner: the app, or a headless command (check, export, train, predict)."""
from designer.cli import main

raise SystemExit(main())
