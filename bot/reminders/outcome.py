"""What became of one attempt to reach a person, whichever the channel."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Outcome = Literal["sent", "blocked", "bounced", "failed"]


@dataclass(frozen=True)
class SendResult:
    outcome: Outcome
    error: str = ""

    @property
    def unreachable(self) -> Literal["blocked", "bounced"] | None:
        """'blocked' or 'bounced' when the person cannot be reached this way again."""
        if self.outcome == "blocked":
            return "blocked"
        if self.outcome == "bounced":
            return "bounced"
        return None


SENT = SendResult("sent")
