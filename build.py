"""Build the support site in this folder: `python build.py --help`."""

import sys

from generator.cli import run

if __name__ == "__main__":
    sys.exit(run())
