"""Captioning: the engine (engine.py) that runs plugins' captioners over batches of files (the contract
itself is in desktop_app.plugin_api). Knows nothing of Qt; torch is imported only when needed."""
