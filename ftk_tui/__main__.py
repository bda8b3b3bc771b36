"""Run the monitor with `python -m ftk_tui RUN_DIR`."""

from ftk_tui.app import main

raise SystemExit(main())
