"""Where photos come from: server folders (the one walker), browser uploads, demo photos."""

__all__ = ["demo", "folders", "uploads", "visitors"]
