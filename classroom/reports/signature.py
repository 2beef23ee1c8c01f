"""PAdES signatures on PDF reports (pyHanko): sign with the school's certificate, verify any.

The school's certificate is a PKCS#12 file (.p12/.pfx) and its password, as Vietnamese
certificate authorities issue them. The signature is PAdES baseline (ETSI.CAdES.detached)
with the signing time, and covers the whole file: a copy changed afterwards, by one byte,
no longer verifies. Verification says three things apart: the signature is genuine and the
document unchanged since (`valid`, `unchanged`), and whether the signer's certificate chains
to a certificate this server trusts (`trusted`: the school's own chain, and any roots the
settings add). A document signed elsewhere may be genuine without being trusted here.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pydantic import BaseModel

from classroom.errors import ReportUnavailable

FIELD_NAME = "ClassbridgeReport"
# pyHanko logs a certificate it cannot chain to a trusted one as a warning with a traceback;
# here that is an answer (`trusted: false`), not a fault, so it stays out of logs and terminals.
logging.getLogger("pyhanko.sign.validation.generic_cms").setLevel(logging.ERROR)


class Verification(BaseModel):
    signed: bool
    valid: bool  # the signature is genuine (its math checks out) and covers the document
    unchanged: bool  # nothing in the file changed after signing
    trusted: bool  # the signer's certificate chains to one this server trusts
    signer: str | None  # the certificate's subject, as people read it
    signer_common_name: str | None
    signed_at: datetime | None  # the signing time the signer wrote
    problem: str | None  # why not valid, in a sentence


@dataclass(frozen=True)
class SchoolCertificate:
    """The school's signing key and certificate chain, loaded once from the PKCS#12 file."""

    pkcs12: bytes
    password: bytes | None
    subject: str  # who signs, as the PDF names them
    common_name: str

    @classmethod
    def load(cls, path: Path, password: str | None) -> SchoolCertificate:
        from cryptography.hazmat.primitives.serialization import pkcs12
        from cryptography.x509.oid import NameOID

        try:
            data = path.read_bytes()
        except OSError as e:
            raise ReportUnavailable(f"report_certificate: cannot read {path}: {e.strerror}") from None
        secret = password.encode() if password else None
        try:
            _, cert, _ = pkcs12.load_key_and_certificates(data, secret)
        except ValueError:
            raise ReportUnavailable(
                f"report_certificate: cannot open {path} (a PKCS#12 file) with the configured "
                "password (report_certificate_password)"
            ) from None
        if cert is None:
            raise ReportUnavailable(f"report_certificate: {path} holds no certificate")
        names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        common = str(names[0].value) if names else cert.subject.rfc4514_string()
        return cls(data, secret, cert.subject.rfc4514_string(), common)

    def sign(self, pdf: bytes, reason: str) -> bytes:
        """`pdf` with a PAdES signature appended (an incremental update)."""
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.sign import fields, signers

        signer = signers.SimpleSigner.load_pkcs12_data(self.pkcs12, [], passphrase=self.password)
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        meta = signers.PdfSignatureMetadata(
            field_name=FIELD_NAME,
            reason=reason,
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
        )
        out = io.BytesIO()
        pdf_signer = signers.PdfSigner(meta, signer=signer)
        pdf_signer.sign_pdf(writer, output=out)
        return out.getvalue()

    def trust_roots(self) -> list[bytes]:
        """DER certificates of the school's own chain (its CA, and itself)."""
        from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

        _, cert, extra = pkcs12.load_key_and_certificates(self.pkcs12, self.password)
        chain = [c for c in [cert, *extra] if c is not None]
        return [c.public_bytes(Encoding.DER) for c in chain]


def verify(pdf: bytes, trusted: list[bytes]) -> Verification:
    """What a PDF's signature says; never raises for a bad or unsigned file."""
    from asn1crypto import x509
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    def refused(problem: str, signed: bool = False) -> Verification:
        return Verification(signed=signed, valid=False, unchanged=False, trusted=False,
                            signer=None, signer_common_name=None, signed_at=None,
                            problem=problem)  # fmt: skip

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, IndexError, TypeError, OSError) as e:
        return refused(f"not a readable PDF file ({e.__class__.__name__})")
    if not signatures:
        return refused("the document has no digital signature")
    sig = signatures[-1]
    context = ValidationContext(
        trust_roots=[x509.Certificate.load(der) for der in trusted], allow_fetching=False
    )
    try:
        status = validate_pdf_signature(sig, context)
    except (SignatureValidationError, PdfError, ValueError, KeyError, TypeError) as e:
        return refused(f"the signature cannot be checked: {e}", signed=True)
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    cert = status.signing_cert
    unchanged = status.intact and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    valid = status.intact and status.valid
    problem = None
    if not status.intact:
        problem = "the document was changed after it was signed"
    elif not status.valid:
        problem = "the signature does not match the signer's certificate"
    elif not unchanged:
        problem = "content was added to the document after it was signed"
    elif not status.trusted:
        problem = "the signer's certificate is not one this server trusts"
    return Verification(
        signed=True,
        valid=valid,
        unchanged=unchanged,
        trusted=status.trusted,
        signer=cert.subject.human_friendly if cert is not None else None,
        signer_common_name=_common_name(cert),
        signed_at=status.signer_reported_dt,
        problem=problem,
    )


def _common_name(cert: object) -> str | None:
    native = getattr(getattr(cert, "subject", None), "native", None)
    if isinstance(native, dict):
        value = native.get("common_name")
        return str(value) if value else None
    return None
