"""The Bot API stand-in answers like Telegram, driven by aiogram's own client."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from aiohttp import web

from standin import (
    FloodControl,
    HtmlError,
    StandIn,
    TelegramRuleError,
    check_text,
    parse_html,
    utf16_len,
    visible_text,
)

TOKEN = "123:ABC"
ANN = 5001


class FastSession(AiohttpSession):
    """aiogram's session without the 250 ms pause on close (no TLS to drain on loopback)."""

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


def session_for(api: StandIn) -> AiohttpSession:
    return FastSession(api=TelegramAPIServer.from_base(api.base_url))


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=d)] for t, d in pairs]
    )


@pytest.fixture
async def api() -> AsyncIterator[StandIn]:
    async with StandIn(token=TOKEN, bot_username="datatool_bot", callback_timeout=0.5) as server:
        yield server


@pytest.fixture
async def bot(api: StandIn) -> AsyncIterator[Bot]:
    session = session_for(api)
    client = Bot(TOKEN, session=session, default=DefaultBotProperties(parse_mode="HTML"))
    yield client
    await client.session.close()


@pytest.fixture
async def ann(api: StandIn):  # type: ignore[no-untyped-def]
    phone = api.phone(ANN, first_name="Ann", language_code="cy")
    await phone.send("/start CODE")
    return phone


# --- html_check ---------------------------------------------------------------------------------


def test_html_visible_text_and_entities() -> None:
    parsed = parse_html("<b>Bold <i>both</i></b> &lt;x&gt; &amp; &quot;q&quot; &#8217; &#x1F600;")
    assert parsed.text == 'Bold both <x> & "q" \u2019 \U0001f600'
    assert {"offset": 0, "length": 9, "type": "bold"} in parsed.entities
    assert {"offset": 5, "length": 4, "type": "italic"} in parsed.entities
    assert parsed.length == len(parsed.text) + 1  # the emoji is two UTF-16 units


def test_html_all_supported_tags() -> None:
    html = (
        '<a href="https://example.org/?a=1&amp;b=2">l</a> <u>u</u> <ins>i</ins> <s>s</s> '
        "<strike>s</strike> <del>d</del> <tg-spoiler>t</tg-spoiler> "
        '<span class="tg-spoiler">p</span> <code>c</code> '
        '<pre><code class="language-python">x = 1</code></pre> '
        "<blockquote>q</blockquote> <blockquote expandable>e</blockquote> "
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji> <em>e</em> <strong>s</strong>'
    )
    parsed = parse_html(html)
    types = [e["type"] for e in parsed.entities]
    assert types.count("strikethrough") == 3
    assert "expandable_blockquote" in types and "blockquote" in types
    link = next(e for e in parsed.entities if e["type"] == "text_link")
    assert link["url"] == "https://example.org/?a=1&b=2"
    pre = next(e for e in parsed.entities if e["type"] == "pre")
    assert pre["language"] == "python"
    assert "code" not in [e["type"] for e in parsed.entities if e["offset"] == pre["offset"]]


