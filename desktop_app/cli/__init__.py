"""The `photo-annotator` command line: a front end over the same services as the GUI."""
