"""Weekly situation reports -> indicators with provenance, an event log, DuckDB."""

__version__ = "0.1.0"
