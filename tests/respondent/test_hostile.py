"""Hostile and careless input through the real dispatcher in this process: a thousand random
inputs, a flood, borrowed codes, and markup in answers. Each input is answered by the time it
has been handled (tests/support/mocked_bot.py), so every one is checked with no wait."""

from __future__ import annotations

import asyncio
import base64
import random
import sqlite3
from functools import partial
from pathlib import Path

from standin import Phone, StoredMessage, utf16_len
from tests.support.bot_process import Person, seed_roster
from tests.support.chat import (
    ENGLISH_SCREEN_WORDS,
    KINDS,
    QUESTIONS,
    asked,
    begin,
    current_question,
    shows,
)
from tests.support.mocked_bot import InProcessBot, Telegram

WELSH_CATALOG = (
    Path(__file__).parents[2] / "bot" / "locales" / "cy" / "LC_MESSAGES" / "messages.po"
).read_text(encoding="utf-8")
ENGLISH_MARKERS = [
    w
    for w in (
        *ENGLISH_SCREEN_WORDS,
        "Please",
        "button",
        "invitation",
        "already",
        "answers",
    )
    if w.lower() not in WELSH_CATALOG.lower()
]

# --- the random inputs ------------------------------------------------------------------------

SCRIPTS = [
    "abcdefghijklmnopqrstuvwxyz ",
    "âêîôûŵŷäëïöüÿ ",  # Welsh diacritics
    "абвгдеёжзийклмнопрстуфхцчшщыэюя ",
    "ابتثجحخدذرزسشصضطظعغفقكلمنهوي ",  # RTL
    "אבגדהוזחטיכלמנסעפצקרשת ",  # RTL
    "日本語中文한국어漢字",
    "😀😃🎉👍🏽👩‍💻🏴󠁧󠁢󠁷󠁬󠁳󠁿❤️‍🔥🇬🇧",
    "\u200b\u200c\u200d\u2060\u200e\u200f\u202e\ufeff",  # zero-width and direction marks
    "e\u0301a\u0308o\u0327",  # combining marks
    "<>&\"'/;`\\{}[]$%#",
]
MARKUP = [
    "<b>bold</b>",
    "&amp;",
    "&lt;b&gt;",
    "<script>alert(1)</script>",
    "</i>",
    "<a href='javascript:x'>x</a>",
    "<tg-spoiler>",
    "&#x1F600;",
    "<pre><code class='x'>",
]
COMMANDS = [
    "/start",
    "/help",
    "/cymorth",
    "/language",
    "/iaith",
    "/privacy",
    "/preifatrwydd",
    "/forget",
    "/anghofio",
    "/report",
    "/nonsense",
    "/start@datatool_bot",
    "/help@someone_else_bot",
]


