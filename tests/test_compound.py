"""qa.documents.compound: OLE2 compound files opened whole, or refused in one line."""

from __future__ import annotations

import struct

import pytest
from aspose.email_foss import msg

from qa.documents.compound import article, opened
from qa.errors import DocumentError


def with_stream_size(data: bytes, stream: str, size: int) -> bytes:
    """``data``, a compound file, with the size its directory gives ``stream`` set to ``size`` (MS-CFB 2.6.1: each
    entry 128 bytes, its name in UTF-16 first, its size at byte 120)."""
    name = stream.encode("utf-16-le")
    sector = 1 << struct.unpack_from("<H", data, 0x1E)[0]
    directory = (struct.unpack_from("<I", data, 0x30)[0] + 1) * sector
    for entry in range(directory, len(data), 128):
        if data[entry : entry + len(name)] == name:
            return data[: entry + 120] + struct.pack("<Q", size) + data[entry + 128 :]
    raise AssertionError(f"no {stream} in the first directory sector")


def test_a_compound_file_is_opened_and_one_whose_stream_claims_more_than_the_file_refused():
    data = msg.MapiMessage.create("Boiler repair", "The diverter valve has failed.").to_bytes()
    with opened(data, "Outlook message") as ole:
        assert ole.openstream("__substg1.0_0037001F").read().decode("utf-16-le") == "Boiler repair"
    damaged = with_stream_size(data, "__substg1.0_1000001F", 1_275_068_462)
    with pytest.raises(DocumentError, match=r"^not a readable Outlook message \(a part of it larger than the file\)$"):
        opened(damaged, "Outlook message")
    with pytest.raises(DocumentError, match=r"^not an Outlook message \(not an OLE2 compound file\)$"):
        opened(b"Subject: not a compound file\n\nHello.", "Outlook message")


def test_the_article_before_a_kind_of_file():
    assert (article("Outlook message"), article("Word 97-2003 document"), article("Excel workbook")) == (
        "an",
        "a",
        "an",
    )
