"""Settings from the environment and ``.env``, as named in the interface contract.

A missing or malformed setting must end a command with one line that names the setting, so
``load_settings`` turns pydantic's report into a ``ConfigError`` that the CLI prints and exits on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from flows.cadence import Cadence
from rubric.schema import Lang

_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class ConfigError(Exception):
    """A setting is missing or malformed; the message names it, in English (the bot logs it).

    The same, for a reader in another language: ``setting`` names it, ``kind`` is pydantic's error
    type (``int_parsing``, ``greater_than``, ...) with its ``ctx``, or one of ours, which is the
    key of its sentence in the operator's catalog (``config.url``, ``config.token_missing``, ...).
    """

    def __init__(
        self,
        message: str,
        *,
        setting: str = "",
        kind: str = "",
        ctx: Mapping[str, Any] | None = None,
        detail: str = "",
    ) -> None:
        super().__init__(message)
        self.setting = setting
        self.kind = kind
        self.ctx: Mapping[str, Any] = ctx or {}
        self.detail = detail
        """pydantic's own (English) message, for an error type the operator's catalog lacks."""


def without_password(target: str) -> str:
    """A database path or URL as it may be shown: a URL's password is left out."""
    parts = urlsplit(target)
    if parts.password is None:
        return target
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return parts._replace(netloc=netloc).geturl()


def _refused(key: str, english: str) -> PydanticCustomError:
    """A validator's refusal: a ValueError whose pydantic type is the catalog key ``key``."""
    return PydanticCustomError(key, english)


