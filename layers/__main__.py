"""Entry point of ``python -m layers`` (see :mod:`layers.cli`)."""

import sys

from layers.cli import main

if __name__ == "__main__":
    sys.exit(main())
