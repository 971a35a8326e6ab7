"""The detail pane and its parts: preview, metadata, caption cards, review box (the pane assembles them)."""
