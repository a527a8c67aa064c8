"""Pure transforms: polars frames in, polars frames out. Nothing here imports Prefect."""