@pytest.mark.parametrize(
    ("html", "message"),
    [
        ("<div>x</div>", 'Unsupported start tag "div" at byte offset 0'),
        ("<p>x</p>", 'Unsupported start tag "p" at byte offset 0'),
        ("<br/>", 'Unsupported start tag "br/" at byte offset 0'),
        ("é <b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("ŵ <b", "Unclosed start tag at byte offset 3"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("<b title>x</b>", 'Expected equal sign in declaration of an attribute of the tag "b"'),
        ("Tom & Jerry", 'Unescaped "&" at byte offset 4'),
        ("&nbsp;", 'Unescaped "&" at byte offset 0'),
        ("<tg-time>x</tg-time>", 'Tag "tg-time" must have a valid "unix"'),
        ('<tg-time unix="1647531900" format="rt">x</tg-time>', 'Invalid date-time format "rt"'),
    ],
)
def test_html_refusals(html: str, message: str) -> None:
    with pytest.raises(HtmlError) as caught:
        parse_html(html)
    assert caught.value.description.startswith("Bad Request: can't parse entities: " + message)


def test_html_lenient_mode_matches_telegram_on_bare_ampersand() -> None:
    assert visible_text("Tom & Jerry &nbsp;", strict=False) == "Tom & Jerry &nbsp;"


def test_check_text_limits_count_code_points_after_parsing() -> None:
    """tdlib checks ``utf8_length`` (code points) against message_text_length_max, after
    parsing; offsets of entities are in UTF-16 units."""
    assert utf16_len("ŵ😀") == 3
    check_text("<b>" + "a" * 4096 + "</b>")  # tags do not count
    check_text("&amp;" * 4096)  # entities count once
    assert check_text("😀" * 4096).chars == 4096  # 8192 UTF-16 units: still accepted
    with pytest.raises(TelegramRuleError, match=r"^Bad Request: message is too long$"):
        check_text("😀" * 4097)
    with pytest.raises(TelegramRuleError, match=r"^Bad Request: message text is empty$"):
        check_text("<b> </b>\n")
    with pytest.raises(TelegramRuleError, match=r"^Bad Request: message caption is too long$"):
        check_text("c" * 1025, caption=True)
    assert check_text("", caption=True).text == ""


def test_check_text_trims_and_shifts_entities() -> None:
    parsed = check_text("\n  <b>hi</b>  ")
    assert parsed.text == "hi"
    assert parsed.entities == [{"offset": 0, "length": 2, "type": "bold"}]


# --- the server through aiogram -----------------------------------------------------------------


async def test_get_me_and_wrong_token(api: StandIn, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123, "datatool_bot", True)
    session = session_for(api)
    stranger = Bot("999:XYZ", session=session)
    with pytest.raises(TelegramUnauthorizedError):
        await stranger.get_me()
    await session.close()
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{api.base_url}/bot999:XYZ/getMe") as response,
    ):
        assert response.status == 401
        assert await response.json() == {
            "ok": False,
            "error_code": 401,
            "description": "Unauthorized",
        }


async def test_send_valid_html_is_stored_with_entities(api: StandIn, bot: Bot, ann) -> None:  # type: ignore[no-untyped-def]
    sent = await bot.send_message(ANN, "<b>Croeso</b> Ann", reply_markup=keyboard(("Iawn", "ok")))
    assert sent.text == "Croeso Ann"
    assert sent.entities is not None and sent.entities[0].type == "bold"
    assert sent.chat.id == ANN and sent.from_user is not None and sent.from_user.is_bot
    assert sent.message_id == 2  # the phone's /start was 1
    assert ann.last.text == "Croeso Ann" and ann.last.button_texts == ["Iawn"]
    assert api.violations == []


async def test_refusals_raise_and_are_recorded(api: StandIn, bot: Bot, ann) -> None:  # type: ignore[no-untyped-def]
    cases = [
        (bot.send_message(ANN, "x" * 4097), "Bad Request: message is too long"),
        (bot.send_message(ANN, "<b></b>"), "Bad Request: message text is empty"),
        (
            bot.send_message(ANN, "<div>x</div>"),
            'Bad Request: can\'t parse entities: Unsupported start tag "div" at byte offset 0',
        ),
        (
            bot.send_message(ANN, "ok", reply_markup=keyboard(("Long", "x" * 65))),
            "Bad Request: BUTTON_DATA_INVALID",
        ),
        (
            bot.send_message(ANN, "ok", reply_markup=keyboard(("Welsh", "ŵ" * 33))),
            "Bad Request: BUTTON_DATA_INVALID",
        ),
        (bot.send_message(777, "hello"), "Bad Request: chat not found"),
        (bot.get_chat(777), "Bad Request: chat not found"),
    ]
    for call, description in cases:
        with pytest.raises(TelegramBadRequest) as caught:
            await call
        assert caught.value.message == description
    assert [v.description for v in api.violations] == [d for _, d in cases]
    method, _, payload = api.violations[0]
    assert method == "sendMessage" and payload["chat_id"] in (ANN, str(ANN))


