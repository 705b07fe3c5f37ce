"""A mail's attachments as inputs of their own: each attachment of a readable format is planned as the
input ``MAIL.eml/ATTACHMENT``, named ``MAIL--ATTACHMENT`` (without its suffix) by the run, read from the
mail by the reader core (``pipeline.reader.read_bytes``) and skipped while the mail is unchanged."""

from __future__ import annotations

from pathlib import Path

from pipeline.readers import eml

# A mail is read for its attachment list only up to this size (its own reading enforces input.max_bytes).
_MAX_MAIL_BYTES = 50_000_000


def with_attachments(files: list[tuple[Path, Path]]) -> list[tuple[Path, Path]]:
    """``files`` ((file, the input it came from), in order), each mail followed by its readable
    attachments. A mail that cannot be read lists none; its own briefing reports the problem."""
    planned = []
    for path, root in files:
        planned.append((path, root))
        if path.suffix.lower() in eml.SUFFIXES:
            try:
                if not path.is_file() or path.stat().st_size > _MAX_MAIL_BYTES:
                    continue
                data = path.read_bytes()
            except OSError:
                continue
            planned.extend((path / name, root) for name in eml.attachment_names(data))
    return planned
