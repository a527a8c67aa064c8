"""A bounded memo for pure functions of a word, which extraction asks about the same words again and again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class WordMemo(dict):
    """`memo[word]` is `compute(word)`, computed once per word. The memo is emptied when it reaches
    `limit` entries, so a long run's memory stays bounded (a corpus has a few hundred thousand words).
    Hits are plain dict look-ups, in C. Pickles with its entries (resources ship to workers)."""

    def __init__(self, compute: Callable[[str], Any], limit: int) -> None:
        super().__init__()
        self.compute = compute
        self.limit = limit

    def __missing__(self, word: str) -> Any:
        if len(self) >= self.limit:
            self.clear()
        value = self[word] = self.compute(word)
        return value
