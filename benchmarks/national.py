"""Benchmark: building the national report (`/report wales`) on a full database.

All 22 councils, 100 invitees each (60 officers in five teams, 40 members), every one of them
submitted with an answer to every question they are asked (the database of
`benchmarks.report`). Times the path that `/report wales` and `datatool report wales` take
(`bot.services.report_builder.build_national_report`): `storage.reporting.national_input`, each
council's own report (`reports.national.council_reports`, 22 × `build_report`),
the recommendations and good practice those reports give (`reports.national.rubric_advice`),
`build_national`, then `render_national_summary` and `render_national_html`; median and p95
over repeated runs.
Goal: the HTML in at most 1 s.

    python -m benchmarks.national [--runs 10] [--per-council 100] [--lang en] [--profile]

Wall time depends on what else the machine runs; the process's CPU time (all its threads) is
printed too, as the measure of the work itself.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from benchmarks._common import full_database, print_timings
from bot.config import Settings
from bot.services.report_builder import advance_releases
from reports.anonymity import MIN_GROUP_SIZE
from reports.national import build_national, council_reports, rubric_advice
from reports.national_render import render_national_html, render_national_summary
from rubric.advice import load_advice
from rubric.loader import load_questionnaire
from rubric.schema import Lang, Questionnaire
from storage.opening import open_database
from storage.reporting import national_input
from storage.repository import Repository

ON = date(2026, 12, 2)
GOAL = 1.0


@dataclass
class Timings:
    query: list[float] = field(default_factory=list)
    councils: list[float] = field(default_factory=list)
    national: list[float] = field(default_factory=list)
    render: list[float] = field(default_factory=list)
    total: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    """Process CPU time (every thread, so SQLite's too): the work, whatever the machine's load."""


async def time_builds(
    path: Path, questionnaire: Questionnaire, lang: Lang, runs: int, profile: bool
) -> tuple[Timings, int]:
    timings = Timings()
    profiler = cProfile.Profile() if profile else None
    size = 0
    async with await open_database(path) as db:
        repo = Repository(db)
        councils = await repo.councils()
        # Reports read stored releases: make them once, as the bot does before a report.
        await advance_releases(
            repo, questionnaire, Settings(min_group_size=MIN_GROUP_SIZE, _env_file=None)
        )
        for run in range(runs + 1):  # the first warms caches (templates, catalogs)
            if profiler and run >= 1:
                profiler.enable()
            c0 = time.process_time()
            t0 = time.perf_counter()
            rows = await national_input(db, councils)
            t1 = time.perf_counter()
            reports = council_reports(
                questionnaire, rows, councils, lang, MIN_GROUP_SIZE, generated_on=ON
            )
            t2 = time.perf_counter()
            advice = rubric_advice(reports, load_advice())
            report = build_national(
                questionnaire,
                councils,
                reports,
                lang,
                MIN_GROUP_SIZE,
                generated_on=ON,
                advice=advice,
            )
            t3 = time.perf_counter()
            summary = render_national_summary(report, lang)
            html = render_national_html(report, lang)
            t4 = time.perf_counter()
            c4 = time.process_time()
            if profiler:
                profiler.disable()
            assert summary and "<svg" in html and report.with_figures == len(councils)
            assert report.recommendations is not None and report.examples
            size = len(html.encode())
            if run >= 1:
                timings.query.append(t1 - t0)
                timings.councils.append(t2 - t1)
                timings.national.append(t3 - t2)
                timings.render.append(t4 - t3)
                timings.total.append(t4 - t0)
                timings.cpu.append(c4 - c0)
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    return timings, size


async def main(runs: int, per_council: int, lang: Lang, profile: bool) -> None:
    questionnaire = load_questionnaire()
    with tempfile.TemporaryDirectory() as tmp:
        path = await full_database(Path(tmp), "national-bench.sqlite3", questionnaire, per_council)
        t, size = await time_builds(path, questionnaire, lang, runs, profile)
        print(f"national report ({lang}), {runs} runs, HTML {size / 1024:.0f} KiB:")
        print_timings(
            (
                ("national_input (SQL)", t.query),
                ("22 council reports", t.councils),
                ("advice + build_national", t.national),
                ("render summary + HTML", t.render),
                ("total", t.total),
                ("total, CPU time", t.cpu),
            ),
            width=24,
        )
        wall = "met" if statistics.median(t.total) <= GOAL else "NOT met"
        cpu = "met" if statistics.median(t.cpu) <= GOAL else "NOT met"
        print(f"goal (HTML in <= {GOAL:.0f} s): {wall} in wall time, {cpu} in CPU time")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--per-council", type=int, default=100)
    parser.add_argument("--lang", choices=("en", "cy"), default="en")
    parser.add_argument("--profile", action="store_true", help="cProfile the timed builds")
    args = parser.parse_args()
    asyncio.run(main(args.runs, args.per_council, args.lang, args.profile))
