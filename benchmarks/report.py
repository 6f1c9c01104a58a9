"""Benchmark: building one council's report with the figures for Wales, on a full database.

All 22 councils, 100 invitees each (60 officers in five teams, 40 members), every one of them
submitted with an answer to every question they are asked. Times the path that `/report` and
`datatool report` take (`bot.services.report_builder.build`: `storage.reporting.report_input`, then
`reports.build_report`, `render_summary`, `render_html`), median and p95 over repeated runs;
then the PDF of that HTML (`reports.pdf.html_to_pdf`, WeasyPrint), wall and CPU time; and the
peak memory of `datatool report COUNCIL --out FILE.html` as a whole process.
Goals: HTML under 150 ms to build; PDF under 3 s.

    python -m benchmarks.report [--council powys] [--runs 20] [--pdf-runs 5] [--per-council 100]
                                [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pypdf import PdfReader

from benchmarks._common import TOKEN, full_database, print_timings
from bot.config import Settings
from bot.services.report_builder import advance_releases
from reports import build_report, render_html, render_summary
from reports.pdf import html_to_pdf
from rubric.loader import load_questionnaire
from rubric.schema import Questionnaire
from storage.opening import open_database
from storage.reporting import report_input
from storage.repository import Repository


@dataclass
class Timings:
    total: list[float]
    query: list[float]
    build: list[float]
    render: list[float]
    cpu: list[float]
    """Process CPU time (every thread, so SQLite's too): the work, whatever the machine's load."""
    html: str = ""
    title: str = ""


async def time_builds(
    path: Path, questionnaire: Questionnaire, slug: str, runs: int, profile: bool
) -> Timings:
    settings = Settings(bot_token=TOKEN, datatool_db=path)
    timings = Timings([], [], [], [], [])
    profiler = cProfile.Profile() if profile else None
    async with await open_database(path) as db:
        repo = Repository(db)
        council = await repo.find_council(slug)
        assert council is not None, slug
        for run in range(runs + 2):  # the first two warm caches and are not counted
            if profiler and run >= 2:
                profiler.enable()
            c0 = time.process_time()
            t0 = time.perf_counter()
            # As `/report` does: every council's release moved forward where the rule lets it
            # (the first time makes the releases; afterwards it finds nothing changed).
            await advance_releases(repo, questionnaire, settings)
            rows = await report_input(db, council.id)
            t1 = time.perf_counter()
            report = build_report(
                questionnaire,
                rows,
                council,
                "en",
                settings.min_group_size,
                generated_on=date(2026, 11, 27),
            )
            t2 = time.perf_counter()
            summary = render_summary(report, "en")
            html = render_html(report, "en")
            t3 = time.perf_counter()
            c3 = time.process_time()
            if profiler:
                profiler.disable()
            assert summary and "<html" in html.lower()
            timings.html, timings.title = html, report.title
            if run >= 2:
                timings.query.append(t1 - t0)
                timings.build.append(t2 - t1)
                timings.render.append(t3 - t2)
                timings.total.append(t3 - t0)
                timings.cpu.append(c3 - c0)
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    return timings


def time_pdf(html: str, title: str, runs: int) -> tuple[list[float], list[float], int, int]:
    """(wall seconds, CPU seconds, pages, bytes) of WeasyPrint making the PDF, after one
    warm-up (fonts found, stylesheets parsed)."""
    pdf = html_to_pdf(html, "en", title)
    walls, cpus = [], []
    for _ in range(runs):
        w0, c0 = time.perf_counter(), time.process_time()
        pdf = html_to_pdf(html, "en", title)
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    return walls, cpus, pages, len(pdf)


def datatool_command() -> list[str]:
    script = Path(sys.executable).parent / "datatool"
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli.main"]


def peak_memory(path: Path, slug: str, out: Path) -> tuple[float, float]:
    """Runs `datatool report` as its own process; returns (seconds, peak RSS in MiB)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATATOOL_"))}
    env.update(DATATOOL_DB=str(path), BOT_TOKEN=TOKEN)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    subprocess.run(
        [*datatool_command(), "report", slug, "--out", str(out)],
        env=env,
        check=True,
        capture_output=True,
    )
    elapsed = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if peak <= before:
        print("(the child's peak did not exceed an earlier child's; figure is an upper bound)")
    unit = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return elapsed, peak * unit / 1024 / 1024


async def main(slug: str, runs: int, pdf_runs: int, per_council: int, profile: bool) -> None:
    questionnaire = load_questionnaire()
    with tempfile.TemporaryDirectory() as tmp:
        path = await full_database(Path(tmp), "report-bench.sqlite3", questionnaire, per_council)
        t = await time_builds(path, questionnaire, slug, runs, profile)
        print(f"{slug} report with the figures for Wales, {runs} runs:")
        print_timings(
            (
                ("report_input (SQL)", t.query),
                ("build_report", t.build),
                ("render_summary + render_html", t.render),
                ("total", t.total),
                ("total, CPU time", t.cpu),
            )
        )
        wall = "met" if statistics.median(t.total) < 0.150 else "NOT met"
        cpu = "met" if statistics.median(t.cpu) < 0.150 else "NOT met"
        print(f"goal (HTML < 150 ms): {wall} in wall time, {cpu} in CPU time")
        walls, cpus, pages, size = time_pdf(t.html, t.title, pdf_runs)
        pdf_total = statistics.median(t.total) + statistics.median(walls)
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(
            f"PDF of that report ({pages} pages, {size / 1024:.0f} KiB), {pdf_runs} runs:"
            f" median {statistics.median(walls):.2f} s wall ({statistics.median(cpus):.2f} s CPU),"
            f" max {max(walls):.2f} s; with the HTML build {pdf_total:.2f} s"
            f" (load average {load})"
        )
        print(f"goal (PDF < 3 s): {'met' if pdf_total < 3 else 'NOT met'}")
        elapsed, peak = peak_memory(path, slug, Path(tmp) / f"{slug}.html")
        print(f"`datatool report {slug}` as a process: {elapsed:.2f} s, peak RSS {peak:.1f} MiB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--council", default="powys")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--pdf-runs", type=int, default=5)
    parser.add_argument("--per-council", type=int, default=100)
    parser.add_argument("--profile", action="store_true", help="cProfile the timed builds")
    args = parser.parse_args()
    asyncio.run(main(args.council, args.runs, args.pdf_runs, args.per_council, args.profile))
