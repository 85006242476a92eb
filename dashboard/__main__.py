"""``python -m dashboard …``: the command-line interface."""

import sys

from dashboard.cli import main

sys.exit(main())
