"""The reactions a participant can send: a small fixed set, shown briefly on their tile."""

from __future__ import annotations

REACTIONS = ("thumbs_up", "clap", "heart", "laugh", "surprised", "question")
REACTION_RATE_PER_SECOND = 1.0
REACTION_BURST = 3
