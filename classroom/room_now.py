"""What happens in a room at a moment: the class on now and the next one.

The room PC (its agent, its LED-wall page) asks this every few seconds. A class is *on* from
`EARLY` before its planned start (the room joins before the lecturer and trainees arrive) to
its planned end, or for as long as it is live (a class that overruns stays on until it is
ended); an ended class never is. A class without planned times is on only while live.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, sessionmaker

from classroom import classes
from classroom.classes import ClassInfo
from classroom.models import ClassRecord, ClassStatus

EARLY = timedelta(minutes=15)


def is_on(info: ClassInfo, now: datetime) -> bool:
    if info.status is ClassStatus.ENDED:
        return False
    if info.status is ClassStatus.LIVE:
        return True
    if info.starts_at is None or info.ends_at is None:
        return False
    return info.starts_at - EARLY <= now < info.ends_at


def now_in_room(
    db: sessionmaker[Session], room: str, now: datetime
) -> tuple[ClassInfo | None, ClassInfo | None]:
    """(the class on now in `room`, the next class planned there), either None."""
    booked = [c for c in classes.booked_in(db, room, now) if c.status is not ClassStatus.ENDED]
    on = [c for c in booked if is_on(c, now)]
    # Two on at once happens only when an admin allowed the overlap: the one live, else the
    # one that started first.
    on.sort(key=lambda c: (c.status is not ClassStatus.LIVE, c.starts_at or c.created_at))
    current = on[0] if on else None
    later = sorted(
        (c for c in booked if c is not current and c.starts_at is not None and c.starts_at > now),
        key=lambda c: c.starts_at or now,
    )
    return current, (later[0] if later else None)


def on_now(db: sessionmaker[Session], now: datetime) -> list[ClassInfo]:
    """Every class on now in some room (a typed check-in PIN is one of theirs)."""
    query = (
        select(ClassRecord)
        .where(
            ClassRecord.room.is_not(None),
            ClassRecord.status != ClassStatus.ENDED,
            or_(
                ClassRecord.status == ClassStatus.LIVE,
                and_(ClassRecord.starts_at <= now + EARLY, ClassRecord.ends_at > now),
            ),
        )
        .limit(500)
    )
    with db() as session:
        found = [ClassInfo.model_validate(r) for r in session.scalars(query)]
    return [c for c in found if is_on(c, now)]
