"""Data Docs: our own small static HTML report from `ops.validation_results` rows, plus a markdown summary.

Why not GX's Data Docs: they need a file context and a Checkpoint per validation (we validate in an
ephemeral context), their pages load Bootstrap/jQuery/fonts from CDNs and render unstyled offline
(STACK.md), and they only know GX's own results, not our quarantine reasons. This report is one
self-contained `index.html` (inline CSS, no scripts, no external links) rendered from the same results
frame the warehouse stores. Every value that reaches HTML goes through `html.escape`: examples quote
article text, and an article may contain markup.
"""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans Arabic",sans-serif;margin:2rem;color:#1d1d1f}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem}table{border-collapse:collapse;width:100%;margin:.5rem 0}
th,td{border:1px solid #d0d0d0;padding:.3rem .5rem;text-align:left;vertical-align:top;font-size:.9rem}
th{background:#f3f3f3}.ok{color:#11632a;font-weight:600}.fail{color:#a31515;font-weight:600}
.warn{color:#8a5a00;font-weight:600}code{font-size:.85rem}ul{margin:.2rem 0;padding-left:1.2rem}
.examples li{unicode-bidi:plaintext}.muted{color:#666}
"""


def _examples(details: str | None, limit: int = 5) -> list[str]:
    if not details:
        return []
    try:
        parsed: Any = json.loads(details)
    except json.JSONDecodeError:
        return [details]
    examples = parsed.get("examples") or []
    if not examples and parsed.get("partial_unexpected_list"):
        examples = [json.dumps(v, ensure_ascii=False) for v in parsed["partial_unexpected_list"]]
    return [str(e) for e in examples[:limit]]


def _status(success: bool, blocking: bool) -> tuple[str, str]:
    if success:
        return "ok", "passed"
    return ("fail", "failed (blocking)") if blocking else ("warn", "failed (quarantined rows)")


def _cell(value: Any) -> str:
    return "" if value is None else html.escape(str(value))


def _aggregate(results: pl.DataFrame) -> pl.DataFrame:
    """One row per (run, suite, expectation, column, check) across batches."""
    check = pl.col("details").str.json_path_match("$.check")
    return (
        results.with_columns(check=check)
        .group_by("run_id", "suite", "expectation", "column_name", "check", maintain_order=True)
        .agg(
            batches=pl.len(),
            failed_batches=(~pl.col("success")).sum(),
            success=pl.col("success").all(),
            blocking=pl.col("blocking").any(),
            unexpected=pl.col("unexpected_count").sum(),
            elements=pl.col("element_count").sum(),
            observed=pl.col("observed_value").filter(~pl.col("success")).first(),
            observed_any=pl.col("observed_value").last(),
            details=pl.col("details").filter(~pl.col("success")).first(),
        )
    )


def build_data_docs(results: pl.DataFrame, folder: Path) -> Path:
    """Write `folder/index.html` (offline, escaped) for the given validation results; return its path."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>naba data quality</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>naba data quality report</h1>",
        (
            f'<p class="muted">Generated {html.escape(datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))} '
            f"from {results.height} validation results.</p>"
        ),
    ]
    if results.is_empty():
        parts.append("<p>No validation results.</p>")
    aggregated = _aggregate(results) if not results.is_empty() else results
    for run_id in (
        aggregated["run_id"].unique(maintain_order=True).to_list() if not results.is_empty() else []
    ):
        run = aggregated.filter(pl.col("run_id") == run_id)
        blocked = run.filter(~pl.col("success") & pl.col("blocking")).height
        failed = run.filter(~pl.col("success")).height
        verdict = (
            '<span class="fail">blocked</span>'
            if blocked
            else (
                '<span class="warn">passed with quarantined rows</span>'
                if failed
                else '<span class="ok">passed</span>'
            )
        )
        parts.append(f"<h2>Run {_cell(run_id)}: {verdict}</h2>")
        parts.append(
            "<table><tr><th>suite</th><th>expectations</th><th>failed</th><th>blocking failures</th></tr>"
        )
        for suite in run["suite"].unique(maintain_order=True).to_list():
            rows = run.filter(pl.col("suite") == suite)
            parts.append(
                f'<tr><td><a href="#{_cell(run_id)}-{_cell(suite)}">{_cell(suite)}</a></td><td>{rows.height}</td>'
                f"<td>{rows.filter(~pl.col('success')).height}</td>"
                f"<td>{rows.filter(~pl.col('success') & pl.col('blocking')).height}</td></tr>"
            )
        parts.append("</table>")
        for suite in run["suite"].unique(maintain_order=True).to_list():
            rows = run.filter(pl.col("suite") == suite)
            parts.append(f'<h2 id="{_cell(run_id)}-{_cell(suite)}">Suite {_cell(suite)}</h2>')
            parts.append(
                "<table><tr><th>expectation</th><th>column</th><th>check</th><th>status</th><th>batches failed</th>"
                "<th>unexpected / rows</th><th>observed</th><th>examples</th></tr>"
            )
            for row in rows.iter_rows(named=True):
                css, label = _status(row["success"], row["blocking"])
                examples = "".join(f"<li>{_cell(e)}</li>" for e in _examples(row["details"]))
                observed = row["observed"] if row["observed"] is not None else row["observed_any"]
                counts = (
                    f"{row['unexpected'] or 0:,} / {row['elements'] or 0:,}"
                    if row["elements"] is not None
                    else ""
                )
                parts.append(
                    f"<tr><td><code>{_cell(row['expectation'])}</code></td><td>{_cell(row['column_name'])}</td>"
                    f'<td>{_cell(row["check"])}</td><td class="{css}">{label}</td>'
                    f"<td>{row['failed_batches']} of {row['batches']}</td><td>{counts}</td>"
                    f"<td><code>{_cell(observed)}</code></td>"
                    f'<td><ul class="examples">{examples}</ul></td></tr>'
                )
            parts.append("</table>")
    parts.append("</body></html>")
    index = folder / "index.html"
    index.write_text("\n".join(parts), encoding="utf-8")
    return index


def _md(value: Any) -> str:
    """Escape for a markdown table cell rendered to HTML by Prefect: no markup, no table breaks."""
    text = html.escape("" if value is None else str(value))
    return (
        text.replace("|", "\\|")
        .replace("\n", " ")
        .replace("`", "\\`")
        .replace("*", "\\*")
        .replace("_", "\\_")
    )


def summary_markdown(results: pl.DataFrame, quarantine_counts: dict[str, int]) -> str:
    """A short markdown report (for a Prefect artifact): verdict, failed expectations, quarantine counts."""
    failed = results.filter(~pl.col("success")) if not results.is_empty() else results
    blocking = failed.filter(pl.col("blocking")) if not failed.is_empty() else failed
    if not blocking.is_empty():
        verdict = (
            f"**BLOCKED**: {blocking.height} blocking failure(s); nothing from this run may be published."
        )
    elif not failed.is_empty() or any(quarantine_counts.values()):
        verdict = f"**PASSED with quarantine**: {sum(quarantine_counts.values()):,} row(s) set aside."
    else:
        verdict = "**PASSED**: every expectation met."
    lines = [
        "# naba data quality",
        "",
        verdict,
        "",
        f"{results.height:,} expectation results, {failed.height:,} failed.",
        "",
    ]
    if not failed.is_empty():
        lines += [
            "| suite | expectation | column | blocking | unexpected / rows | example |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        agg = _aggregate(failed)
        for row in agg.iter_rows(named=True):
            example = next(iter(_examples(row["details"], 1)), "")
            counts = f"{row['unexpected'] or 0:,} / {row['elements'] or 0:,}"
            lines.append(
                f"| {_md(row['suite'])} | {_md(row['expectation'])} | {_md(row['column_name'])} | "
                f"{'yes' if row['blocking'] else 'no'} | {counts} | {_md(example)} |"
            )
        lines.append("")
    lines += ["| quarantine table | rows |", "| --- | --- |"]
    for table, count in quarantine_counts.items():
        lines.append(f"| quarantine.{_md(table)} | {count:,} |")
    return "\n".join(lines) + "\n"
