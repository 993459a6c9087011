"""Fixes: minimal text edits in the user's own formatting (see edits.py)."""