class Settings(BaseSettings):
    # An empty setting is no setting (``SMTP_USERNAME=`` as .env.example ships it): without
    # ``env_ignore_empty`` it would be an empty username, and every email would try to log in.
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        env_ignore_empty=True,
    )

    bot_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"
    datatool_db: str = "./datatool.sqlite3"
    """A SQLite file (the default), or a ``postgresql://`` URL."""
    datatool_lang: Lang | None = None
    """The operator's language for ``datatool`` itself (unset: from the locale). Read by
    ``bot.cli.words`` before the settings, so that ``--help`` is in it; checked here."""
    auditor_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    send_rate: float = Field(25.0, gt=0, le=30)
    reply_rate: float = Field(29.0, gt=0)
    """Most messages a second the bot sends to all chats together (Telegram's cap is about
    30); the offline demo raises it, since its phones are simulated."""
    min_group_size: int = Field(5, ge=2, le=100)
    unanimity_safe_size: int = Field(20, ge=2, le=1000)
    """Below this many views, a group's figures for a question are withheld where all of them,
    or all but fewer than MIN_GROUP_SIZE, gave one answer (`reports.confidentiality`)."""

    smtp_host: str | None = None
    smtp_port: int = Field(587, gt=0, lt=65536)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str | None = None
    smtp_starttls: bool = True
    smtp_timeout: float = Field(15.0, gt=0, le=300)
    """Seconds to wait for the mail server to connect or to answer one command (aiosmtplib's
    timeout): a server that accepts and never answers costs this, not minutes."""

    # Reminder cadence (Europe/London working hours).
    remind_after_days: int = Field(3, ge=1, le=60)
    remind_every_days: int = Field(7, ge=1, le=60)
    remind_max: int = Field(3, ge=0, le=20)
    last_call_days: int = Field(2, ge=0, le=14)
    work_start: time = time(9, 0)
    work_end: time = time(17, 0)
    work_days: Annotated[frozenset[int], NoDecode] = frozenset({0, 1, 2, 3, 4})
    """Weekdays (Monday = 0) on which reminders may go out."""
    timezone: str = "Europe/London"
    remind_check_seconds: float = Field(300.0, gt=0)
    """How often the schedule inside ``datatool run`` looks for due reminders."""

    webhook_url: str | None = None
    """The public HTTPS URL Telegram posts updates to; set, ``datatool run`` serves a webhook."""
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "0.0.0.0:8080"

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] | None = None
    """The log's threshold (unset: INFO for ``datatool run``, WARNING for the rest)."""
    log_format: Literal["text", "json"] = "text"
    """``json``: one JSON object a line, for a log collector."""

    flood_rate: float = Field(1.0, gt=0)
    """Updates a second one person may send, after a burst of eight, before the bot drops
    theirs: each can cost a message, and Telegram allows about one a second in a chat."""

    @field_validator("datatool_lang", mode="before")
    @classmethod
    def _lang(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip().lower() or None
            if value not in (None, "cy", "en"):
                raise _refused("config.lang", "must be cy or en")
        return value

    @field_validator("log_level", "log_format", mode="before")
    @classmethod
    def _log_words(cls, value: object) -> object:
        if isinstance(value, str):
            value = value.strip()
            return (
                value.upper()
                if value.lower() in ("debug", "info", "warning", "error")
                else (value.lower())
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        """A time zone that does not exist is refused at start (exit 2), not at the first
        reminder round (a traceback every round, and nothing sent)."""
        try:
            ZoneInfo(value.strip())
        except (ZoneInfoNotFoundError, ValueError):
            raise _refused("config.timezone", "must be a time zone such as Europe/London") from None
        return value.strip()

    @field_validator("auditor_ids", mode="before")
    @classmethod
    def _ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.split(",") if p.strip()]
            try:
                return frozenset(int(p) for p in parts)
            except ValueError:
                raise _refused(
                    "config.ids", "must be comma-separated Telegram user ids (numbers)"
                ) from None
        return value

    @field_validator("work_days", mode="before")
    @classmethod
    def _days(cls, value: object) -> object:
        if isinstance(value, str):
            try:
                days = frozenset(int(p) for p in value.split(",") if p.strip())
            except ValueError:
                raise _refused(
                    "config.weekdays", "must be comma-separated weekday numbers, Monday = 0"
                ) from None
            if not days <= set(range(7)):
                raise _refused(
                    "config.weekday_range", "weekday numbers run from 0 (Monday) to 6 (Sunday)"
                )
            return days
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise _refused("config.url", "must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("datatool_db", mode="before")
    @classmethod
    def _db(cls, value: object) -> object:
        return str(value) if isinstance(value, Path) else value

    @property
    def database_label(self) -> str:
        """DATATOOL_DB as it may be shown: a URL's password is left out."""
        return without_password(self.datatool_db)

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise _refused(
                "config.webhook_url",
                "must be the full public URL, such as https://example.org/datatool",
            )
        return value.strip()

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        if not _SECRET.fullmatch(value.get_secret_value()):
            raise _refused(
                "config.webhook_secret", "must be 1 to 256 characters of A-Z, a-z, 0-9, _ and -"
            )
        return value

    @field_validator("webhook_listen")
    @classmethod
    def _listen(cls, value: str) -> str:
        host, _, port = value.strip().rpartition(":")
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise _refused("config.listen", "must be host:port, such as 0.0.0.0:8080")
        return value.strip()

    @property
    def listen_address(self) -> tuple[str, int]:
        host, _, port = self.webhook_listen.rpartition(":")
        return host.strip("[]"), int(port)

    @property
    def webhook_path(self) -> str:
        """The path Telegram posts to (the URL's), which the webhook server answers on."""
        return urlsplit(self.webhook_url or "").path or "/"

    def secret(self) -> str:
        """The webhook's secret token; a webhook without one would take anyone's updates."""
        if self.webhook_secret is None:
            raise ConfigError(
                "WEBHOOK_SECRET is not set: WEBHOOK_URL needs it (1 to 256 characters of"
                " A-Z, a-z, 0-9, _ and -)",
                setting="WEBHOOK_SECRET",
                kind="config.secret_missing",
            )
        return self.webhook_secret.get_secret_value()

    @property
    def email_enabled(self) -> bool:
        return bool(self.smtp_host)

    def token(self) -> str:
        if self.bot_token is None or not self.bot_token.get_secret_value().strip():
            raise ConfigError(
                "BOT_TOKEN is not set: put the token from @BotFather in .env",
                setting="BOT_TOKEN",
                kind="config.token_missing",
            )
        value = self.bot_token.get_secret_value().strip()
        left, _, right = value.partition(":")
        if not left.isdigit() or not right:
            raise ConfigError(
                "BOT_TOKEN is malformed: expected the form 123456:ABC-DEF from @BotFather",
                setting="BOT_TOKEN",
                kind="config.token_malformed",
            )
        return value

    def cadence(self) -> Cadence:
        """The reminder rules' settings, as the pure rules in ``flows.cadence`` take them."""
        return Cadence(
            remind_after=timedelta(days=self.remind_after_days),
            remind_every=timedelta(days=self.remind_every_days),
            remind_max=self.remind_max,
            last_call_days=self.last_call_days,
            work_start=self.work_start,
            work_end=self.work_end,
            work_days=self.work_days,
            tz=ZoneInfo(self.timezone),
        )


def load_settings(*, require_token: bool = False, **overrides: object) -> Settings:
    """Read the settings, turning any problem into one ``ConfigError`` line."""
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]).upper() if error["loc"] else "a setting"
        raise ConfigError(
            f"{name} is malformed: {error['msg']}",
            setting=name,
            kind=error["type"],
            ctx=error.get("ctx", {}),
            detail=error["msg"],
        ) from None
    if require_token:
        settings.token()
    if settings.webhook_url is not None:
        settings.secret()
    return settings
