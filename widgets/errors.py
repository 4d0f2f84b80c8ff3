"""THE way a page shows a failure (``show_error``): never a traceback, never a password.

* A ``PhotoimportError`` is a message written for people: shown as it is (database URL
  passwords hidden, as text, never Markdown).
* Anything else is a bug or an accident: its traceback goes to ``logs/dashboard.log`` in the
  library folder, and the visitor reads a short message that says so.

``dashboard.py`` runs every page inside ``guarded``, so an exception no page expected ends up
here too. (``.streamlit/config.toml`` also sets ``client.showErrorDetails = "none"``, for the
fragments that run outside that guard.)
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from photoimport.display import markdown_text
from photoimport.errors import (
    ConfigError,
    PasswordHidingFormatter,
    PhotoimportError,
    hide_passwords,
)
from photoimport.settings import load_settings

LOG_NAME = "dashboard.log"
log = logging.getLogger("photoimport.dashboard")


def _log_file() -> Path | None:
    """``logs/dashboard.log`` of the library, with a handler attached once per process."""
    try:
        logs = load_settings().logs_dir
    except ConfigError:
        return None
    path = logs / LOG_NAME
    if not any(getattr(h, "baseFilename", None) == str(path) for h in log.handlers):
        logs.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8")
        handler.setFormatter(PasswordHidingFormatter("%(asctime)s %(levelname)s %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
    return path


def show_error(exc: BaseException) -> None:
    """Show ``exc`` to the visitor in a few plain words; log the details of unexpected ones."""
    if isinstance(exc, PhotoimportError):
        st.error(markdown_text(hide_passwords(str(exc))), icon=":material/error:")
        return
    where = _log_file()
    log.error("page failed: %s", repr(exc), exc_info=exc)
    shown = f"logs/{LOG_NAME} in the library folder" if where else "the server's log"
    st.error(
        f"Something went wrong on this page ({type(exc).__name__}). The details were written to "
        f"{shown}.",
        icon=":material/error:",
    )


def guarded(run: Callable[[], object]) -> None:
    """Run a page; an exception it did not expect is shown by ``show_error``, not raised.

    Streamlit's own control flow (``st.rerun``, ``st.stop``) derives from ``BaseException`` and
    passes through untouched."""
    try:
        run()
    except Exception as exc:  # noqa: BLE001 - the page boundary: shown and logged, see above
        show_error(exc)