async def test_keyboard_rules(api: StandIn, bot: Bot, ann) -> None:  # type: ignore[no-untyped-def]
    many = InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=str(i), callback_data=str(i)) for i in range(10)]
            for _ in range(11)
        ]
    )
    with pytest.raises(TelegramBadRequest, match="reply markup is too long"):
        await bot.send_message(ANN, "ok", reply_markup=many)
    blank = keyboard((" ", "x"))
    with pytest.raises(TelegramBadRequest, match="BUTTON_TEXT_INVALID"):
        await bot.send_message(ANN, "ok", reply_markup=blank)
    # reply_markup as a JSON string, straight over HTTP
    markup = json.dumps({"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]})
    async with aiohttp.ClientSession() as http:
        url = f"{api.base_url}/bot{TOKEN}/sendMessage"
        body = {"chat_id": ANN, "text": "json", "reply_markup": markup}
        async with http.post(url, json=body) as response:
            result = await response.json()
    assert result["ok"] and result["result"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "A"


async def test_edit_rules(api: StandIn, bot: Bot, ann) -> None:  # type: ignore[no-untyped-def]
    sent = await bot.send_message(ANN, "Q1", reply_markup=keyboard(("A", "a")))
    with pytest.raises(TelegramBadRequest) as caught:
        await bot.edit_message_text(
            text="Q1", chat_id=ANN, message_id=sent.message_id, reply_markup=keyboard(("A", "a"))
        )
    assert caught.value.message.startswith("Bad Request: message is not modified: specified new")
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text(text="x", chat_id=ANN, message_id=999)
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(
            chat_id=ANN, message_id=sent.message_id, reply_markup=keyboard(("A", "a"))
        )
    await bot.edit_message_text(text="<i>Q1 done</i>", chat_id=ANN, message_id=sent.message_id)
    assert ann.last.text == "Q1 done" and ann.last.reply_markup is None  # markup dropped
    assert ann.last.edits == 1
    await bot.edit_message_reply_markup(
        chat_id=ANN, message_id=sent.message_id, reply_markup=keyboard(("B", "b"))
    )
    assert ann.last.button_texts == ["B"]
    assert len(api.violations) == 3


async def test_blocked_user_gets_403_not_a_violation(api: StandIn, bot: Bot, ann) -> None:  # type: ignore[no-untyped-def]
    ann.block()
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(ANN, "reminder")
    assert api.violations == []
    await ann.send("/start")  # writing again unblocks
    await bot.send_message(ANN, "welcome back")


async def test_get_updates_long_poll_and_offset(api: StandIn, bot: Bot) -> None:
    phone = api.phone(ANN, first_name="Ann")
    loop = asyncio.get_running_loop()
    started = loop.time()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    assert not poll.done()
    await phone.send("/start abc")
    updates = await poll
    assert loop.time() - started < 2
    assert len(updates) == 1 and updates[0].message is not None
    message = updates[0].message
    assert message.text == "/start abc" and message.chat.type == "private"
    assert message.entities is not None and message.entities[0].type == "bot_command"
    assert message.entities[0].length == len("/start")
    first_id = updates[0].update_id
    again = await bot.get_updates(timeout=0)  # not confirmed yet
    assert [u.update_id for u in again] == [first_id]
    await phone.send("second")
    later = await bot.get_updates(offset=first_id + 1, timeout=0)
    assert [u.update_id for u in later] == [first_id + 1]
    api.redeliver(first_id)
    redelivered = await bot.get_updates(offset=first_id + 2, timeout=0)
    assert [u.update_id for u in redelivered] == [first_id]
    assert await bot.get_updates(offset=first_id + 2, timeout=0) == []
    started = loop.time()
    assert await bot.get_updates(offset=first_id + 2, timeout=1) == []
    assert loop.time() - started >= 0.9


async def test_callback_flow(api: StandIn, bot: Bot, ann) -> None:  # type: ignore[no-untyped-def]
    await bot.send_message(
        ANN, "Pick", reply_markup=keyboard(("Cymraeg", "l:cy"), ("English", "l:en"))
    )
    query_id = await ann.tap("Cymraeg")
    updates = await bot.get_updates(timeout=1)
    query = updates[-1].callback_query
    assert query is not None and query.id == query_id and query.data == "l:cy"
    assert isinstance(query.message, Message) and query.message.text == "Pick"
    assert await bot.answer_callback_query(query.id, text="Diolch")
    assert ann.answers[-1].answer_text == "Diolch"
    stale = "Bad Request: query is too old and response timeout expired or query ID is invalid"
    with pytest.raises(TelegramBadRequest) as twice:
        await bot.answer_callback_query(query.id)
    assert twice.value.message == stale
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query("nonsense")
    late = await ann.tap("l:en")  # by callback_data
    await asyncio.sleep(0.6)  # the fixture's callback timeout is 0.5 s
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(late)
    assert len(api.violations) == 3
    with pytest.raises(LookupError):
        await ann.tap("Français")


async def test_phone_wait_for_sees_replies_and_edits(api: StandIn, bot: Bot, ann) -> None:  # type: ignore[no-untyped-def]
    async def reply() -> None:
        await asyncio.sleep(0.05)
        sent = await bot.send_message(ANN, "Question 1/31")
        await bot.edit_message_text(text="Question 1/31 ✓", chat_id=ANN, message_id=sent.message_id)

    task = asyncio.create_task(reply())
    await ann.send("hello")
    got = await ann.wait_for("1/31", timeout=2)
    assert got.text.startswith("Question 1/31")
    edited = await ann.wait_for(lambda m: m.text.endswith("✓"), timeout=2)
    assert edited.message_id == got.message_id
    await task
    with pytest.raises(TimeoutError):
        await ann.wait_for("never", timeout=0.2)
    assert [m.from_bot for m in ann.messages] == [False, False, True]


async def test_send_document_keeps_file_and_caption(api: StandIn, bot: Bot, ann) -> None:  # type: ignore[no-untyped-def]
    data = b"<html><body>Adroddiad Powys</body></html>"
    sent = await bot.send_document(
        ANN,
        BufferedInputFile(data, filename="powys-report-cy.html"),
        caption="<b>Adroddiad</b> Powys",
    )
    assert sent.document is not None and sent.document.file_name == "powys-report-cy.html"
    assert sent.caption == "Adroddiad Powys"
    document = ann.documents[-1]
    assert document.data == data and document.file_name == "powys-report-cy.html"
    assert ann.last.shown == "Adroddiad Powys"
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_document(ANN, BufferedInputFile(b"x", filename="a.txt"), caption="c" * 1025)


async def test_commands_per_language_and_scope(api: StandIn, bot: Bot) -> None:
    english = [BotCommand(command="start", description="Start the survey")]
    welsh = [BotCommand(command="iaith", description="Newid iaith")]
    assert await bot.set_my_commands(english)
    assert await bot.set_my_commands(welsh, language_code="cy")
    scope = BotCommandScopeAllPrivateChats()
    assert await bot.set_my_commands(welsh, scope=scope)
    assert [c.command for c in await bot.get_my_commands()] == ["start"]
    assert [c.command for c in await bot.get_my_commands(language_code="cy")] == ["iaith"]
    assert [c.command for c in await bot.get_my_commands(scope=scope)] == ["iaith"]
    assert await bot.delete_my_commands(language_code="cy")
    assert await bot.get_my_commands(language_code="cy") == []
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Start", description="x")])
    with pytest.raises(TelegramBadRequest, match=r"(?i)description"):
        await bot.set_my_commands([BotCommand(command="help", description="d" * 257)])
    assert len(api.violations) == 2


async def test_misc_methods(api: StandIn, bot: Bot, ann) -> None:  # type: ignore[no-untyped-def]
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates(timeout=0) == []
    assert await bot.send_chat_action(ANN, "typing")
    chat = await bot.get_chat(ANN)
    assert chat.first_name == "Ann" and chat.type == "private"
    assert await bot.log_out() and await bot.close()
    assert {c.method for c in api.calls} >= {"deleteWebhook", "sendChatAction", "getChat"}


async def test_injected_faults(api: StandIn, bot: Bot, ann) -> None:  # type: ignore[no-untyped-def]
    api.faults.update({"share_429": 1.0, "retry_after": 3})
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(ANN, "hi")
    assert caught.value.retry_after == 3
    api.faults.update({"share_429": 0.0, "share_5xx": 1.0})
    with pytest.raises(TelegramServerError):
        await bot.send_message(ANN, "hi")
    api.faults.update({"share_5xx": 0.0, "share_drop": 1.0})
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(ANN, "hi")
    api.faults.update({"share_drop": 0.0})
    await bot.send_message(ANN, "through")
    assert [i.kind for i in api.injected] == ["429", "5xx", "drop"]
    assert api.violations == []
    assert [m.text for m in ann.bot_messages] == ["through"]


async def test_fault_share_is_seeded(api: StandIn, bot: Bot, ann) -> None:  # type: ignore[no-untyped-def]
    def pattern() -> list[str | None]:
        api.faults.update({"share_429": 0.3, "seed": 7})
        return [api.faults.draw() for _ in range(200)]

    first = pattern()
    assert first == pattern()
    assert 30 <= first.count("429") <= 90


async def test_flood_control_counts_and_enforces(bot: Bot) -> None:
    flood = FloodControl(chat_enforced=True, chat_burst=3, chat_rate=1.0, global_burst=100)
    async with StandIn(token=TOKEN, flood=flood) as api:
        session = session_for(api)
        client = Bot(TOKEN, session=session)
        await api.phone(ANN, first_name="Ann").send("/start")
        for n in range(3):
            await client.send_message(ANN, f"burst {n}")
        with pytest.raises(TelegramRetryAfter) as caught:
            await client.send_message(ANN, "one too many")
        assert caught.value.retry_after >= 1
        assert api.flood.chat_over == 1 and api.flood.answered_429 == 1
        assert api.injected[-1].kind == "flood_chat"
        await session.close()


async def test_two_pollers_conflict(api: StandIn, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    second = asyncio.create_task(bot.get_updates(timeout=0))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request"):
        await first
    assert await second == []


async def test_control_api_drives_a_phone(api: StandIn, bot: Bot) -> None:
    async with aiohttp.ClientSession(base_url=api.base_url) as http:
        async with http.post(
            f"/_standin/phones/{ANN}/send", json={"text": "/start", "first_name": "Ann"}
        ) as response:
            assert (await response.json())["result"]["text"] == "/start"
        await bot.send_message(ANN, "Pick", reply_markup=keyboard(("English", "l:en")))
        async with http.post(f"/_standin/phones/{ANN}/tap", json={"button": "English"}) as r:
            query_id = (await r.json())["result"]["callback_query_id"]
        updates = await bot.get_updates(timeout=0)
        assert updates[-1].callback_query is not None
        assert updates[-1].callback_query.id == query_id
        async with http.get(f"/_standin/chats/{ANN}/messages") as response:
            views = (await response.json())["result"]
        assert [v["from_bot"] for v in views] == [False, True]
        async with http.post("/_standin/faults", json={"share_429": 1.0}) as response:
            assert (await response.json())["result"]["share_429"] == 1.0
        with pytest.raises(TelegramRetryAfter):
            await bot.send_message(ANN, "x")
        async with http.get("/_standin/violations") as response:
            assert (await response.json())["result"] == []


async def test_restarted_bot_is_not_blamed_for_its_dead_poll(api: StandIn) -> None:
    crashed = Bot(TOKEN, session=session_for(api))
    poll = asyncio.create_task(crashed.get_updates(timeout=5))
    await asyncio.sleep(0.1)
    poll.cancel()
    await crashed.session.close()
    await asyncio.sleep(0.05)
    restarted = Bot(TOKEN, session=session_for(api))
    await api.phone(ANN, first_name="Ann").send("/start")
    updates = await restarted.get_updates(timeout=1)
    assert len(updates) == 1
    await asyncio.sleep(0.05)
    assert api.violations == []
    await restarted.session.close()


async def test_phone_details_survive_control_api_and_reuse(api: StandIn) -> None:
    async with (
        aiohttp.ClientSession(base_url=api.base_url) as http,
        http.post("/_standin/phones/42/send", json={"text": "hi", "first_name": "Bob"}) as r,
    ):
        assert r.status == 200
    assert api.phone(42).user.first_name == "Bob"
    assert api.phone(42) is api.phone(42)


async def test_drop_after_apply_delivers_but_loses_the_answer(api: StandIn, bot: Bot, ann) -> None:  # type: ignore[no-untyped-def]
    api.faults.update({"share_drop": 1.0, "drop_after_apply": True})
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(ANN, "sent twice?")
    api.faults.update({"share_drop": 0.0})
    assert ann.last is not None and ann.last.text == "sent twice?"


async def test_wait_quiet_waits_for_updates_to_be_taken(api: StandIn, bot: Bot, ann) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TimeoutError):
        await ann.wait_quiet(quiet=0.05, timeout=0.2)  # nobody took the /start update
    updates = await bot.get_updates(timeout=0)
    await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
    await bot.send_message(ANN, "done")
    await ann.wait_quiet(quiet=0.05, timeout=1)


# --- as strict as Telegram, and no stricter (issue 13) -------------------------------------------


def test_an_unknown_attribute_with_a_value_is_ignored_as_by_tdlib() -> None:
    """tdlib skips attributes it does not know (``<b foo="x">``) and refuses one without a value
    (``<b foo>``, in the refusals above): its own parse_html test says so."""
    assert parse_html('<b foo="bar">x</b>').entities == [{"offset": 0, "length": 1, "type": "bold"}]
    assert parse_html("<i data-x=1>y</i>").text == "y"


def test_tg_time_is_a_date_time_entity_as_documented() -> None:
    parsed = parse_html('at <tg-time unix="1647531900" format="wDT">22:45 tomorrow</tg-time>')
    assert parsed.text == "at 22:45 tomorrow"
    assert parsed.entities == [
        {
            "offset": 3,
            "length": 14,
            "type": "date_time",
            "unix_time": 1647531900,
            "date_time_format": "wDT",
        }
    ]
    for fmt in ("r", "t", "T", "d", "D", "w", "wd", "Dt", "wDT"):
        parse_html(f'<tg-time unix="1" format="{fmt}">x</tg-time>')
    plain = parse_html('<tg-time unix="1647531900">x</tg-time>').entities[0]
    assert "date_time_format" not in plain


@pytest.mark.parametrize(
    "text",
    ["\u200b", "\u00a0\u00a0", "\u2800 \u3000\n\ufeff", "<b>\u200d\u200e</b>", "\U000e0041"],
)
def test_text_of_only_invisible_characters_is_empty(text: str) -> None:
    with pytest.raises(TelegramRuleError, match=r"^Bad Request: message text is empty$"):
        check_text(text)


def test_visible_text_among_invisible_characters_is_kept() -> None:
    assert check_text("\u200b.\u200b").text == "\u200b.\u200b"


def test_raw_text_over_32768_bytes_is_too_long_even_if_it_parses_short() -> None:
    assert check_text("." + "<b></b>" * 4681).text == "."  # 32,768 bytes: the most there is
    with pytest.raises(TelegramRuleError, match=r"^Bad Request: text is too long$"):
        check_text("." + "<b></b>" * 4681 + ".")
    with pytest.raises(TelegramRuleError, match=r"^Bad Request: text is too long$"):
        check_text("ŵ" * 16385, caption=True)  # 32,770 bytes


async def test_edit_message_text_refuses_a_reply_keyboard(api: StandIn, bot: Bot, ann) -> None:  # type: ignore[no-untyped-def]
    sent = await bot.send_message(ANN, "Q1")
    reply_keyboard = json.dumps({"keyboard": [[{"text": "Yes"}]]})
    async with aiohttp.ClientSession(base_url=api.base_url) as http:
        for method in ("editMessageText", "editMessageReplyMarkup"):
            body = {"chat_id": ANN, "message_id": sent.message_id, "text": "Q1 again"}
            body["reply_markup"] = reply_keyboard
            async with http.post(f"/bot{TOKEN}/{method}", data=body) as response:
                answer = await response.json()
            assert answer == {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: inline keyboard expected",
            }
    assert ann.last.text == "Q1"


async def test_get_updates_honours_allowed_updates(api: StandIn, bot: Bot, ann) -> None:  # type: ignore[no-untyped-def]
    start = await bot.get_updates(timeout=0)  # /start CODE
    after_start = start[-1].update_id + 1
    only_taps = await bot.get_updates(
        offset=after_start, allowed_updates=["callback_query"], timeout=0
    )
    assert only_taps == []
    await ann.send("a message the bot did not ask for")
    await bot.send_message(ANN, "Pick", reply_markup=keyboard(("A", "a")))
    await ann.tap("A")
    updates = await bot.get_updates(timeout=0)
    assert [u.callback_query is not None for u in updates] == [True]
    await bot.get_updates(offset=updates[-1].update_id + 1, allowed_updates=[], timeout=0)
    await ann.send("now wanted")  # an empty list is Telegram's default again
    later = await bot.get_updates(timeout=0)
    assert [u.message.text for u in later if u.message] == ["now wanted"]


async def test_the_long_poll_is_capped_as_telegram_caps_it(
    api: StandIn, bot: Bot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Telegram clamps ``timeout`` to 50 s; here the cap is lowered so the test need not wait."""
    from standin import server

    monkeypatch.setattr(server, "LONG_POLL_MAX_TIMEOUT", 1)
    poll = asyncio.create_task(bot.get_updates(timeout=3600))
    async with asyncio.timeout(60):
        assert await poll == []
    assert server.LONG_POLL_MAX_TIMEOUT == 1


async def test_webhook_methods_and_delivery(api: StandIn, bot: Bot, ann) -> None:  # type: ignore[no-untyped-def]
    """setWebhook as Telegram checks it; getUpdates refused while a webhook is set; every
    update posted with the secret header and posted again until some answer is a 2xx."""
    seen: list[tuple[str | None, int]] = []
    answers = iter([500, 401])

    async def receive(request: web.Request) -> web.Response:
        body = await request.json()
        seen.append((request.headers.get("X-Telegram-Bot-Api-Secret-Token"), body["update_id"]))
        return web.Response(status=next(answers, 200))

    app = web.Application()
    app.router.add_post("/hook", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        with pytest.raises(TelegramBadRequest, match="HTTPS"):
            await bot.set_webhook("http://example.org/hook", secret_token="s")
        with pytest.raises(TelegramBadRequest, match="secret token"):
            await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="no spaces")
        with pytest.raises(TelegramBadRequest, match="secret token"):
            await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="x" * 257)
        assert await bot.set_webhook(
            f"http://127.0.0.1:{port}/hook", secret_token="s3cr3t", allowed_updates=["message"]
        )
        info = await bot.get_webhook_info()
        assert info.url == f"http://127.0.0.1:{port}/hook"
        assert info.allowed_updates == ["message"]
        with pytest.raises(TelegramConflictError, match="webhook is active"):
            await bot.get_updates(timeout=0)
        await ann.send("hello")  # the fixture's /start is waiting too
        for _ in range(200):
            if len(seen) == 4:
                break
            await asyncio.sleep(0.05)
        first, second = seen[0][1], seen[-1][1]
        # The first update is tried until a 2xx, and only then is the next sent (same chat).
        assert seen == [("s3cr3t", first)] * 3 + [("s3cr3t", second)]
        assert second == first + 1
        assert (await bot.get_webhook_info()).pending_update_count == 0
        assert "401" in ((await bot.get_webhook_info()).last_error_message or "")
        assert await bot.delete_webhook()
        assert (await bot.get_webhook_info()).url == ""
        assert await bot.get_updates(timeout=0) == []
    finally:
        await runner.cleanup()
    assert len(api.violations) == 4  # three refused webhooks and the getUpdates
