-- Layers of the warehouse (DESIGN.md): core (published), analytics (public contract, views only), ops
-- (run bookkeeping) and quarantine (what was refused, and why). What a run stages before it publishes
-- is Parquet beside this file (warehouse/staging.py), not in it.
create schema if not exists core;
create schema if not exists analytics;
create schema if not exists ops;
create schema if not exists quarantine;
