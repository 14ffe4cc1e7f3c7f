"""Images on the way into the site (Pillow): format and size checks, and metadata (EXIF, GPS) stripped."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, JpegImagePlugin, UnidentifiedImageError

from builder.i18n import _

MAX_PIXELS = Image.MAX_IMAGE_PIXELS or 89_478_485
_ORIENTATION = 0x0112
_TURNED = (5, 6, 7, 8)  # EXIF orientations that swap width and height
_METADATA = ("exif", "xmp", "XML:com.adobe.xmp", "comment")


class ImageProblem(Exception):
    """An image that cannot be published; the message says why."""


@dataclass(frozen=True)
class ImageInfo:
    """An image's format (Pillow's name) and its size as displayed (EXIF orientation applied)."""

    format: str
    width: int
    height: int


def _open(path: Path, formats: list[str] | None) -> Image.Image:
    """Open an image, turning Pillow's decompression-bomb warning into a refusal."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return Image.open(path, formats=formats)
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise ImageProblem(_("has more than {limit:,} pixels: make it smaller").format(limit=MAX_PIXELS)) from None


def probe(path: Path, expected: str) -> ImageInfo:
    """Check that a file is an image of the expected format (e.g. JPEG) and read its displayed size."""
    try:
        image = _open(path, [expected])
    except UnidentifiedImageError:
        try:
            with _open(path, None) as other:
                found = other.format
        except (UnidentifiedImageError, OSError, ValueError):
            raise ImageProblem(_("is not a {expected} image (nor any image Pillow can read)").format(
                expected=expected)) from None
        raise ImageProblem(_("is a {found} image, not {expected}: give it the right extension").format(
            found=found, expected=expected)) from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise ImageProblem(_("cannot be read as a {expected} image ({reason})").format(expected=expected,
                                                                                       reason=exc)) from None
    with image:
        width, height = image.size
        if width * height > MAX_PIXELS:
            raise ImageProblem(_("has {width} × {height} pixels, more than {limit:,}: make it smaller").format(
                width=width, height=height, limit=MAX_PIXELS))
        try:
            orientation = image.getexif().get(_ORIENTATION)
        except (OSError, ValueError, SyntaxError):
            orientation = None
    if orientation in _TURNED:
        width, height = height, width
    return ImageInfo(expected, width, height)


def _has_metadata(image: Image.Image) -> bool:
    return any(key in image.info for key in _METADATA) or bool(getattr(image, "text", None))


def published_bytes(path: Path, fmt: str) -> bytes:
    """The bytes to publish: JPEG always re-encoded without EXIF/XMP/comments (same quantisation, upright);
    still PNG and WebP re-encoded losslessly when they carry metadata; anything else as it is."""
    data = path.read_bytes()
    if fmt not in ("JPEG", "PNG", "WEBP"):
        return data
    try:
        with _open(io.BytesIO(data), [fmt]) as image:  # type: ignore[arg-type]
            if fmt != "JPEG" and (getattr(image, "is_animated", False) or not _has_metadata(image)):
                return data
            return _reencode(image, fmt)
    except (OSError, ValueError, SyntaxError, UnidentifiedImageError) as exc:
        raise ImageProblem(_("cannot be read as a {expected} image ({reason})").format(expected=fmt,
                                                                                       reason=exc)) from None


def _reencode(image: Image.Image, fmt: str) -> bytes:
    """Encode an open image again, upright, keeping only what rendering needs (ICC profile, transparency)."""
    keep: dict[str, object] = {}
    if image.info.get("icc_profile"):
        keep["icc_profile"] = image.info["icc_profile"]
    if fmt == "JPEG":
        keep["qtables"] = getattr(image, "quantization", None)  # a JpegImageFile's own tables
        sampling = JpegImagePlugin.get_sampling(image)
        if sampling != -1:
            keep["subsampling"] = sampling
        keep["progressive"] = bool(image.info.get("progressive"))
    elif fmt == "PNG" and "transparency" in image.info:
        keep["transparency"] = image.info["transparency"]
    elif fmt == "WEBP":
        keep["lossless"] = True
    upright = ImageOps.exif_transpose(image)
    upright.info = {}
    out = io.BytesIO()
    upright.save(out, fmt, **keep)
    return out.getvalue()
