"""``python -m neurocost.cli`` runs the ``neurocost`` command."""

import sys

from neurocost.cli import main

sys.exit(main())
