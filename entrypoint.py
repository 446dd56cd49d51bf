"""Container entry point: run the Action with the runner's environment and exit with its code."""

import os
import sys
from pathlib import Path

# The image copies releaser/ next to this file; the runner's cwd is the workspace.
sys.path.insert(0, str(Path(__file__).resolve().parent))

from releaser.action import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(os.environ))
