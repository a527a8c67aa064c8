"""The DuckDB warehouse: DDL (sql/), staging writes, the publish transaction, run bookkeeping."""
