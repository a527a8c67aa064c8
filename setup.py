"""The optional C module of the extraction (transforms/_native.c). The rest of the project is configured
in pyproject.toml. `optional=True`: without a C compiler the install still succeeds and the extraction
uses its Python definitions, which give the same results, more slowly. Compiled with Python's own flags
(-O3)."""

from setuptools import Extension, setup

setup(ext_modules=[Extension("transforms._native", ["transforms/_native.c"], optional=True)])
