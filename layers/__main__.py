"""Entry point of ``python -m layers`` (see :mod:`layers.cli` and :mod:`layers.store.cli`)."""

import sys

from layers.store.cli import run

if __name__ == "__main__":
    sys.exit(run())
