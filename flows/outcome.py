"""What became of one attempt to reach a person, whichever the channel."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Outcome = Literal["sent", "blocked", "bounced", "failed"]
_ADDRESS = re.compile(r"[^\s@<>()\[\]'\",;:]+@[^\s@<>()\[\]'\",;:]+")


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    error: str = ""
    personal: bool = False
    """For 'failed': this message to this person was refused (a 400 from Telegram, an SMTP
    command refused, a name that cannot go in a header), so trying again counts towards the
    person's cap. False when the channel itself failed (network, login, a server fault): that
    says nothing about the person, and the next run simply tries again."""
    code: str = ""
    """Why, as a code the command line words in the operator's language (``remind.why.CODE``),
    with `detail`, the outside world's own words (an SMTP answer, Telegram's description);
    empty where the error is only the outside world's (a network fault)."""
    detail: str = ""

    @property
    def unreachable(self) -> Literal["blocked", "bounced"] | None:
        """'blocked' or 'bounced' when the person cannot be reached this way again."""
        if self.outcome == "blocked":
            return "blocked"
        if self.outcome == "bounced":
            return "bounced"
        return None

    @property
    def reason(self) -> str:
        """The error with any email address taken out: what the summary groups by and the log
        may hold (the log never names a person)."""
        return _ADDRESS.sub("<address>", self.error) or self.outcome

    @property
    def detail_shown(self) -> str:
        """`detail` with any email address taken out, as `reason`."""
        return _ADDRESS.sub("<address>", self.detail)


SENT = SendResult("sent")


def refused(error: str) -> SendResult:
    """This message to this person was refused."""
    return SendResult("failed", error, personal=True)
