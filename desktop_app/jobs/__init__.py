"""Jobs: the persistent queue of work for the inference worker, and the runner that does it."""
