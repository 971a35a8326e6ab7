"""A plugin whose import fails, as one with a missing dependency does."""

import photo_annotator_no_such_dependency  # noqa: F401
