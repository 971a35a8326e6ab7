"""Captioning: the captioner contract plugins implement. Knows nothing of Qt; imports torch only in load()."""
