"""``python -m rag`` runs the CLI."""

import sys

from rag.cli import main

sys.exit(main())