def random_text(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.1:
        return rng.choice(MARKUP) + rng.choice(MARKUP)
    if roll < 0.15:  # huge, up to Telegram's 4096 (UTF-16 units) for what a person sends
        text = "".join(rng.choice(rng.choice(SCRIPTS[:6])) for _ in range(rng.randint(2000, 4096)))
        while utf16_len(text) > 4096:
            text = text[:-1]
        return text
    length = rng.choice([1, 1, 2, 5, 20, 80, 300, 1000])
    text = "".join(rng.choice(rng.choice(SCRIPTS)) for _ in range(length))
    return text if text.strip() else text + "x"


def random_command(rng: random.Random, codes: list[str]) -> str:
    command = rng.choice(COMMANDS)
    roll = rng.random()
    if roll < 0.3:
        return command
    if roll < 0.5 and codes:
        return f"{command} {rng.choice(codes)}"  # someone else's (or one's own) code
    return f"{command} {random_text(rng)[:200]}"


def random_callback_data(rng: random.Random, welsh: bool) -> str:
    """Forged and stale data; a Welsh speaker never forges "l:en" (that would be their own
    choice of English, not the bot's mistake)."""
    qid = rng.choice([*QUESTIONS, "", "zzz", "v_vision:extra", "../../etc"])
    nav = ["back", "skip", "change", "review", "submit", "privacy", "resume", "x"]
    choices = [
        f"a:{qid}:{rng.choice(['sa', 'a', 'n', 'd', 'sd', 'dk', '1', '2', '3', 'zz', ''])}",
        f"n:{rng.choice(nav)}:{qid}",
        f"l:{rng.choice(['cy', 'fr', ''] if welsh else ['en', 'cy', 'fr', ''])}",
        "f:0",  # never "f:1": forgetting would end the test's respondent
        "".join(rng.choice(SCRIPTS[0] + ":") for _ in range(rng.randint(1, 64))),
        "a",
        "n:",
        ":::",
    ]
    data = rng.choice(choices)
    while len(data.encode()) > 64:
        data = data[:-1]
    return data or "x"


async def forged_tap(api: Telegram, phone: Phone, rng: random.Random, data: str) -> str | None:
    """A callback query with any data on any of the bot's messages (old ones make it stale)."""
    mine = phone.bot_messages
    if not mine:
        return None
    message = rng.choice(mine) if rng.random() < 0.5 else mine[-1]
    return await api.forge_tap(phone, data, message)


async def drive(
    api: Telegram,
    phone: Phone,
    rng: random.Random,
    count: int,
    codes: list[str],
    welsh: bool,
) -> int:
    """Send ``count`` random inputs one after another; each must be answered. Returns the
    number of inputs sent."""
    sent = 0
    for _ in range(count):
        mark = api.state.seq
        roll = rng.random()
        callback_id: str | None = None
        if roll < 0.35:
            callback_id = await forged_tap(api, phone, rng, random_callback_data(rng, welsh))
        elif roll < 0.45:
            question = current_question(phone)
            if question is not None and question.buttons:
                _, data = rng.choice([b for row in question.buttons for b in row])
                assert data is not None
                callback_id = await forged_tap(api, phone, rng, data)  # a genuine button
        if callback_id is None:
            text = random_command(rng, codes) if roll > 0.8 else random_text(rng)
            await phone.send(text)
        sent += 1
        fresh = [m for m in phone.bot_messages if m.seq > mark]
        if callback_id is not None:
            query = api.state.callbacks[callback_id]
            assert query.answered, f"tap {query.data!r} never answered"
            if welsh and query.answer_text:
                assert not any(w in query.answer_text for w in ENGLISH_MARKERS), query.answer_text
        else:
            assert fresh, f"no reply to {text[:60]!r}"
        if welsh:
            for message in fresh:
                words = message.text + " " + " ".join(message.button_texts)
                assert not any(w in words for w in ENGLISH_MARKERS), words[:300]
    return sent


async def test_a_thousand_random_inputs(telegram: Telegram, datatool: InProcessBot) -> None:
    api = telegram
    people: list[Person] = [
        ("powys", "officer", "Cymraes Un", "cy", None),
        ("powys", "member", "Saesnes Dau", "en", None),
        ("cardiff", "officer", "Spare Three", None, None),
        ("cardiff", "officer", "Spare Four", None, None),
    ]
    tokens = await seed_roster(datatool.db_path, people)
    codes = [*tokens.values(), "A" * 32, "x", "-" * 64, "../../etc/passwd"]
    await datatool.start()

    welsh = api.phone(9001, "Cymraes", language_code="cy")
    await welsh.send(f"/start {tokens['cymraes.un@powys.example']}")
    await welsh.wait_for("Dewiswch eich iaith")
    await welsh.tap("Cymraeg")
    await welsh.wait_for("Eich preifatrwydd")
    await welsh.tap("Parhau")
    await welsh.wait_for(lambda m: asked(m) == QUESTIONS[0])

    english = api.phone(9002, "Saesnes", language_code="en")
    await english.send(f"/start {tokens['saesnes.dau@powys.example']}")
    await english.wait_for("Dewiswch eich iaith")
    await english.tap("English")
    await english.wait_for("Your privacy")
    await english.tap("Continue")
    await english.wait_for(lambda m: asked(m) == QUESTIONS[0])

    strangers = [
        api.phone(9100 + n, f"S{n}", language_code=("cy", "en", None)[n]) for n in range(3)
    ]
    rng = random.Random(4096)
    sent = await asyncio.gather(
        drive(api, welsh, random.Random(rng.random()), 300, codes, welsh=True),
        drive(api, english, random.Random(rng.random()), 300, codes, welsh=False),
        *(drive(api, s, random.Random(rng.random()), 134, codes, welsh=False) for s in strangers),
    )
    assert sum(sent) >= 1000
    assert datatool.errors == []
    assert api.violations == []
    # Nobody took over someone else's invitation.
    with sqlite3.connect(datatool.db_path) as conn:
        bound = dict(conn.execute("SELECT email, telegram_id FROM invitees"))
    assert bound["cymraes.un@powys.example"] == 9001
    assert bound["saesnes.dau@powys.example"] == 9002


# --- flooding -------------------------------------------------------------------------------------


async def test_a_flooder_is_throttled_without_slowing_anyone_else(
    telegram: Telegram, datatool: InProcessBot
) -> None:
    tokens = await seed_roster(
        datatool.db_path,
        [("powys", "officer", f"Officer {n:03d}", "en", None) for n in range(2)],
    )
    api = telegram
    api.flood.chat_enforced = True
    await datatool.start(flood_rate=1.0)  # the default; the harness raises it for fast phones
    flooder, calm = api.phone(9301, "Flood"), api.phone(9302, "Calm")
    await begin(flooder, tokens["officer.000@powys.example"])
    await begin(calm, tokens["officer.001@powys.example"])
    await asyncio.sleep(1.5)  # let both throttle buckets refill after the set-up taps

    loop = asyncio.get_running_loop()

    async def flood() -> int:
        count = 0
        for burst in range(10):
            for n in range(40):  # 400 messages in about a second
                await flooder.send(f"spam {burst}-{n}")
                count += 1
            await asyncio.sleep(0.1)
        return count

    async def answer_calmly() -> list[float]:
        waits = []
        for qid in QUESTIONS[:6]:
            await asyncio.sleep(0.4)  # a person reads before tapping
            message = current_question(calm)
            assert message is not None and asked(message) == qid
            started = loop.time()
            await calm.tap(f"a:{qid}:a", message)

            def asks_the_next(m: StoredMessage, q: str = qid) -> bool:
                return asked(m) == QUESTIONS[QUESTIONS.index(q) + 1]

            await calm.wait_for(asks_the_next)
            waits.append(loop.time() - started)
        return waits

    flooded, waits = await asyncio.gather(flood(), answer_calmly())
    replies = [m for m in flooder.bot_messages if "spam" not in m.text]
    assert flooded == 400
    # Throttled: a burst and the refill, not four hundred answers.
    assert len(replies) < 60, len(replies)
    # In the flooder's language (English, chosen at the start), not in both.
    assert any("very quickly" in m.text for m in replies)
    assert not any("gyflym iawn" in m.text for m in replies)
    # Never over Telegram's per-chat limit, and the calm person was not held up.
    assert not [i for i in api.injected if i.kind == "flood_chat"]
    assert api.flood.chat_over == 0
    # Not held up: never throttled, never told to slow down. (How fast the replies came is a
    # benchmark's figure, benchmarks/latency.py; a test that timed it would fail on a busy
    # machine.) The bound below only catches replies queued behind the flood.
    assert not [m for m in calm.bot_messages if "very quickly" in m.text]
    assert max(waits) < 15.0, waits
    with sqlite3.connect(datatool.db_path) as conn:
        stored = conn.execute(
            "SELECT COUNT(*) FROM answers a JOIN responses r ON r.id = a.response_id"
            " JOIN invitees i ON i.id = r.invitee_id WHERE i.telegram_id = 9302"
        ).fetchone()[0]
    assert stored == 6
    assert datatool.errors == []


# --- codes and escaping ---------------------------------------------------------------------------


async def test_codes_are_long_single_use_and_answers_are_shown_literally(
    telegram: Telegram, datatool: InProcessBot
) -> None:
    people: list[Person] = [("powys", "officer", f"Officer {n:03d}", "en", None) for n in range(30)]
    api = telegram
    tokens = await seed_roster(datatool.db_path, people)
    for token in tokens.values():
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        assert len(raw) * 8 >= 128, token
    assert len(set(tokens.values())) == len(tokens)

    await datatool.start()
    owner, thief = api.phone(9401, "Owner"), api.phone(9402, "Thief")
    code = tokens["officer.000@powys.example"]
    await begin(owner, code)
    await thief.send(f"/start {code}")
    refused = await thief.wait_for(lambda m: True)
    assert "already been used" in refused.text or "eisoes wedi'i defnyddio" in refused.text
    await owner.send(f"/start {tokens['officer.001@powys.example']}")
    other = await owner.wait_for(lambda m: True)
    assert "already linked" in other.text or "eisoes wedi'i gysylltu" in other.text
    with sqlite3.connect(datatool.db_path) as conn:
        bound = dict(conn.execute("SELECT email, telegram_id FROM invitees"))
    assert bound["officer.000@powys.example"] == 9401
    assert bound["officer.001@powys.example"] is None
    assert 9402 not in bound.values()

    # A comment full of markup is stored as typed and shown literally, never as markup.
    hostile = "<b>x</b> & <script>alert('hi')</script> &amp; </i>"
    for qid in QUESTIONS:
        message = current_question(owner)
        assert message is not None and asked(message) == qid
        if KINDS[qid] == "text":
            await owner.send(hostile)
        else:
            await owner.tap(f"a:{qid}:{'a' if KINDS[qid] == 'agree' else '2'}", message)
        nxt = QUESTIONS[QUESTIONS.index(qid) + 1] if qid != QUESTIONS[-1] else None
        await owner.wait_for(partial(shows, qid=nxt))
    review = owner.last
    assert review is not None and "Check your answers" in review.text
    assert review.text.count(hostile) == sum(k == "text" for k in KINDS.values())  # literally
    assert review.html is not None and "&lt;b&gt;x&lt;/b&gt;" in review.html
    assert not [e for e in review.entities if e["type"] not in ("bold", "italic")]
    with sqlite3.connect(datatool.db_path) as conn:
        texts = {r[0] for r in conn.execute("SELECT text FROM answers WHERE text IS NOT NULL")}
    assert texts == {hostile}
    assert api.violations == []
