"""``python -m ldenrich`` runs the command line."""

import sys

from ldenrich.cli import main

sys.exit(main())
