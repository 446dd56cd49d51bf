"""`python -m releaser` runs the CLI."""

import sys

from releaser.cli import main

sys.exit(main())
