"""The database: engine and migrations, the tables, all SQL a worker runs, stored settings."""

__all__ = ["claims", "engine", "models", "recovery", "settings_store"]
