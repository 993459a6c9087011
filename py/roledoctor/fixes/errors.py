"""The error a repair raises when its edit cannot be made on the text."""

from __future__ import annotations


class FixError(ValueError):
    pass
