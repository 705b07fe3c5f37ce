"""Generated scans for the OCR tests: German text rendered with Pillow in DejaVu Sans onto a white page,
as a scanner would give it (a heading across the page, paragraphs in two columns)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")

HEADING = "Wasserversorgung im Landkreis"
# Two columns of two paragraphs each, read left column first.
PARAGRAPHS = [
    "Die Gemeinde hat im vergangenen Jahr neue Leitungen verlegt. Dabei wurden mehr als zwölf Kilometer "
    "Rohre ersetzt, die älter als fünfzig Jahre waren.",
    "Der Bürgermeister sagte, die Arbeiten seien pünktlich abgeschlossen worden. Die Kosten blieben "
    "unter dem geplanten Betrag.",
    "Im Frühjahr beginnt der zweite Abschnitt am nördlichen Ortsrand. Anwohner werden rechtzeitig "
    "über Sperrungen informiert.",
    "Fragen beantwortet das Bauamt montags bis freitags zwischen acht und zwölf Uhr im Rathaus.",
]


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=font) <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    return [*lines, line]


def page(dpi: int = 200, heading: str = HEADING, paragraphs: list[str] = PARAGRAPHS) -> Image.Image:
    """An A4 page at `dpi`: the heading in 20 pt bold, the paragraphs in 11 pt in two columns, a blank
    line between paragraphs, the first line of each indented."""
    points = dpi / 72
    image = Image.new("L", (round(8.27 * dpi), round(11.69 * dpi)), 255)
    draw = ImageDraw.Draw(image)
    margin, gutter = round(72 * points), round(24 * points)
    column = (image.width - 2 * margin - gutter) // 2
    body = ImageFont.truetype(str(FONT), round(11 * points))
    title = ImageFont.truetype(str(BOLD), round(20 * points))
    draw.text((margin, margin), heading, font=title, fill=0)
    leading = round(15 * points)
    top = margin + round(40 * points)
    half = (len(paragraphs) + 1) // 2
    for index, columns in enumerate((paragraphs[:half], paragraphs[half:])):
        x, y = margin + index * (column + gutter), top
        for paragraph in columns:
            for n, line in enumerate(_wrap(draw, paragraph, body, column - round(12 * points))):
                draw.text((x + (round(12 * points) if n == 0 else 0), y), line, font=body, fill=0)
                y += leading
            y += leading
    return image


def save(image: Image.Image, path: Path, dpi: int = 200) -> Path:
    image.save(path, dpi=(dpi, dpi))
    return path
