"""Tagging: keyword suggestions from the taggers (plugins) against the library's vocabularies, stored
as suggested keywords for people to review. Knows nothing of Qt."""
