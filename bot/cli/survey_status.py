"""``datatool status`` and ``datatool survey open|close``: where a council's survey stands."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.cli.common import Failure, council_label, council_or_fail, open_repo, typed
from bot.cli.words import operator_lang, t
from bot.config import Settings
from flows.window import Window, window_state
from storage.councils import names_wales
from storage.repository import Repository
from storage.rounds import RoundExists
from storage.rows import Council, StatusRow

STATUS_COLUMNS = ("invited", "emailed", "opened", "started", "submitted", "unreachable")


async def cmd_status(args: argparse.Namespace, settings: Settings) -> int:
    """One council's states by group; with `wales` (`cymru`), every council that has invitees."""
    async with open_repo(settings, read_only=True) as repo:
        if names_wales(args.council):
            found = [(c, await repo.status(c.id)) for c in await repo.councils()]
            found = [(c, rows) for c, rows in found if any(r.invited for r in rows)]
            if not found:
                print(t("msg.nobody_invited"))
        else:
            council = await council_or_fail(repo, args.council)
            found = [(council, await repo.status(council.id))]
    if args.json:
        print(json.dumps(status_json(found), ensure_ascii=False, indent=2))
        return 0
    heads = [t(f"status.{c}") for c in STATUS_COLUMNS]
    widths = [max(12, len(h) + 2) for h in heads]
    for i, (council, rows) in enumerate(found):
        if i:
            print()
        print(council.name_cy if operator_lang() == "cy" else council.name_en)
        print(
            f"{t('status.group'):<10}"
            + "".join(f"{h:>{w}}" for h, w in zip(heads, widths, strict=True))
        )
        for row in rows:
            counts = [getattr(row, c) for c in STATUS_COLUMNS]
            cells = "".join(f"{n:>{w}}" for n, w in zip(counts, widths, strict=True))
            # Officers and members in words; another audience by its name, as the roster has it.
            label = t(f"status.{row.group}") if row.group in ("officer", "member") else row.group
            print(f"{label:<10}" + cells)
        totals = [sum(getattr(r, c) for r in rows) for c in STATUS_COLUMNS]
        cells = "".join(f"{n:>{w}}" for n, w in zip(totals, widths, strict=True))
        print(f"{t('status.total'):<10}" + cells)
    return 0


def status_json(found: list[tuple[Council, list[StatusRow]]]) -> dict[str, object]:
    """``status --json``: the same counts, keyed by the English column names in every language
    (a script's input, not a person's reading)."""
    councils = []
    for council, rows in found:
        groups = {row.group: {c: getattr(row, c) for c in STATUS_COLUMNS} for row in rows}
        total = {c: sum(getattr(r, c) for r in rows) for c in STATUS_COLUMNS}
        councils.append(
            {
                "council": council.slug,
                "name_en": council.name_en,
                "name_cy": council.name_cy,
                "groups": groups,
                "total": total,
            }
        )
    return {"councils": councils}


async def cmd_survey(args: argparse.Namespace, settings: Settings) -> int:
    async with open_repo(settings) as repo:
        council = await council_or_fail(repo, args.council)
        if args.action == "open":
            closes = _date(args.closes) if args.closes else None
            opens = _date(args.opens) if args.opens else None
            today = datetime.now(ZoneInfo(settings.timezone)).date()
            if closes is not None and closes < today:
                raise Failure(t("err.closes_past", closes=closes.isoformat()))
            if closes is None and args.round is None:
                # Re-opening without --closes keeps the closing date already set.
                stored = await repo.window(council.id)
                closes = stored[0] if stored is not None else None
                if closes is not None and closes < today:
                    raise Failure(t("err.kept_closes_past", closes=closes.isoformat()))
            if opens and closes and opens > closes:
                raise Failure(t("err.opens_after_closes"))
            if args.round is not None:
                await _open_round(repo, settings, council, args.round, closes, opens)
            else:
                await repo.set_window(council.id, closes, opens)
            key = "msg.survey_open" + ("_from" if opens else "") + ("_until" if closes else "")
            dates = {"opens": opens and opens.isoformat(), "closes": closes and closes.isoformat()}
            print(t(key, council=council_label(council), **dates))
        else:
            from bot.services.report_builder import advance_releases
            from rubric.loader import load_questionnaire

            await repo.close_survey(council.id)
            # The final release, which counts everyone and which the export is made from.
            await advance_releases(repo, load_questionnaire(), settings)
            print(t("msg.survey_closed", council=council_label(council)))
    return 0


async def _open_round(
    repo: Repository,
    settings: Settings,
    council: Council,
    label: str,
    closes: date | None,
    opens: date | None,
) -> None:
    """The council's next round, on the newest questionnaire version: refused while the round
    before (or the window from before rounds) is still open, or when the label is taken."""
    label = label.strip()
    if not label:
        raise Failure(t("err.round_exists", council=council_label(council), round=typed(label)))
    stored = await repo.window(council.id)
    if stored is not None:
        state = window_state(Window(*stored), datetime.now(UTC), ZoneInfo(settings.timezone))
        if state != "closed":
            raise Failure(
                t("err.round_still_open", council=council_label(council), slug=council.slug)
            )
    try:
        made = await repo.open_round(council.id, label, closes, opens)
    except RoundExists:
        raise Failure(
            t("err.round_exists", council=council_label(council), round=typed(label))
        ) from None
    key = "msg.round_opened" if made.questionnaire_version else "msg.round_opened_packaged"
    print(t(key, council=council_label(council), round=label, version=made.questionnaire_version))


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Failure(t("err.date", text=typed(text))) from None
