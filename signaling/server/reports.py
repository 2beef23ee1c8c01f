"""Reports as the server and the CLI produce them: the school's time zone and certificate from
the settings, course links, and the exchange of a course link for a class's join link.

Shared by the REST API (signaling/api/courses.py) and the CLI (signaling/cli/courses.py), so
both make the same files from the same settings.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel

from classroom import classes
from classroom.courses import catalog
from classroom.courses.completion import ScoreProvider
from classroom.errors import ClassEnded, ClassNotFound, ReportUnavailable
from classroom.models import ClassStatus
from classroom.reports.build import Report, Reports
from classroom.reports.export import Format, ReportFile, export
from classroom.reports.signature import SchoolCertificate, Verification, verify
from classroom.reports.spreadsheet import table_csv, table_xlsx
from classroom.reports.words import Lang
from classroom.roles import Role
from signaling.api.schemas import LinkOut
from signaling.auth.course_tokens import CourseClaims
from signaling.errors import AuthRefused
from signaling.server.services import Services
from signaling.server.settings import Settings


class SigningStatus(BaseModel):
    signed: bool  # PDF reports are signed
    signer: str | None
    note: str


class CourseLinkOut(BaseModel):
    course_id: str
    external_id: str
    name: str
    unit: str | None
    link: str
    expires_at: datetime


class CourseView(BaseModel):
    """What a course link opens: the course, its classes, and whose link it is."""

    course_id: str
    title: str
    code: str | None
    time_zone: str
    name: str | None
    role: str
    classes: list[classes.ClassInfo]


def school_certificate(settings: Settings) -> SchoolCertificate | None:
    if settings.report_certificate is None:
        return None
    password = settings.report_certificate_password
    return SchoolCertificate.load(
        settings.report_certificate, password.get_secret_value() if password else None
    )


def signing_status(settings: Settings) -> SigningStatus:
    certificate = school_certificate(settings)
    if certificate is None:
        return SigningStatus(
            signed=False, signer=None,
            note="no certificate is configured (report_certificate): PDF reports are unsigned",
        )  # fmt: skip
    return SigningStatus(signed=True, signer=certificate.subject,
                         note=f"PDF reports are signed by {certificate.common_name}")  # fmt: skip


def trust_roots(settings: Settings) -> list[bytes]:
    """DER certificates `verify` trusts: the school's own chain and report_trust_roots."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    certificate = school_certificate(settings)
    roots = certificate.trust_roots() if certificate else []
    for path in settings.report_trust_roots:
        try:
            data = path.read_bytes()
        except OSError as e:
            raise ReportUnavailable(f"report_trust_roots: cannot read {path}: {e.strerror}") from None
        try:
            certs = x509.load_pem_x509_certificates(data) if b"-----BEGIN" in data else [
                x509.load_der_x509_certificate(data)
            ]
        except ValueError:
            raise ReportUnavailable(f"report_trust_roots: {path} is not a certificate") from None
        roots += [c.public_bytes(Encoding.DER) for c in certs]
    return roots


def reports(services: Services, scores: ScoreProvider | None = None) -> Reports:
    """Reports whose completion rule reads the course's module-end test scores."""
    return Reports(services.db, services.settings.time_zone, scores or services.assessments)


def report_file(services: Services, report: Report, fmt: Format, lang: Lang) -> ReportFile:
    settings = services.settings
    certificate = school_certificate(settings) if fmt == "pdf" else None
    return export(report, fmt, lang, certificate, settings.report_font)


def verify_pdf(settings: Settings, pdf: bytes) -> Verification:
    return verify(pdf, trust_roots(settings))


def course_link_url(services: Services, token: str) -> str:
    assert services.settings.public_url is not None  # derived by Settings
    return f"{services.settings.public_url.rstrip('/')}/course#t={token}"


def issue_course_links(
    services: Services, course_id: str, ttl_hours: float | None = None
) -> list[CourseLinkOut]:
    """A personal course link for every trainee on the roster, in one go."""
    ttl = None if ttl_hours is None else timedelta(hours=ttl_hours)
    out = []
    for t in catalog.trainees(services.db, course_id):
        token, claims = services.course_tokens.mint(
            course_id, Role.TRAINEE, ttl, external_id=t.external_id, name=t.name
        )
        out.append(CourseLinkOut(course_id=course_id, external_id=t.external_id, name=t.name,
                                 unit=t.unit, link=course_link_url(services, token),
                                 expires_at=claims.exp))  # fmt: skip
    return out


LINK_COLUMNS: dict[Lang, list[str]] = {
    "vi": ["Mã học viên", "Họ và tên", "Đơn vị", "Đường dẫn", "Hết hạn"],
    "en": ["External id", "Name", "Unit", "Link", "Expires"],
}


def links_file(links: list[CourseLinkOut], fmt: Format, lang: Lang, zone: str) -> bytes:
    """The links as a spreadsheet for the training office to send (a valid roster file too)."""
    tz = catalog.time_zone(zone)
    rows = [
        [x.external_id, x.name, x.unit or "", x.link,
         x.expires_at.astimezone(tz).strftime("%d/%m/%Y %H:%M" if lang == "vi" else "%Y-%m-%d %H:%M")]
        for x in links
    ]  # fmt: skip
    if fmt == "xlsx":
        return table_xlsx([("Links" if lang == "en" else "Đường dẫn", LINK_COLUMNS[lang], rows)])
    return table_csv(LINK_COLUMNS[lang], rows)


def course_claims(services: Services, token: str) -> CourseClaims:
    return services.course_tokens.verify(token)


def course_view(services: Services, claims: CourseClaims) -> CourseView:
    course = catalog.get(services.db, claims.course_id)
    return CourseView(
        course_id=course.id, title=course.title, code=course.code, time_zone=course.time_zone,
        name=claims.name, role=claims.role.value,
        classes=catalog.course_classes(services.db, course.id),
    )  # fmt: skip


def exchange(services: Services, claims: CourseClaims, class_id: str) -> LinkOut:
    """A join link to one class of the course, for the person the course link names.

    A trainee taken off the roster since their link was issued is refused, so that removing
    someone from the course closes its classes to them.
    """
    info = classes.get(services.db, class_id)
    if catalog.class_course(services.db, class_id) != claims.course_id:
        raise ClassNotFound(class_id)
    if info.status is ClassStatus.ENDED:
        raise ClassEnded(class_id)
    if claims.role is Role.TRAINEE and claims.external_id is not None:
        if catalog.trainee(services.db, claims.course_id, claims.external_id) is None:
            raise AuthRefused("this trainee is no longer on the course's roster",
                              code="not_on_roster")  # fmt: skip
    return LinkOut.build(
        services.links.link(class_id, claims.role, None, claims.external_id, claims.name)
    )
