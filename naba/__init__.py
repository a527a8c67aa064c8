"""naba (نبأ): raw Arabic news in, a DuckDB warehouse of who said what and who called whom out."""

__version__ = "0.1.0"
