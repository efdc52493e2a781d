"""What images cost in tokens (ftdata.image_tokens)."""

from __future__ import annotations

import base64

from hypothesis import given
from hypothesis import strategies as st

from ftdata.image_tokens import image_size, image_tokens


def png_data_url(width: int, height: int) -> str:
    header = (b"\x89PNG\r\n\x1a\n" + (13).to_bytes(4, "big") + b"IHDR"
              + width.to_bytes(4, "big") + height.to_bytes(4, "big") + b"\x08\x02\x00\x00\x00")
    return "data:image/png;base64," + base64.b64encode(header + b"\x00" * 16).decode()


def jpeg_data_url(width: int, height: int) -> str:
    app0 = b"\xff\xe0" + (16).to_bytes(2, "big") + b"JFIF\x00" + b"\x00" * 9
    sof0 = (b"\xff\xc0" + (17).to_bytes(2, "big") + b"\x08" + height.to_bytes(2, "big")
            + width.to_bytes(2, "big") + b"\x03" + b"\x00" * 9)
    return "data:image/jpeg;base64," + base64.b64encode(b"\xff\xd8" + app0 + sof0).decode()


def test_image_token_formula() -> None:
    assert image_tokens("low") == 85
    assert image_tokens("low", 4000, 4000) == 85
    assert image_tokens("high") == image_tokens(None) == 765
    assert image_tokens("high", 1024, 1024) == 765
    assert image_tokens("high", 512, 512) == 255
    assert image_tokens("auto", 2048, 4096) == 1105


def test_image_sizes_are_read_from_data_urls() -> None:
    assert image_size(png_data_url(640, 480)) == (640, 480)
    assert image_size(jpeg_data_url(300, 200)) == (300, 200)
    gif = b"GIF89a" + (320).to_bytes(2, "little") + (240).to_bytes(2, "little") + b"\x00" * 6
    assert image_size("data:image/gif;base64," + base64.b64encode(gif).decode()) == (
        320, 240)
    assert image_size("https://example.com/cat.png") is None
    assert image_size("data:image/png;base64,!!!!") is None


@given(header=st.sampled_from([b"", b"\x89PNG\r\n\x1a\n", b"GIF89a", b"\xff\xd8", b"RIFF"]),
       data=st.binary(max_size=300))
def test_image_size_never_fails_on_odd_data(header: bytes, data: bytes) -> None:
    size = image_size("data:image/png;base64," + base64.b64encode(header + data).decode())
    assert size is None or (isinstance(size[0], int) and isinstance(size[1], int))
