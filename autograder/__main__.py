"""`python -m autograder`: the CLI (autograder/cli.py)."""

import sys

from autograder.cli import main

sys.exit(main())
