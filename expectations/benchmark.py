"""Time validate_batch on synthetic batches: `python -m expectations.benchmark [documents]`.

Prints seconds per step for a clean batch and for one with 1% of mentions corrupted (span mismatch),
and what converting the full frames (with article text) to pandas would cost instead.
"""

from __future__ import annotations

import sys
import time

import polars as pl

from expectations.gate import validate_batch
from expectations.synthetic import synthetic_frames


def _seconds(timings: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.2f}" for k, v in timings.items())


def main(documents: int = 100_000) -> None:
    started = time.perf_counter()
    frames = synthetic_frames(documents)
    print(
        f"generated { ({k: v.height for k, v in frames.items()}) } in {time.perf_counter() - started:.1f} s"
    )
    validate_batch(synthetic_frames(50), "warmup", 0)  # context + suites, once per process
    small = synthetic_frames(2_000)
    outcome = validate_batch(small, "bench", 0)
    print(f"batch of 2,000 documents: {outcome.timings['total']:.2f} s ({_seconds(outcome.timings)})")

    outcome = validate_batch(frames, "bench", 0)
    assert outcome.ok and not any(outcome.quarantine_counts().values()), outcome.blocking_failures
    print(f"clean batch: {outcome.timings['total']:.2f} s ({_seconds(outcome.timings)})")

    mentions = frames["actor_mentions"]
    corrupted = mentions.with_columns(
        surface_ar=pl.when(pl.int_range(pl.len()) % 100 == 0)
        .then(pl.lit("نص مختلف"))
        .otherwise(pl.col("surface_ar"))
    )
    outcome = validate_batch({**frames, "actor_mentions": corrupted}, "bench", 1)
    print(
        f"1% mentions corrupted: {outcome.timings['total']:.2f} s, "
        f"quarantined {outcome.quarantine_counts()['actor_mentions']:,} ({_seconds(outcome.timings)})"
    )

    everything_wrong = mentions.with_columns(surface_ar=pl.lit("نص مختلف"))
    outcome = validate_batch({**frames, "actor_mentions": everything_wrong}, "bench", 2)
    print(
        f"all mentions corrupted: {outcome.timings['total']:.2f} s, "
        f"quarantined {outcome.quarantine_counts()['actor_mentions']:,} ({_seconds(outcome.timings)})"
    )

    step = time.perf_counter()
    for frame in frames.values():
        frame.to_pandas()
    print(f"to_pandas of the full frames (with text), for comparison: {time.perf_counter() - step:.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
