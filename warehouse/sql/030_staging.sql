-- Staging is Parquet parts beside the warehouse file (warehouse/staging.py). Warehouses made before
-- held it in DuckDB tables: dropped, with whatever a killed run left in them.
drop schema if exists staging cascade;
