"""E-mail messages (.eml): the subject as title, the sender as author and the date as metadata, the
body read by the HTML reader (its HTML part) or the text reader (its plain text part); attachments are
listed in the briefing's notes.

Read with Python's ``email`` package (its modern policy decodes encoded headers and bodies).
"""

from __future__ import annotations

import email
import email.policy
import email.utils
from email.message import EmailMessage

from pipeline.budget import UNLIMITED, Budget
from pipeline.readers import html, text
from pipeline.readers.base import Extraction, FormatError

SUFFIXES = (".eml",)

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
        attachments = [_describe(part) for part in mail.iter_attachments()] if mail.is_multipart() else []
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


def _describe(part: EmailMessage) -> str:
    name = part.get_filename() or "(unnamed)"
    size = len(part.get_payload(decode=True) or b"")
    return f"{name} ({part.get_content_type()}, {size:,} bytes)"
