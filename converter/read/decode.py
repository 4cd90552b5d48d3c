"""Bytes → text: encodings, line ends, and refusing what is not text.

Pure and small so that the rules can be tested one by one. The parser calls `decode` first.
"""

from __future__ import annotations

import re

from ..errors import ReportFormatError

# Magic numbers of files that end up in report folders by mistake (decided by content, not name).
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a zip archive (xlsx, docx or zip)"),
    (b"\xd0\xcf\x11\xe0", "an old Office document (xls or doc)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"{\\rtf", "an RTF document"),
)
# XML 1.0 cannot carry C0 controls other than tab, LF and CR (nor U+FFFE/U+FFFF).
ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_LINE_END = re.compile(r"\r\n|\r|\n")
HINT_EXPORT = "Export the report again as text from NAV's statistics pages"


def sniff_binary(data: bytes) -> str | None:
    """What kind of non-text file `data` is, or None when it may be text."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    head = data[:4096]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary data" if head.count(b"\x00") * 3 < len(head) else "UTF-16 text without a byte-order mark"
    return None


def decode(data: bytes, file: str) -> tuple[str, str]:
    """Decode a report: returns (text, encoding name). Raises ReportFormatError for non-text."""
    if not data:
        raise ReportFormatError(file, "the file is empty", HINT_EXPORT)
    kind = sniff_binary(data)
    if kind:
        raise ReportFormatError(file, f"not a text report but {kind}",
                                "Give the report's .txt export instead")
    if data.startswith(b"\xef\xbb\xbf"):
        encoding, body = "utf-8-sig", data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding, body = "utf-16", data
    else:
        encoding, body = "utf-8", data
    try:
        text = body.decode("utf-16" if encoding == "utf-16" else "utf-8")
    except UnicodeDecodeError as exc:
        if encoding != "utf-8":
            raise ReportFormatError(file, f"the file claims {encoding} but is not valid {encoding}",
                                    HINT_EXPORT) from None
        # Windows exports are cp1252; its five undefined bytes mean it was not cp1252 either.
        try:
            text, encoding = body.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            raise ReportFormatError(file, f"neither UTF-8 nor Windows-1252 text (byte {exc.start})",
                                    "Save the report as UTF-8 text") from None
    if "\x00" in text:
        raise ReportFormatError(file, "not a text report but binary data", "Give the report's .txt export instead")
    if not text.strip():
        raise ReportFormatError(file, "the file contains only blank space", HINT_EXPORT)
    return text, encoding


def split_lines(text: str) -> tuple[list[str], bool]:
    """Split on CRLF, CR or LF only (str.splitlines also splits on \\x0b, \\x1c, U+2028 …).

    Returns the lines and whether the text ended with a line end (a missing final line end
    is how a file cut off in the middle of a row shows).
    """
    lines = _LINE_END.split(text)
    ended = lines[-1] == ""
    if ended:
        lines.pop()
    return lines, ended
