"""The live classes of this server process, created on first join and dropped when empty.

The edge asks the hub to seat a participant in a class; the hub checks the class exists and
is not ended (through a `ClassDirectory`, the database in production) and keeps one
`LiveClass` per running class, each building its participants' media through the hub's
`MediaPeerFactory`. It implements `classroom.live.LiveClasses` for the REST API (ending a
class disconnects everyone).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Awaitable, Callable, Protocol

from classroom.assessment.quiz_bank import QuizBank
from classroom.chat import CHAT_HISTORY
from classroom.checkin.register import CheckInView
from classroom.errors import ClassEnded, ClassNotFound
from classroom.events import CheckInChanged, ClassSummary, Dismissal
from classroom.floor import DEFAULT_FLOOR_LIMIT
from classroom.journal import ClassJournal
from classroom.live_class import LiveClass, Outbox, Participant, Seat
from classroom.participant_media import MediaPeerFactory
from classroom.recording.recording import RecordingFactory, StopReason
from classroom.recording.schedule import AutoRecorder
from classroom.roles import Role
from classroom.seat_limits import SeatLimits

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DirectoryEntry:
    id: str
    title: str
    room: str | None
    ended: bool


class ClassDirectory(Protocol):
    async def get(self, class_id: str) -> DirectoryEntry | None: ...

    async def mark_live(self, class_id: str) -> None:
        """The first participant joined."""

    async def mark_ended(self, class_id: str) -> None:
        """The lecturer ended the class from inside it."""


@dataclass
class Membership:
    """A participant's seat in a live class, as the signaling connection holds it."""

    hub: "ClassHub"
    live: LiveClass
    seat: Seat

    async def leave(self, reason: str) -> None:
        await self.hub.leave(self.live, self.seat, reason)


class ClassHub:
    def __init__(
        self,
        directory: ClassDirectory,
        media: MediaPeerFactory,
        max_participants: int,
        journal: ClassJournal | None = None,
        floor_limit: int = DEFAULT_FLOOR_LIMIT,
        quiz_bank: QuizBank | None = None,
        recordings: RecordingFactory | None = None,
        auto_record: AutoRecorder | None = None,
        seat_limits: SeatLimits | None = None,
    ):
        """`max_participants`: trainees per class; `seat_limits`: the other roles' limits;
        `auto_record` starts the recordings of the classes whose course records every class."""
        self.directory = directory
        self.auto_record = auto_record if recordings is not None else None
        self.quiz_bank = quiz_bank
        self.recordings = recordings
        self.media = media
        self.journal = journal
        self.floor_limit = floor_limit
        self.max_participants = max_participants
        self.seat_limits = seat_limits
        self.classes: dict[str, LiveClass] = {}
        self._lock = asyncio.Lock()

    async def join(
        self,
        class_id: str,
        role: Role,
        name: str,
        external_id: str | None,
        client_id: str | None,
        outbox: Outbox,
        agent: bool = False,
    ) -> Membership:
        """Seat a participant (its outbox gets `Seated` first); raises ClassNotFound,
        ClassEnded or ClassFull."""
        async with self._lock:
            live = self.classes.get(class_id)
            opened = live is None
            if live is None:
                record = await self.directory.get(class_id)
                if record is None:
                    raise ClassNotFound(class_id)
                if record.ended:
                    raise ClassEnded(class_id)
                summary = ClassSummary(id=record.id, title=record.title, room=record.room)
                journal = self.journal
                live = LiveClass(
                    summary,
                    self.media,
                    self.max_participants,
                    self._ender(class_id),
                    journal=journal,
                    chat_history=await journal.chat_history(class_id, CHAT_HISTORY) if journal else (),
                    removals=await journal.removals(class_id) if journal else (),
                    floor_limit=self.floor_limit,
                    quiz_bank=self.quiz_bank,
                    recordings=self.recordings,
                    seat_limits=self.seat_limits,
                )
                self.classes[class_id] = live
                await self.directory.mark_live(class_id)
            try:
                seat = await live.join(role, name, external_id, client_id, outbox, agent=agent)
            except Exception:
                self._drop_if_empty(live)
                raise
            if opened and self.auto_record is not None:
                opened_live = live
                await self.auto_record.opened(live, lambda: self.classes.get(class_id) is opened_live)
            return Membership(self, live, seat)

    async def leave(self, live: LiveClass, seat: Seat, reason: str) -> None:
        try:
            await live.leave_seat(seat, reason)
        finally:  # a failed leave must not keep an empty class alive
            async with self._lock:
                self._drop_if_empty(live)

    def _drop_if_empty(self, live: LiveClass) -> None:
        if not live.occupied and self.classes.get(live.summary.id) is live:
            del self.classes[live.summary.id]
            live.end_recording(StopReason.EVERYONE_LEFT)
            if self.auto_record is not None:
                self.auto_record.closed(live)

    def _ender(self, class_id: str) -> Callable[[], Awaitable[None]]:
        async def end() -> None:
            await self.directory.mark_ended(class_id)
            await self.end_class(class_id)

        return end

    async def end_class(self, class_id: str) -> None:
        """Disconnect everyone from a class that was ended (its record already says so)."""
        async with self._lock:
            live = self.classes.pop(class_id, None)
        if live is not None:
            await live.end()

    def participant_count(self, class_id: str) -> int:
        live = self.classes.get(class_id)
        return len(live.participants) + len(live.lobby) if live else 0

    async def checkin_changed(self, checkin: CheckInView) -> None:
        live = self.classes.get(checkin.class_id)
        if live is not None:
            live.checkin_changed(
                CheckInChanged(checkin.external_id, checkin.name, checkin.checked_in_at, checkin.checked_out_at)
            )

    def gauges(self) -> dict[str, int]:
        """What this process carries right now, for /metrics."""
        participants = [p for live in self.classes.values() for p in live.participants.values()]
        return {
            "classes": len(self.classes),
            "participants": len(participants),
            "published_tracks": sum(len(p.published) for p in participants),
            "forwarded_streams": sum(len(p.peer.downtracks()) for p in participants),
            "recordings_active": sum(1 for live in self.classes.values() if live.recording is not None),
        } | self._layer_gauges(participants)

    @staticmethod
    def _layer_gauges(participants: list[Participant]) -> dict[str, int]:
        """Layered videos received at each layer, summed over subscribers (`subscriber_layers_<layer>`),
        and subscribers by link quality (`subscriber_links_<quality>`)."""
        totals = {"high": 0, "medium": 0, "low": 0, "paused": 0}
        for participant in participants:
            for layer, count in participant.peer.layer_counts().items():
                totals[layer] += count
        links = {"good": 0, "fair": 0, "poor": 0}
        for participant in participants:
            if participant.link is not None:
                links[participant.link.quality] += 1
        return {f"subscriber_layers_{layer}": count for layer, count in totals.items()} | {
            f"subscriber_links_{quality}": count for quality, count in links.items()
        }

    async def close(self) -> None:
        """Server shutdown: close every connection and peer."""
        for class_id in list(self.classes):
            live = self.classes.pop(class_id)
            live.end_recording(StopReason.SERVER_SHUTDOWN)
            for seat in list(live.lobby.values()):
                seat.outbox.dismiss(Dismissal.SERVER_SHUTDOWN)
            for participant in list(live.participants.values()):
                participant.outbox.dismiss(Dismissal.SERVER_SHUTDOWN)
                await live.leave(participant, "server_shutdown")
