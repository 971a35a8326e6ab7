"""Flags for a second look: rules, kept as data per language (resources/flag-rules/, and the user's own
in config_dir()/flag-rules/), that mark what an editor should check in an AI draft or an imported text
before approving it: guesses about a person, offensive or outdated terms, product claims a photo cannot
show, certainty in a medical draft, personal data. Pure Python: no Qt, no torch, no catalogue.
"""

from desktop_app.flagging.matching import Flag, find_flags, stored_flags
from desktop_app.flagging.meanings import MeaningMatcher
from desktop_app.flagging.rules import CATEGORIES, FlagRulesError, Rule, RuleSet, load_rules

__all__ = ["CATEGORIES", "Flag", "FlagRulesError", "MeaningMatcher", "Rule", "RuleSet", "find_flags",
           "load_rules", "stored_flags"]
