"""`python -m ftk.cli`: the same as the `ftk` command."""

import sys

from ftk.cli import main

sys.exit(main())
