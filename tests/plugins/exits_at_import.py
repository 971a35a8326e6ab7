"""A plugin that calls sys.exit() when imported, as a careless command-line module does."""

import sys

sys.exit(3)
