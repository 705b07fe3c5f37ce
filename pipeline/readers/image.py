"""Scans and photographed pages as image files (.png, .jpg/.jpeg, .tif/.tiff with one page a frame):
one document per file, read by OCR (pipeline.readers.scans). Needs Pillow (the `ocr` extra) and
Tesseract; without them the file is refused in one line that says what to install.

Limits: the size of every frame is read from its header before any pixel is decoded; a frame over
MAX_PAGE_PIXELS, or a file whose frames together exceed what its size allows, is refused.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from pipeline.budget import UNLIMITED, Budget
from pipeline.readers.base import Extraction, FormatError
from pipeline.readers.ocr import require
from pipeline.readers.scans import MAX_PAGE_PIXELS, read_scans

SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
# Pixels a file of input.max_bytes may decode to, all frames together: a 10 MB file up to 200 million
# (a 300 dpi A4 scan is 8.7 million pixels in 0.3–1.5 MB as JPEG or PNG; a fax-like bilevel TIFF packs
# far tighter, hence the generous factor).
_PIXELS_PER_BYTE = 20
_DEFAULT_DPI = 300  # a file that does not say its resolution: scanners' most common setting


def extract(data: bytes, max_bytes: int, budget: Budget = UNLIMITED) -> Extraction:
    require("an image file")
    try:
        from PIL import Image, ImageOps
    except ImportError:
        raise FormatError("an image file needs Pillow: pip install '.[ocr]'") from None
    max_pixels = min(MAX_PAGE_PIXELS, _PIXELS_PER_BYTE * max_bytes)
    Image.MAX_IMAGE_PIXELS = max_pixels  # Pillow's own check, as a second line behind the one below
    try:
        with warnings.catch_warnings():
            warnings.simplefilter(
                "ignore"
            )  # Pillow's remarks on sloppy files (corrupt EXIF, …) are noise here
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            count = getattr(image, "n_frames", 1)
            _check_size(image, max_pixels)
    except FormatError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise FormatError(f"the image has more than {max_pixels:,} pixels, the limit") from None
    except Image.UnidentifiedImageError:
        raise FormatError("not a readable image (damaged or cut short, or not what its name says)") from None
    except Exception as exc:  # Pillow raises many kinds for damaged files
        raise FormatError(f"not a readable image ({type(exc).__name__}: {exc})") from None
    total = 0

    def frames():
        nonlocal total
        for index in range(count):
            try:
                image.seek(index)
                _check_size(image, max_pixels)
                total += image.width * image.height
                if total > _PIXELS_PER_BYTE * max_bytes:
                    raise FormatError(
                        f"the image's frames have more than {_PIXELS_PER_BYTE * max_bytes:,} pixels together "
                        "(the limit grows with input.max_bytes)"
                    )
                with warnings.catch_warnings(), _whole_images_only():
                    warnings.simplefilter("ignore")
                    frame = ImageOps.exif_transpose(image).convert("L")  # a phone photo's turn, then grey
            except FormatError:
                raise
            except Exception as exc:
                raise FormatError(f"damaged image, page {index + 1} ({type(exc).__name__}: {exc})") from None
            dpi = _resolution(image)
            yield index + 1, dpi, lambda frame=frame: frame

    scans = read_scans(frames(), count, budget)
    blocks, uncertain = [], {}
    for number in sorted(scans.pages):
        scans.add_page(number, blocks, uncertain)
    notes = scans.notes if count > 1 else [n.replace("page 1 ", "", 1) for n in scans.notes]
    return Extraction(blocks=blocks, notes=notes, uncertain=uncertain)


@contextmanager
def _whole_images_only() -> Iterator[None]:
    """Pillow refuses an image cut short, unless its process-wide LOAD_TRUNCATED_IMAGES is set, as
    WeasyPrint (the pdf output format) does on import: a damaged scan must still be refused, not read
    with its lower part grey."""
    from PIL import ImageFile

    before, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before


def _check_size(image, max_pixels: int) -> None:
    width, height = image.size
    if width * height > max_pixels:
        raise FormatError(
            f"the image is {width:,} × {height:,} pixels, more than the limit of {max_pixels:,} "
            "(it grows with input.max_bytes)"
        )


def _resolution(image) -> int:
    dpi = image.info.get("dpi")
    try:
        value = round(float(dpi[0]))
    except (TypeError, ValueError, IndexError):
        return _DEFAULT_DPI
    return value if 50 <= value <= 2400 else _DEFAULT_DPI
