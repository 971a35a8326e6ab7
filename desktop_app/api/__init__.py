"""The local HTTP API (FastAPI on uvicorn): a front end beside the CLI and the app, calling the same
services; `photo-annotator serve` starts it."""
