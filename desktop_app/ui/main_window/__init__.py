"""The main window, wiring widgets, workers and the small controllers that run each area."""
