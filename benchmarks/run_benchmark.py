"""Throughput and memory of the whole pipeline on ../shared/corpus, beside two references.

    /tmp/venv0/bin/python benchmarks/run_benchmark.py                 # N = 1k, 10k and the whole corpus
    /tmp/venv0/bin/python benchmarks/run_benchmark.py --sizes 1000    # one quick size

For every N it measures, each in its own child process (so memory is attributed and nothing is warm):
- floor: DuckDB reads the same JSON Lines and runs one regex count over the text (the sentence count),
  best of three;
- baseline: a per-article Python loop of camel-tools normalisation and tokenisation, nothing else;
- naba: the real command, `naba run --source FILE... --warehouse NEW_FILE`, timed from the outside.
Per-stage seconds come from the run's `ops.runs` row; Prefect's start-up is the time from launching the
command to the flow body starting (`ops.runs.started_at`). Peak RSS is the peak of the summed resident
memory of the whole process tree (the command, its transform processes, Prefect's temporary API
server), polled every 50 ms, so it over-counts pages shared between processes rather than missing any.

Subsets (first N·share articles of each corpus file, in file order, share = the file's part of the
corpus) are written under the output folder at run time; corpus text is never kept in the repo.
Writes `<out>/results.json` and, with --results, the measured section of RESULTS.md.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from importlib import metadata
from itertools import pairwise
from pathlib import Path

import duckdb
import psutil

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
CORPUS_FILES = ("ant_multisource.jsonl.gz", "saudinewsnet.jsonl.gz", "ant_jawharafm.jsonl.gz")
DEFAULT_OUT = ROOT / "benchmarks" / "out"
POLL_SECONDS = 0.05
# The floor's one regex: runs of sentence terminators (. ! ? ؟ or newline). Each run closes a sentence;
# headlines (non-empty titles) add one sentence each. The same count is used for every sentences/s.
SENTENCE_END = r"[.!?؟\n]+"
PACKAGES = (
    "duckdb", "polars", "pyarrow", "prefect", "prefect-dask", "distributed", "camel-tools",
    "great-expectations",
)  # fmt: skip
RESULTS_BEGIN = "<!-- results:begin (written by benchmarks/run_benchmark.py) -->"
RESULTS_END = "<!-- results:end -->"


# --------------------------------------------------------------------------------------------------
# The two references (run as child processes: `run_benchmark.py _floor FILE...`)


def floor(files: list[Path], repeats: int = 3) -> dict:
    """DuckDB reads the JSON Lines and counts sentences with one regex: what reading the text costs.

    The best of `repeats` runs, each on a new connection: a floor is a lower bound, and one run on a
    shared machine can be slowed by others.
    """
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        con = duckdb.connect()
        articles, characters, sentences, titles = con.execute(
            "select count(*), sum(length(text)), sum(len(regexp_extract_all(text, $pattern))),"
            " count(*) filter (where trim(coalesce(title, '')) <> '')"
            " from read_json($files, format = 'newline_delimited')",
            {"files": [str(f) for f in files], "pattern": SENTENCE_END},
        ).fetchall()[0]
        con.close()
        timings.append(time.perf_counter() - started)
    return {
        "seconds": min(timings),
        "all_seconds": [round(t, 3) for t in timings],
        "articles": articles,
        "characters": int(characters),
        "sentences": int(sentences) + titles,
    }


def baseline(files: list[Path]) -> dict:
    """The naive way: one article at a time, camel-tools normalisation then tokenisation, in Python."""
    from camel_tools.tokenizers.word import simple_word_tokenize
    from camel_tools.utils.dediac import dediac_ar
    from camel_tools.utils.normalize import (
        normalize_alef_ar,
        normalize_alef_maksura_ar,
        normalize_teh_marbuta_ar,
        normalize_unicode,
    )

    started = time.perf_counter()
    articles = tokens = 0
    for path in files:
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                text = f"{record.get('title') or ''}\n\n{record['text']}"
                text = normalize_unicode(text)
                text = dediac_ar(text)
                text = normalize_teh_marbuta_ar(normalize_alef_maksura_ar(normalize_alef_ar(text)))
                tokens += len(simple_word_tokenize(text))
                articles += 1
    return {"seconds": time.perf_counter() - started, "articles": articles, "tokens": tokens}


# --------------------------------------------------------------------------------------------------
# Measuring a process tree from the outside


@dataclass
class Measured:
    command: list[str]
    returncode: int
    wall_seconds: float
    started_epoch: float
    ended_epoch: float
    peak_rss_tree_mb: float
    peak_rss_process_mb: float
    peak_processes: int
    cpu_seconds: float  # user + system of every process of the tree (as last seen while it ran)
    others_cores: float  # mean cores that other processes on the machine kept busy meanwhile
    peak_rss_by_process: list[tuple[str, float]] = field(default_factory=list)  # (role, MB), largest first
    cpu_seconds_by_role: dict[str, float] = field(default_factory=dict)  # e.g. naba, transform-process
    timeline: list[tuple[float, float, float]] = field(default_factory=list)  # (epoch, rss MB, cpu s)
    output: dict | None = None


def measure(command: list[str], env: dict[str, str], log: Path) -> Measured:
    """Run `command`, polling the memory and CPU time of it and all its descendants."""
    log.parent.mkdir(parents=True, exist_ok=True)
    cpu_by_pid: dict[int, float] = {}
    peak_by_pid: dict[int, tuple[str, float]] = {}
    peak_tree = peak_process = 0.0
    peak_processes = 0
    timeline: list[tuple[float, float, float]] = []
    with open(log, "w", encoding="utf-8") as out:
        machine_busy = _busy_cpu_seconds()
        started_epoch = time.time()
        started = time.perf_counter()
        process = psutil.Popen(command, env=env, stdout=subprocess.PIPE, stderr=out, cwd=ROOT)
        while process.poll() is None:
            try:
                tree = [process, *process.children(recursive=True)]
            except psutil.NoSuchProcess:
                break
            rss_total = 0.0
            for member in tree:
                try:
                    with member.oneshot():
                        rss = member.memory_info().rss / 2**20
                        times = member.cpu_times()
                except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                    continue
                rss_total += rss
                peak_process = max(peak_process, rss)
                if rss > peak_by_pid.get(member.pid, ("", 0.0))[1]:
                    peak_by_pid[member.pid] = (
                        peak_by_pid.get(member.pid, ("", 0.0))[0] or _role(member),
                        rss,
                    )
                cpu_by_pid[member.pid] = times.user + times.system
            peak_tree = max(peak_tree, rss_total)
            peak_processes = max(peak_processes, len(tree))
            timeline.append((time.time(), round(rss_total, 1), round(sum(cpu_by_pid.values()), 3)))
            time.sleep(POLL_SECONDS)
        stdout = process.stdout.read().decode("utf-8", "replace") if process.stdout else ""
        returncode = process.wait()
        wall = time.perf_counter() - started
        machine_busy = _busy_cpu_seconds() - machine_busy
        out.write("\n--- stdout ---\n" + stdout)
    output = None
    if stdout.strip().startswith("{"):
        output = json.loads(stdout.strip().splitlines()[-1])
    return Measured(
        command=command,
        returncode=returncode,
        wall_seconds=wall,
        started_epoch=started_epoch,
        ended_epoch=started_epoch + wall,
        peak_rss_tree_mb=round(peak_tree, 1),
        peak_rss_process_mb=round(peak_process, 1),
        peak_processes=peak_processes,
        cpu_seconds=round(sum(cpu_by_pid.values()), 2),
        cpu_seconds_by_role=_cpu_by_role(cpu_by_pid, peak_by_pid),
        peak_rss_by_process=sorted(
            ((role, round(mb, 1)) for role, mb in peak_by_pid.values()), key=lambda item: -item[1]
        )[:8],
        others_cores=round(max(0.0, machine_busy - sum(cpu_by_pid.values())) / wall, 2),
        timeline=timeline,
        output=output,
    )


def _cpu_by_role(cpu_by_pid: dict[int, float], role_by_pid: dict[int, tuple[str, float]]) -> dict[str, float]:
    totals: dict[str, float] = {}
    for pid, seconds in cpu_by_pid.items():
        role = role_by_pid.get(pid, ("?", 0.0))[0]
        totals[role] = round(totals.get(role, 0.0) + seconds, 2)
    return totals


def _role(process: psutil.Process) -> str:
    """A short name for a process of the tree: the command, a transform process, Prefect's API server."""
    try:
        command = " ".join(process.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return "?"
    if "uvicorn" in command:
        return "prefect-api-server"
    if "resource_tracker" in command:
        return "resource-tracker"
    if "multiprocessing" in command:
        return "transform-process"
    return Path(process.cmdline()[1]).name if len(process.cmdline()) > 1 else command[:40]


def _busy_cpu_seconds() -> float:
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def mean_cores(timeline: list[tuple[float, float, float]], start: float, end: float) -> float | None:
    """CPU seconds per wall second of the tree between two instants (epoch), from the poll timeline."""
    inside = [(t, cpu) for t, _rss, cpu in timeline if start <= t <= end]
    if len(inside) < 2 or inside[-1][0] <= inside[0][0]:
        return None
    return round((inside[-1][1] - inside[0][1]) / (inside[-1][0] - inside[0][0]), 2)


# --------------------------------------------------------------------------------------------------
# Inputs


def corpus_sizes(corpus: Path) -> dict[str, int]:
    sizes = {}
    for name in CORPUS_FILES:
        with gzip.open(corpus / name, "rb") as lines:
            sizes[name] = sum(1 for line in lines if line.strip())
    return sizes


def build_subset(corpus: Path, sizes: dict[str, int], n: int, folder: Path) -> list[Path]:
    """The first n·share articles of each corpus file (share: the file's part of the corpus)."""
    total = sum(sizes.values())
    if n >= total:
        return [corpus / name for name in CORPUS_FILES]
    quotas = {name: n * count // total for name, count in sizes.items()}
    quotas[CORPUS_FILES[0]] += n - sum(quotas.values())
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for name in CORPUS_FILES:
        target = folder / name
        files.append(target)
        if target.exists() and _count_lines(target) == quotas[name]:
            continue
        with gzip.open(corpus / name, "rb") as source, gzip.open(target, "wb", compresslevel=6) as sink:
            written = 0
            for line in source:
                if written == quotas[name]:
                    break
                if line.strip():
                    sink.write(line)
                    written += 1
    return files


def _count_lines(path: Path) -> int:
    with gzip.open(path, "rb") as lines:
        return sum(1 for line in lines if line.strip())


# --------------------------------------------------------------------------------------------------
# The pipeline run


def naba_command(naba: Path, files: list[Path], warehouse: Path, extra: list[str]) -> list[str]:
    command = [str(naba), "run"]
    for path in files:
        command += ["--source", str(path)]
    return [*command, "--warehouse", str(warehouse), *extra]


def read_run(warehouse: Path) -> dict:
    """The run's ops.runs row (per-stage seconds) and what it published."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        columns = [
            "run_id", "flow_run_id", "status", "started_at", "ended_at", "docs_seen", "docs_loaded",
            "docs_quarantined", "statements", "calls", "actor_mentions", "extract_seconds",
            "transform_seconds", "validate_seconds", "stage_seconds", "publish_seconds",
        ]  # fmt: skip
        row = con.execute(
            f"select {', '.join(columns)} from ops.runs order by started_at desc limit 1"  # our constants
        ).fetchall()[0]
        run = dict(zip(columns, row, strict=True))
        run["started_epoch"] = run["started_at"].timestamp()
        run["ended_epoch"] = run["ended_at"].timestamp()
        run["started_at"] = run["started_at"].isoformat()
        run["ended_at"] = run["ended_at"].isoformat()
        run["analytics_rows"] = {
            view: con.execute(f"select count(*) from analytics.{view}").fetchall()[0][0]
            for (view,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'analytics'"
                " order by table_name"
            ).fetchall()
        }
        run["validation_results"] = con.execute(
            "select count(*) from ops.validation_results where run_id = ?", [run["run_id"]]
        ).fetchall()[0][0]
    finally:
        con.close()
    return run


_FLOW_LOG = re.compile(
    r"^(\d\d:\d\d:\d\d\.\d+) \| \w+\s*\| Flow run '[^']+' - (Beginning flow run|Finished in state)",
    re.MULTILINE,
)


def flow_run_span(log: str, started_epoch: float) -> tuple[float | None, float | None]:
    """Epochs at which Prefect logged the flow run's beginning and its final state (local clock)."""
    found: dict[str, float] = {}
    day = datetime.fromtimestamp(started_epoch).replace(hour=0, minute=0, second=0, microsecond=0)
    for clock, what in _FLOW_LOG.findall(log):
        hours, minutes, seconds = clock.split(":")
        epoch = (day + timedelta(hours=int(hours), minutes=int(minutes), seconds=float(seconds))).timestamp()
        if epoch < started_epoch - 1:  # the run crossed midnight
            epoch += 86_400
        found.setdefault(what, epoch)
    return found.get("Beginning flow run"), found.get("Finished in state")


def run_naba(naba: Path, files: list[Path], folder: Path, env: dict[str, str], extra: list[str]) -> dict:
    warehouse = folder / "naba.duckdb"
    for leftover in folder.glob("naba.duckdb*"):
        leftover.unlink()
    shutil.rmtree(folder / "data_docs", ignore_errors=True)
    log = folder / "naba-run.log"
    # INFO: the flow run's first and last log lines time Prefect's start-up and shutdown.
    measured = measure(
        naba_command(naba, files, warehouse, extra), {**env, "PREFECT_LOGGING_LEVEL": "INFO"}, log
    )
    result = {"measured": _summary(measured)}
    (folder / "naba-run.timeline.json").write_text(json.dumps(measured.timeline), encoding="utf-8")
    if measured.returncode != 0:
        result["error"] = (folder / "naba-run.log").read_text(encoding="utf-8", errors="replace")[-3000:]
        return result
    run = read_run(warehouse)
    stages = {
        stage: run[f"{stage}_seconds"] for stage in ("extract", "transform", "validate", "stage", "publish")
    }
    flow_begin, flow_end = flow_run_span(
        log.read_text(encoding="utf-8", errors="replace"), measured.started_epoch
    )
    flow_begin = flow_begin or run["started_epoch"]
    flow_end = flow_end or run["ended_epoch"]
    transform_start = run["started_epoch"] + stages["extract"]
    transform_end = transform_start + stages["transform"] + stages["validate"] + stages["stage"]
    result.update(
        run=run,
        stages=stages,
        # from the flow run's beginning to its final state: everything but Prefect's start-up/shutdown
        pipeline_seconds=flow_end - flow_begin,
        startup_seconds=flow_begin - measured.started_epoch,
        teardown_seconds=measured.ended_epoch - flow_end,
        cores_transform=mean_cores(measured.timeline, transform_start, transform_end),
        cores_pipeline=mean_cores(measured.timeline, flow_begin, flow_end),
    )
    return result


def _summary(measured: Measured) -> dict:
    summary = asdict(measured)
    summary.pop("timeline")
    return summary


# --------------------------------------------------------------------------------------------------
# Machine, report


def machine() -> dict:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    return {
        "date": datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "packages": {name: _version(name) for name in PACKAGES},
        "commit": commit + (" + uncommitted changes" if dirty else ""),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "-"


def _label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 and n < 72_000 else f"{n:,}"


def _fmt(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _table(header: list[str], rows: list[list[str]], left: int = 1) -> list[str]:
    """A markdown table: the first `left` columns aligned left, numbers right."""
    return [
        "| " + " | ".join(header) + " |",
        "|" + " :--- |" * left + " ---: |" * (len(header) - left),
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


def render(results: dict) -> str:
    info = results["machine"]
    packages = ", ".join(f"{k} {v}" for k, v in info["packages"].items())
    lines = [
        (
            f"Measured {info['date']} on {info['cpu']}, {info['cores']} cores, {info['memory_gb']} GB RAM, "
            f"{info['os']}, Python {info['python']}; commit {info['commit']}; load average at start "
            f"{info['load_average_at_start']}. Packages: {packages}."
        ),
        "",
        (
            f"Prefect warm-up (first `naba run` in the benchmark's Prefect home, seeds only, not counted "
            f"below): {_fmt(results.get('warmup_seconds'))} s."
        ),
        "",
        "### End to end, beside the two references",
        "",
    ]
    rows = []
    for row in results["sizes"]:
        naba, floor_seconds, articles = row["naba"], row["floor"]["seconds"], row["articles"]
        if "error" in naba:
            rows.append([f"{articles:,}", f"failed (exit {naba['measured']['returncode']})"] + [""] * 13)
            continue
        wall = naba["measured"]["wall_seconds"]
        sentences = row["floor"]["sentences"]
        base = row.get("baseline")
        rows.append(
            [
                f"{articles:,}",
                f"{sentences:,}",
                _fmt(floor_seconds, 2),
                f"{_fmt(base['seconds'])} ({_fmt(articles / base['seconds'], 0)})" if base else "–",
                _fmt(wall),
                f"{_fmt(naba['startup_seconds'])} ({naba['startup_seconds'] / wall:.0%})",
                _fmt(naba["pipeline_seconds"]),
                _fmt(naba["teardown_seconds"]),
                _fmt(articles / wall, 0),
                _fmt(sentences / wall, 0),
                _fmt(articles / naba["pipeline_seconds"], 0),
                f"{wall / floor_seconds:.1f}",
                _fmt(naba["measured"]["peak_rss_tree_mb"], 0),
                _fmt(naba["cores_transform"], 2),
                _fmt(naba["measured"]["others_cores"], 2),
            ]
        )
    lines += _table(
        [
            "articles", "sentences", "floor s", "baseline s (art/s)", "naba run s",
            "Prefect start-up s (share)", "flow run s", "shutdown s", "art/s (run)", "sent/s (run)",
            "art/s (flow run)", "run ÷ floor", "peak RSS MB (tree)", "cores used in transform",
            "cores used by other processes",
        ],
        rows,
    )  # fmt: skip
    lines += ["", "### Per stage (seconds, from `ops.runs`) and what was published", ""]
    rows = []
    for row in results["sizes"]:
        naba = row["naba"]
        if "error" in naba:
            continue
        stages, pipeline, run = naba["stages"], naba["pipeline_seconds"], naba["run"]
        rows.append(
            [
                f"{row['articles']:,}",
                _fmt(stages["extract"]),
                _fmt(stages["transform"]),
                f"{_fmt(stages['validate'])} ({stages['validate'] / pipeline:.0%})",
                _fmt(stages["stage"]),
                _fmt(stages["publish"]),
                _fmt(pipeline - sum(stages.values())),
                _fmt(1000 * pipeline / row["articles"], 2),
                f"{run['docs_loaded']:,}",
                f"{run['statements']:,}",
                f"{run['calls']:,}",
                f"{run['actor_mentions']:,}",
                _fmt(naba["measured"]["peak_rss_process_mb"], 0),
            ]
        )
    lines += _table(
        [
            "articles", "extract", "transform", "validate (share of flow run)", "stage", "publish",
            "other in flow run", "flow run s per 1k articles", "documents", "statements", "calls", "actor mentions",
            "largest process peak RSS MB",
        ],
        rows,
    )  # fmt: skip
    lines += ["", "### CPU seconds by process (where the work is)", ""]
    lines += _table(
        ["articles", "naba (flow process)", "transform processes", "Prefect API server", "all", "wall s"],
        [
            [
                f"{row['articles']:,}",
                _fmt(row["naba"]["measured"]["cpu_seconds_by_role"].get("naba")),
                _fmt(row["naba"]["measured"]["cpu_seconds_by_role"].get("transform-process")),
                _fmt(row["naba"]["measured"]["cpu_seconds_by_role"].get("prefect-api-server")),
                _fmt(row["naba"]["measured"]["cpu_seconds"]),
                _fmt(row["naba"]["measured"]["wall_seconds"]),
            ]
            for row in results["sizes"]
            if row["naba"]["measured"].get("cpu_seconds_by_role")
        ],
    )
    lines += ["", "### Cost per article", ""]
    done = [row for row in results["sizes"] if "error" not in row["naba"]]
    lines += _table(
        ["from", "to", "marginal flow-run s per 1k articles", "marginal transform s per 1k articles"],
        [
            [
                f"{a['articles']:,}",
                f"{b['articles']:,}",
                _fmt(
                    1000
                    * (b["naba"]["pipeline_seconds"] - a["naba"]["pipeline_seconds"])
                    / (b["articles"] - a["articles"]),
                    2,
                ),
                _fmt(
                    1000
                    * (b["naba"]["stages"]["transform"] - a["naba"]["stages"]["transform"])
                    / (b["articles"] - a["articles"]),
                    2,
                ),
            ]
            for a, b in pairwise(done)
        ],
    )
    lines += ["", "### Targets", ""]
    lines += _table(["target", "measured", "met"], _targets(results), left=3)
    lines += ["", "### References: memory", ""]
    lines += _table(
        ["articles", "floor peak RSS MB", "baseline peak RSS MB", "baseline tokens"],
        [
            [
                f"{row['articles']:,}",
                _fmt(row["floor_measured"]["peak_rss_tree_mb"], 0),
                _fmt(row["baseline_measured"]["peak_rss_tree_mb"], 0) if "baseline" in row else "–",
                f"{row['baseline']['tokens']:,}" if "baseline" in row else "–",
            ]
            for row in results["sizes"]
        ],
    )
    return "\n".join(lines) + "\n"


def _targets(results: dict) -> list[list[str]]:
    rows = []
    whole = next((r for r in results["sizes"] if r["articles"] == sum(results["corpus"].values())), None)
    if whole is None or "error" in whole["naba"]:
        rows.append(["whole corpus within 40× the floor", "no completed whole-corpus run", "no"])
    else:
        ratio = whole["naba"]["measured"]["wall_seconds"] / whole["floor"]["seconds"]
        rows.append(
            [
                "whole corpus within 40× the floor",
                f"{whole['naba']['measured']['wall_seconds']:.1f} s = {ratio:.1f} × {whole['floor']['seconds']:.2f} s",
                "yes" if ratio <= 40 else "no",
            ]
        )
    peaks = [r["naba"]["measured"]["peak_rss_tree_mb"] for r in results["sizes"]]
    rows.append(
        [
            "peak RSS under 2 GB at every size (process tree)",
            ", ".join(f"{mb:,.0f} MB" for mb in peaks),
            "yes" if peaks and max(peaks) < 2048 else "no",
        ]
    )
    cores = [r["naba"].get("cores_transform") for r in results["sizes"] if "error" not in r["naba"]]
    rows.append(
        [
            "transform uses both cores",
            ", ".join(_fmt(c, 2) for c in cores) + " cores busy",
            "see note" if cores else "no",
        ]
    )
    return rows


def write_results(path: Path, measured_section: str) -> None:
    """Replace the measured section of RESULTS.md, keeping what is written around it."""
    block = f"{RESULTS_BEGIN}\n{measured_section}{RESULTS_END}"
    if path.exists() and RESULTS_BEGIN in (text := path.read_text(encoding="utf-8")) and RESULTS_END in text:
        head, rest = text.split(RESULTS_BEGIN, 1)
        tail = rest.split(RESULTS_END, 1)[1]
        path.write_text(head + block + tail, encoding="utf-8")
    else:
        path.write_text(f"# Benchmark results\n\n{block}\n", encoding="utf-8")


# --------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("_floor", "_baseline"):
        files = [Path(p) for p in argv[1:]]
        print(json.dumps(floor(files) if argv[0] == "_floor" else baseline(files)))
        return 0

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="1000,10000,all", help="comma-separated article counts or 'all'")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="git-ignored output folder")
    parser.add_argument("--naba", type=Path, default=Path(sys.executable).parent / "naba")
    parser.add_argument("--prefect-home", type=Path, help="default: <out>/prefect-home (warmed up once)")
    parser.add_argument("--results", type=Path, help="write the measured section of this RESULTS.md")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("naba_args", nargs="*", help="extra `naba run` arguments, after --")
    args = parser.parse_args(argv)

    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    sizes = corpus_sizes(args.corpus)
    total = sum(sizes.values())
    wanted = sorted({total if s.strip() == "all" else min(int(s), total) for s in args.sizes.split(",")})

    env = {**os.environ}
    env["PREFECT_HOME"] = str((args.prefect_home or out / "prefect-home").resolve())
    env.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    env.setdefault("DO_NOT_TRACK", "1")
    results: dict = {"machine": machine(), "corpus": sizes, "naba_args": args.naba_args, "sizes": []}

    # Prefect migrates a new home's database on first use; do it once here so it is not counted.
    warm = measure(
        naba_command(args.naba, [ROOT / "seeds" / "articles"], out / "warmup" / "naba.duckdb", []),
        env,
        out / "warmup" / "naba-run.log",
    )
    results["warmup_seconds"] = warm.wall_seconds
    print(f"warm-up: {warm.wall_seconds:.1f} s (exit {warm.returncode})", flush=True)

    for n in wanted:
        folder = out / f"n{n}"
        files = build_subset(args.corpus, sizes, n, folder / "input")
        me = [sys.executable, str(Path(__file__).resolve())]
        floor_run = measure([*me, "_floor", *map(str, files)], env, folder / "floor.log")
        row: dict = {"articles": n, "floor": floor_run.output, "floor_measured": _summary(floor_run)}
        print(f"n={n}: floor {floor_run.wall_seconds:.2f} s {floor_run.output}", flush=True)
        if not args.skip_baseline:
            base = measure([*me, "_baseline", *map(str, files)], env, folder / "baseline.log")
            row.update(baseline=base.output, baseline_measured=_summary(base))
            print(f"n={n}: baseline {base.output}", flush=True)
        row["naba"] = run_naba(args.naba, files, folder, env, args.naba_args)
        naba = row["naba"]
        print(
            f"n={n}: naba run {naba['measured']['wall_seconds']:.1f} s, exit {naba['measured']['returncode']}, "
            f"peak RSS {naba['measured']['peak_rss_tree_mb']:.0f} MB, stages {naba.get('stages')}",
            flush=True,
        )
        results["sizes"].append(row)
        (out / "results.json").write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")

    section = render(results)
    print(section)
    if args.results:
        write_results(args.results, section)
    return 0 if all(r["naba"]["measured"]["returncode"] == 0 for r in results["sizes"]) else 1


if __name__ == "__main__":
    sys.exit(main())
