"""Container entry point. Without arguments, run the Action with the runner's environment;
with arguments, run the `releaser` command line, e.g. `IMAGE verify evidence/`."""

import os
import sys
from pathlib import Path

# The image copies releaser/ next to this file; the runner's cwd is the workspace.
sys.path.insert(0, str(Path(__file__).resolve().parent))

if __name__ == "__main__":
    # The runner starts a Docker action with the arguments of action.yml's `runs.args`, which
    # releaser leaves empty: inputs arrive as INPUT_* variables, never as arguments.
    if len(sys.argv) > 1:
        from releaser.cli import main as cli

        sys.exit(cli(sys.argv[1:]))
    from releaser.action import main

    sys.exit(main(os.environ))
