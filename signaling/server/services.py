"""Everything the server and the CLI build from one `Settings`: database, keys, tokens, links.

The CLI's ``class`` commands work with or without a running server because both open the same
data directory through this one function.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from classroom import classes
from classroom.assessment.exams import Assessments
from classroom.attendance import AttendanceLog
from classroom.audit import AuditLog
from classroom.db import close_database, open_database
from classroom.errors import ClassEnded
from classroom.models import ClassStatus
from signaling.auth.admin import AdminToken, load_admin_token
from signaling.auth.course_tokens import CourseTokens
from signaling.errors import SettingsError
from signaling.auth.keys import Keyring
from signaling.auth.links import JoinLinks
from signaling.api.schemas import LinkOut, LinkRequest
from signaling.server.settings import Settings
from signaling.auth.technicians import TechnicianTokens
from signaling.auth.tokens import TokenService

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Services:
    settings: Settings
    db: sessionmaker[Session]
    keyring: Keyring
    tokens: TokenService
    links: JoinLinks
    course_tokens: CourseTokens
    attendance: AttendanceLog
    admin_token: AdminToken
    technicians: TechnicianTokens
    audit: AuditLog
    assessments: Assessments  # quiz and test scores: `scores_of(course_id)` for the completion rule

    @classmethod
    def open(cls, settings: Settings) -> Services:
        """Open (creating on first use) the database, keyring and admin token of `settings`."""
        assert settings.database_url is not None and settings.public_url is not None  # derived
        try:
            settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)  # trainees' names
        except OSError as e:
            raise SettingsError(
                f"data_dir: cannot create {settings.data_dir}: {e.strerror}"
            ) from None
        db = open_database(settings.database_url, upgrade=settings.database_upgrade == "auto")
        keyring = Keyring.open(settings.data_dir)
        if keyring.created:
            log.info("created signing keys in %s", keyring.path)
        admin_token = load_admin_token(settings)
        log.info(
            "%s admin token %s",
            "generated an" if admin_token.created else "using the",
            admin_token.describe(),
        )
        tokens = TokenService(keyring, default_ttl=timedelta(hours=settings.link_ttl_hours))
        return cls(
            settings=settings,
            db=db,
            keyring=keyring,
            tokens=tokens,
            links=JoinLinks(tokens, settings.public_url),
            course_tokens=CourseTokens(
                keyring, default_ttl=timedelta(hours=settings.course_link_ttl_hours)
            ),
            attendance=AttendanceLog(db),
            admin_token=admin_token,
            technicians=TechnicianTokens(
                keyring,
                settings.public_url,
                default_ttl=timedelta(hours=settings.technician_link_ttl_hours),
            ),
            audit=AuditLog(db),
            assessments=Assessments(db),
        )

    def close(self) -> None:
        """A clean stop: the database file is complete on its own afterwards (WAL folded in)."""
        close_database(self.db)

    def join_link(self, class_id: str, request: LinkRequest) -> LinkOut:
        """A join link for a class that has not ended (``POST /api/classes/{id}/links`` and
        ``classbridge class link``); synchronous, as it reads the database."""
        if classes.get(self.db, class_id).status is ClassStatus.ENDED:
            raise ClassEnded(class_id)
        ttl = None if request.ttl_hours is None else timedelta(hours=request.ttl_hours)
        return LinkOut.build(
            self.links.link(class_id, request.role, ttl, request.external_id, request.name)
        )
