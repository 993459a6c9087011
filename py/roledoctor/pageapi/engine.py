"""The diagnosis engine as the page adapter reaches it: imported on first use,
and a clear error (not an ImportError) in a build that lacks it."""

from __future__ import annotations

from collections.abc import Callable


class EngineMissing(RuntimeError):
    pass


def engine() -> Callable[[dict[str, str]], dict]:
    try:
        from roledoctor.pageapi.view import diagnose_for_page
    except ImportError as err:
        raise EngineMissing("the diagnosis engine (roledoctor.pageapi.view) is not in this build yet") from err
    return diagnose_for_page
