"""Widgets: the parts of the window that show and edit (they draw; workers do the work)."""
