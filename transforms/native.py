"""The extraction's hot text loops in C (`transforms/_native.c`), or None where the install could not
build it (no C compiler): each caller then runs its Python definition, which gives the same result.
`tests/test_native.py` checks that the two agree."""

from __future__ import annotations

from types import ModuleType

native: ModuleType | None
try:
    from transforms import _native as native
except ImportError:
    native = None
