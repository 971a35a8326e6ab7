"""Photo Annotator: caption, review and search photo collections with AI models."""

__version__ = "0.1.0"
