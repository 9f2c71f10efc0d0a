"""treatyx: structured, source-grounded facts about defence agreements from news text."""

__version__ = "0.1.0"
