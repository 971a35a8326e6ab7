"""A plugin whose import is interrupted by Ctrl+C: that stops the program, it is not a plugin failure."""

raise KeyboardInterrupt
