"""Prefect orchestration only: flows wire tasks; tasks call plain functions in transforms/,
expectations/ and warehouse/."""
