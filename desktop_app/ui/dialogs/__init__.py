"""Dialogs: each asks for what an operation needs and returns plain options."""
