"""Who may do what to a room: the bearer credential becomes a `Principal`, checked per action.

Credentials, all sent as ``Authorization: Bearer <credential>`` (or in the WebSocket's first
message): the admin token; a technician link's token; a join link's token. The permission
matrix, in one table:

| principal            | rooms       | actions                                                |
| -------------------- | ----------- | ------------------------------------------------------ |
| admin, technician    | every room  | everything (the admin alone issues technician links)   |
| lecturer             | their class's room, while the class has not ended | view, camera moves, zoom, home, preset recall, named positions, microphone mute, lecturer-allowed scenes |
| trainee, observer, room agent | none | nothing                                            |

A lecturer's room comes from the database (the class their token names), never from the
request. Refusals carry stable codes: ``auth_required`` (401), ``auth_invalid``,
``token_expired``, ``forbidden``, ``not_your_room``, ``scene_not_allowed``, ``class_ended``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import jwt
from sqlalchemy.orm import Session, sessionmaker

from classroom import classes
from classroom.errors import ClassNotFound
from classroom.models import ClassStatus
from devices.room.actor import Actor, ActorKind
from devices.commands import COMMAND_NAMES
from signaling.auth.admin import AdminToken
from signaling.errors import AuthRefused, TokenError
from signaling.auth.technicians import AUDIENCE as TECHNICIAN_AUDIENCE
from signaling.auth.technicians import TechnicianTokens
from signaling.auth.tokens import AUDIENCE as JOIN_AUDIENCE
from signaling.auth.tokens import TokenService


class PrincipalKind(str, enum.Enum):
    ADMIN = "admin"
    TECHNICIAN = "technician"
    LECTURER = "lecturer"
    TRAINEE = "trainee"
    OBSERVER = "observer"
    ROOM = "room"  # the smart room's media agent: it sends media, it does not drive devices


ACTIONS: tuple[str, ...] = ("view", *COMMAND_NAMES, "position", "scene", "audit", "technician_link")
LECTURER_ACTIONS = frozenset(
    {"view", "move", "stop", "zoom", "home", "preset_recall", "position", "mute", "scene"}
)


class AccessDenied(AuthRefused):
    """Refused: 401 without a credential, 403 otherwise."""

    code = "forbidden"


@dataclass(frozen=True)
class Principal:
    kind: PrincipalKind
    name: str
    room: str | None = None  # a lecturer's room
    class_id: str | None = None

    @property
    def staff(self) -> bool:
        return self.kind in (PrincipalKind.ADMIN, PrincipalKind.TECHNICIAN)

    @property
    def actor(self) -> Actor:
        """How the audit log names them (only principals that may act ever reach it)."""
        return Actor(kind=ActorKind(self.kind.value), name=self.name, class_id=self.class_id)

    def sees(self, room: str) -> bool:
        return self.staff or (self.kind is PrincipalKind.LECTURER and self.room == room)


def allowed(principal: Principal, action: str, room: str | None = None, lecturer_scene: bool = False) -> bool:
    """The matrix above; `lecturer_scene` says whether the scene acted on is lecturer-allowed."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}")
    if principal.kind is PrincipalKind.ADMIN:
        return True
    if principal.kind is PrincipalKind.TECHNICIAN:
        return action != "technician_link"
    if principal.kind is PrincipalKind.LECTURER:
        own_room = room is not None and room == principal.room
        return own_room and action in LECTURER_ACTIONS and (action != "scene" or lecturer_scene)
    return False


def require(principal: Principal, action: str, room: str | None = None, lecturer_scene: bool = False) -> None:
    """`allowed`, or an `AccessDenied` that says why."""
    if allowed(principal, action, room, lecturer_scene):
        return
    if principal.kind is PrincipalKind.LECTURER:
        if room is None or room != principal.room:
            raise AccessDenied(
                f"a lecturer controls only the room of their class ({principal.room or 'none'})",
                code="not_your_room",
            )
        if action == "scene":
            raise AccessDenied("this scene is for technicians", code="scene_not_allowed")
        raise AccessDenied(f"'{action}' is for technicians", code="forbidden")
    who = "the admin" if action == "technician_link" else "technicians"
    raise AccessDenied(f"a {principal.kind.value} may not control rooms; '{action}' is for {who}")


class Credentials:
    """Turns a bearer credential into a `Principal` (synchronous: it may read the database)."""

    def __init__(
        self,
        admin: AdminToken,
        technicians: TechnicianTokens,
        joins: TokenService,
        db: sessionmaker[Session],
    ) -> None:
        self.admin = admin
        self.technicians = technicians
        self.joins = joins
        self.db = db

    def principal(self, credential: str | None) -> Principal:
        if not credential:
            raise AccessDenied(
                "send 'Authorization: Bearer <token>': the admin token, a technician link's or a "
                "lecturer's join link's token",
                code="auth_required",
            )
        if self.admin.matches(credential):
            return Principal(PrincipalKind.ADMIN, "admin")
        try:
            audience = jwt.decode(credential, options={"verify_signature": False}).get("aud")
        except jwt.InvalidTokenError:
            audience = None
        try:
            if audience == TECHNICIAN_AUDIENCE:
                return Principal(PrincipalKind.TECHNICIAN, self.technicians.verify(credential).name)
            if audience == JOIN_AUDIENCE:
                return self._from_join(credential)
        except TokenError as error:
            raise AccessDenied(error.message, code=error.code) from None
        raise AccessDenied("the token is neither the admin token nor a valid link", code="auth_invalid")

    def _from_join(self, token: str) -> Principal:
        claims = self.joins.verify_any(token)
        kind = PrincipalKind(claims.role.value)
        if kind is not PrincipalKind.LECTURER:
            return Principal(kind, claims.name or kind.value, class_id=claims.class_id)
        try:
            info = classes.get(self.db, claims.class_id)
        except ClassNotFound:
            raise AccessDenied("the class of this link no longer exists", code="auth_invalid") from None
        if info.status is ClassStatus.ENDED:
            raise AccessDenied("the class has ended: its room is no longer yours", code="class_ended")
        # A shared lecturer link names no person: the logs then name the class (class_id).
        return Principal(kind, claims.name or "", room=info.room, class_id=info.id)
