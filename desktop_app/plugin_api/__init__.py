"""The public plugin API: the one module plugins import (contracts, hookimpl, transformers helpers)."""
