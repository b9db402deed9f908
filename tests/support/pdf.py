"""The text a PDF export draws, for tests of the print map's content."""

from __future__ import annotations

import re
import zlib


def pdf_text(data: bytes) -> str:
    """The text a PDF draws, one line per text object (Matplotlib writes Latin-1 literals)."""
    lines = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            content = zlib.decompress(raw)
        except zlib.error:
            continue
        for block in re.findall(rb"BT(.*?)ET", content, re.S):
            parts = re.findall(rb"\(((?:[^()\\]|\\.)*)\)", block, re.S)
            text = b"".join(re.sub(rb"\\(.)", rb"\1", p, flags=re.S) for p in parts)
            lines.append(text.decode("latin-1"))
    return "\n".join(lines)
