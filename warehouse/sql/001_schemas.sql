-- Layers of the warehouse (DESIGN.md): staging (this run), core (published), analytics (public
-- contract, views only), ops (run bookkeeping) and quarantine (what was refused, and why).
create schema if not exists staging;
create schema if not exists core;
create schema if not exists analytics;
create schema if not exists ops;
create schema if not exists quarantine;
