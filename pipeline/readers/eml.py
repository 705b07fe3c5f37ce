"""E-mail messages (.eml): the subject as title, the sender as author and the date as metadata, the
body read by the HTML reader (its HTML part) or the text reader (its plain text part); attachments are
listed in the briefing's notes. An attachment of a readable format becomes a briefing of its own: the
run plans it as the input ``MAIL.eml/ATTACHMENT`` (``attachment_names``), whose bytes the reader core
takes from the mail (``attachment_bytes``).

Read with Python's ``email`` package (its modern policy decodes encoded headers and bodies).
"""

from __future__ import annotations

import email
import email.policy
import email.utils
from email.message import EmailMessage
from pathlib import PurePosixPath

from pipeline.budget import UNLIMITED, Budget
from pipeline.readers import html, text
from pipeline.readers.base import Extraction, FormatError
from pipeline.readers.image import SUFFIXES as IMAGES

SUFFIXES = (".eml",)
# The file name endings the readers read: set by the registry (pipeline.readers) once it is built, so
# that this module need not import the package that imports it.
READABLE: frozenset[str] = frozenset()

# A message has at least one of these; a file with none is not an e-mail.
_HEADERS = ("From", "Subject", "Date", "To", "Message-ID")


def message(data: bytes) -> EmailMessage:
    """The parsed message; a file without any mail header is refused."""
    parsed = email.message_from_bytes(data, policy=email.policy.default)
    if not any(parsed.get(header) for header in _HEADERS):
        raise FormatError("not an e-mail message (no From, Subject, Date, To or Message-ID header)")
    return parsed


def extract(data: bytes, max_bytes: int, budget: Budget = UNLIMITED) -> Extraction:
    try:
        mail = message(data)
        metadata = _metadata(mail)
        body = mail.get_body(preferencelist=("html", "plain"))
        extraction = Extraction(blocks=[])
        if body is not None:
            content = body.get_payload(decode=True) or b""
            reader = html if body.get_content_subtype() == "html" else text
            extraction = reader.extract(_utf8(body, content), max_bytes, budget)
        readable = set(_readable(mail))
        attachments = [_describe(part, readable) for part in _attachments(mail)]
    except FormatError:
        raise
    except Exception as exc:  # the email package fails on broken MIME with many types
        raise FormatError(f"not a valid e-mail message ({type(exc).__name__}: {exc})") from None
    subject = metadata.get("title")
    first = next((b for b in extraction.blocks if b[1].strip()), None)
    if subject and not (first and first[0] == "heading" and " ".join(first[1].split()) == subject):
        extraction.blocks.insert(0, ("heading", subject))
    notes = list(extraction.notes)
    if attachments:
        notes.append("attachments: " + "; ".join(attachments))
    return Extraction(blocks=extraction.blocks, metadata=extraction.metadata | metadata, notes=notes)


def _utf8(part: EmailMessage, content: bytes) -> bytes:
    """The body's bytes in UTF-8 where its declared charset is known (the readers then need not guess)."""
    charset = part.get_content_charset()
    if not charset:
        return content
    try:
        return content.decode(charset).encode("utf-8")
    except (LookupError, UnicodeDecodeError):
        return content  # a wrong or unknown charset: the readers' own detection decides


def _metadata(mail: EmailMessage) -> dict[str, str]:
    found = {"title": str(mail.get("Subject", "")), "author": str(mail.get("From", ""))}
    try:
        date = email.utils.parsedate_to_datetime(str(mail.get("Date", "")))
        found["date"] = date.isoformat()
    except (TypeError, ValueError, IndexError):
        pass
    return {key: " ".join(value.split()) for key, value in found.items() if value and value.strip()}


def _describe(part: EmailMessage, readable: set[str]) -> str:
    name = safe_filename(part.get_filename())
    size = len(part.get_payload(decode=True) or b"")
    stem = PurePosixPath(name).stem
    own = f"; its own briefing: this one's name ending in --{stem}" if name in readable else ""
    return f"{name or '(unnamed)'} ({part.get_content_type()}, {size:,} bytes{own})"


def _attachments(mail: EmailMessage) -> list[EmailMessage]:
    return list(mail.iter_attachments()) if mail.is_multipart() else []


def safe_filename(name: str | None) -> str:
    """An attachment's file name as one harmless path component ("" for none): a name with folders
    ("../../x.pdf", "C:\\x.pdf") keeps only its last part."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return "" if name in ("", ".", "..") else name


def _readable(mail: EmailMessage) -> list[str]:
    """The file names of the attachments that become briefings of their own: of a readable format other
    than a mail (no mails within mails) or an image (logos and signatures, not scans, in most mails),
    each name once (the first attachment of a name wins)."""
    names: list[str] = []
    for part in _attachments(mail):
        name = safe_filename(part.get_filename())
        suffix = PurePosixPath(name).suffix.lower()
        if name and suffix in READABLE and suffix not in (*SUFFIXES, *IMAGES) and name not in names:
            names.append(name)
    return names


def attachment_names(data: bytes) -> list[str]:
    """The attachments of mail ``data`` that become briefings of their own; none for a broken mail (its
    own briefing reports the problem)."""
    try:
        return _readable(message(data))
    except Exception:  # noqa: BLE001 — the mail's own reading says what is wrong
        return []


def attachment_bytes(data: bytes, name: str) -> bytes:
    """The content of attachment ``name`` (as ``attachment_names`` gives it) of mail ``data``."""
    try:
        for part in _attachments(message(data)):
            if safe_filename(part.get_filename()) == name:
                return part.get_payload(decode=True) or b""
    except FormatError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise FormatError(f"not a valid e-mail message ({type(exc).__name__}: {exc})") from None
    raise FormatError(f"the mail has no attachment {name!r}")
