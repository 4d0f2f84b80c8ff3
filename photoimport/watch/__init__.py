"""Watched folders: the watcher process, its observers and settle logic, the folder registry."""

__all__ = ["control", "registry", "status", "watcher"]
