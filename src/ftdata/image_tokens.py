"""What an image costs in tokens, by OpenAI's published accounting (gpt-4o family), and the
size of a base64 ``data:`` image read from its header."""

from __future__ import annotations

import binascii
import math
import re

from ftdata.model import Part

#: OpenAI's image accounting (gpt-4o family): a fixed base, plus 170 per 512-px tile at high
#: detail. With the size unknown, high/auto detail assumes a 1024x1024 image: scaled to
#: 768x768, 4 tiles, 85 + 4 x 170 = 765.
IMAGE_BASE_TOKENS = 85
IMAGE_TILE_TOKENS = 170
IMAGE_DEFAULT_TOKENS = 765


def image_tokens(detail: str | None, width: int | None = None, height: int | None = None) -> int:
    """OpenAI's token cost of one image (gpt-4o family constants).

    ``low`` detail is a flat 85. Otherwise the image is scaled to fit 2048x2048, then so that its
    short side is at most 768, and each 512-px tile costs 170 on top of the base 85. With the
    size unknown the result is :data:`IMAGE_DEFAULT_TOKENS`.

    >>> image_tokens("low"), image_tokens("high", 1024, 1024), image_tokens("auto", 2048, 4096)
    (85, 765, 1105)
    """
    if detail == "low":
        return IMAGE_BASE_TOKENS
    if not width or not height:
        return IMAGE_DEFAULT_TOKENS
    w, h = float(width), float(height)
    if max(w, h) > 2048:
        scale = 2048 / max(w, h)
        w, h = w * scale, h * scale
    if min(w, h) > 768:
        scale = 768 / min(w, h)
        w, h = w * scale, h * scale
    tiles = math.ceil(w / 512) * math.ceil(h / 512)
    return IMAGE_BASE_TOKENS + IMAGE_TILE_TOKENS * tiles


def media_tokens(part: Part) -> int:
    """The tokens of a content part that is not text: an image's, else 0."""
    if part.type != "image":
        return 0  # audio, video and files have no published per-item figure
    size = image_size(part.url) if part.detail != "low" and part.url else None
    return image_tokens(part.detail, *(size or (None, None)))


_DATA_URL = re.compile(r"data:image/[\w.+-]+;base64,", re.IGNORECASE)
#: Base64 characters decoded at most to find an image's size (JPEG headers can sit after
#: an embedded thumbnail).
_HEADER_CHARS = 1 << 17


def image_size(url: str) -> tuple[int, int] | None:
    """Width and height of a base64 ``data:`` image (PNG, GIF, JPEG, WebP), else ``None``."""
    match = _DATA_URL.match(url)
    if match is None:
        return None
    payload = url[match.end():match.end() + _HEADER_CHARS]
    payload = payload[:len(payload) - len(payload) % 4]
    try:
        data = binascii.a2b_base64(payload)
    except (binascii.Error, ValueError):
        return None
    return _header_size(data)


def _header_size(data: bytes) -> tuple[int, int] | None:
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP" and len(data) >= 30:
        chunk = data[12:16]
        if chunk == b"VP8 ":
            return (int.from_bytes(data[26:28], "little") & 0x3FFF,
                    int.from_bytes(data[28:30], "little") & 0x3FFF)
        if chunk == b"VP8L":
            bits = int.from_bytes(data[21:25], "little")
            return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        if chunk == b"VP8X":
            return (int.from_bytes(data[24:27], "little") + 1,
                    int.from_bytes(data[27:30], "little") + 1)
        return None
    if data[:2] == b"\xff\xd8":
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    index = 2
    while index + 9 <= len(data):
        if data[index] != 0xFF:
            return None
        marker = data[index + 1]
        if marker == 0xFF:
            index += 1
            continue
        length = int.from_bytes(data[index + 2:index + 4], "big")
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height = int.from_bytes(data[index + 5:index + 7], "big")
            width = int.from_bytes(data[index + 7:index + 9], "big")
            return width, height
        index += 2 + length
    return None
