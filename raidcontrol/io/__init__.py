"""Adapters: file formats and importers (event folders, the organiser's data, GPX, Parquet …)."""
