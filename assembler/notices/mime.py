"""Build a notice e-mail and write it as bytes: what `EmailMessage` writes, at a fraction of the work.

`Mail` offers the few `EmailMessage` calls the notices use (headers, `set_content`,
`add_alternative`, `add_attachment`, `make_mixed`, `attach`) and keeps the same tree of parts with
the same headers in the same order; `Mail.to_bytes` writes it as the email package's
`BytesGenerator` with `policy.SMTP` would. Only the costly steps are skipped: the email package
parses every header it is given into an object and folds it back on output (~30 per notice),
encodes each attachment 57 bytes at a time in Python, and walks the tree twice.

A header is written as one line when its value is plain printable ASCII that fits the 78
characters of a line, and a parameter header (``attachment; filename="…"``) folded before its
last parameter when only that makes it fit: exactly what the email package writes for them.
Anything else (a non-ASCII name, a subject too long for a line) is folded by the email package
itself, so the bytes stay the same whatever the input; tests/notices/test_mime.py compares the
two on awkward input. Attachments are base64-encoded once per distinct file: the redline PDF that
every notice of a version change attaches, and each text of the contract (one per set of
services), are encoded once per process, not once per customer.
"""

from __future__ import annotations

import base64
import email.quoprimime
import re
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from functools import lru_cache

MAX_LINE = 78
"""`policy.SMTP.max_line_length`: the longest header line the email package writes unfolded."""
_PLAIN = re.compile(r"[!-~]+(?: [!-~]+)*")
"""A value printed as it is: printable ASCII words, one space apart."""
_PLAIN_NAME = re.compile(r"[A-Za-z0-9 .,()&'!#*+/=?^_`{|}~-]*")
"""A display name `Address` prints as it is, or in plain double quotes."""
_NEWLINE = re.compile(r"\r\n|\r|\n")

HeaderValue = str | Address


def _is_plain(value: str) -> bool:
    return "=?" not in value and _PLAIN.fullmatch(value) is not None


def fold(name: str, value: HeaderValue) -> bytes:
    """Return the header line(s) `name: value` with CRLF, as the email package folds them."""
    if isinstance(value, Address):
        if _PLAIN_NAME.fullmatch(value.display_name) and _is_plain(value.addr_spec):
            text = str(value)
            if len(name) + 2 + len(text) <= MAX_LINE and _is_plain(text):
                return f"{name}: {text}\r\n".encode("ascii")
        return policy.SMTP.fold_binary(name, policy.SMTP.header_factory(name, value))
    return _fold_text(name, value)


@lru_cache(maxsize=1024)
def _fold_text(name: str, value: str) -> bytes:
    if _is_plain(value):
        if len(name) + 2 + len(value) <= MAX_LINE:
            return f"{name}: {value}\r\n".encode("ascii")
        head, sep, last = value.rpartition("; ")
        if (sep and ";" not in last and len(name) + 3 + len(head) <= MAX_LINE
                and 1 + len(last) <= MAX_LINE and name.lower().startswith("content-")):
            return f"{name}: {head};\r\n {last}\r\n".encode("ascii")
    return policy.SMTP.fold_binary(name, policy.SMTP.header_factory(name, value))


@lru_cache(maxsize=256)
def base64_lines(data: bytes) -> bytes:
    """Return `data` in base64, 76 characters a line, CRLF: once per distinct attachment.

    The same lines as the email package's encoder (57 bytes a line), by `base64.encodebytes`,
    which encodes each line in C (~0.2 ms for a 50 kB letter); cached, since a shared PDF goes
    into many e-mails.
    """
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def _param(header_value: str, param: str, value: str) -> str:
    """Return `header_value` with ``; param="value"`` appended, as `Message.set_param` writes it."""
    try:
        value.encode("ascii")
    except UnicodeEncodeError:  # RFC 2231: let the email package write it
        msg = EmailMessage(policy=policy.SMTP)
        msg["X"] = header_value
        msg.set_param(param, value, header="X")
        return str(msg["X"])
    quoted = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'{header_value}; {param}="{quoted}"'


class Mail:
    """A MIME entity: headers in order and a body, or parts; the subset of `EmailMessage` we use."""

    def __init__(self) -> None:
        self.headers: list[tuple[str, HeaderValue]] = []
        self.body = b""
        """The encoded body of a leaf, CRLF line ends."""
        self.parts: list[Mail] | None = None

    def __setitem__(self, name: str, value: HeaderValue) -> None:
        self.headers.append((name, value))

    def __getitem__(self, name: str) -> str | None:
        return next((str(v) for n, v in self.headers if n.lower() == name.lower()), None)

    def __contains__(self, name: str) -> bool:
        return self[name] is not None

    def _content_type(self) -> str:
        return (self["Content-Type"] or "text/plain").split(";")[0].strip().lower()

    def _clear_content(self) -> None:
        self.headers = [(n, v) for n, v in self.headers if not n.lower().startswith("content-")]
        self.body, self.parts = b"", None

    def _finish_set(self) -> None:
        if "MIME-Version" not in self:
            self["MIME-Version"] = "1.0"

    def set_content(self, text: str, subtype: str = "plain", cte: str = "quoted-printable") -> None:
        """Make this a text part (UTF-8, quoted-printable), as `EmailMessage.set_content` does."""
        if cte != "quoted-printable":
            raise ValueError(f"only quoted-printable text is supported, not {cte}")
        self._clear_content()
        lines = text.encode("utf-8").splitlines()
        encoded = email.quoprimime.body_encode((b"\n".join(lines) + b"\n").decode("latin-1"),
                                               MAX_LINE)
        self.body = _NEWLINE.sub("\r\n", encoded).encode("ascii")
        self["Content-Type"] = f'text/{subtype}; charset="utf-8"'
        self["Content-Transfer-Encoding"] = cte
        self._finish_set()

    def set_pdf(self, data: bytes, filename: str) -> None:
        """Make this a PDF attachment part (base64), as `EmailMessage.add_attachment` makes it."""
        self._clear_content()
        self.body = base64_lines(data)
        self["Content-Type"] = "application/pdf"
        self["Content-Transfer-Encoding"] = "base64"
        self["Content-Disposition"] = _param("attachment", "filename", filename)

    def _make_multipart(self, subtype: str) -> None:
        moved = [(n, v) for n, v in self.headers if n.lower().startswith("content-")]
        if moved:
            first = Mail()
            first.headers, first.body, first.parts = moved, self.body, self.parts
            self.parts = [first]
        else:
            self.parts = []
        self.body = b""
        self.headers = [(n, v) for n, v in self.headers if not n.lower().startswith("content-")]
        self["Content-Type"] = f"multipart/{subtype}"

    def make_mixed(self) -> None:
        """Turn this entity into multipart/mixed, its content the first part."""
        self._make_multipart("mixed")

    def attach(self, part: Mail) -> None:
        """Append `part` to this multipart entity."""
        assert self.parts is not None, "attach to a multipart entity"
        self.parts.append(part)

    def _add(self, subtype: str, part: Mail) -> None:
        if self._content_type() != f"multipart/{subtype}":
            self._make_multipart(subtype)
        self.attach(part)

    def add_alternative(self, text: str, subtype: str = "html", cte: str = "quoted-printable") -> None:
        """Add a text alternative (the HTML body), as `EmailMessage.add_alternative` does."""
        part = Mail()
        part.set_content(text, subtype, cte)
        self._add("alternative", part)

    def add_attachment(self, data: bytes, maintype: str, subtype: str, filename: str) -> None:
        """Attach a PDF, as `EmailMessage.add_attachment` does (MIME-Version in the part too)."""
        if (maintype, subtype) != ("application", "pdf"):
            raise ValueError(f"only PDF attachments are supported, not {maintype}/{subtype}")
        part = Mail()
        part.set_pdf(data, filename)
        part._finish_set()
        self._add("mixed", part)

    def walk(self) -> list[Mail]:
        """Return this entity and all its parts, depth first (the order of `Message.walk`)."""
        out = [self]
        for part in self.parts or []:
            out += part.walk()
        return out

    def set_boundary(self, boundary: str) -> None:
        """Give this multipart entity its boundary (in place in its Content-Type)."""
        self.headers = [(n, f'{v}; boundary="{boundary}"' if n.lower() == "content-type" else v)
                        for n, v in self.headers]

    def to_bytes(self) -> bytes:
        """Return the entity as RFC 5322 bytes (CRLF), boundaries as set by `set_boundary`."""
        out = [fold(n, v) for n, v in self.headers]
        out.append(b"\r\n")
        if self.parts is None:
            out.append(self.body)
            return b"".join(out)
        ctype = self["Content-Type"] or ""
        boundary = ctype.partition('boundary="')[2].rstrip('"').encode("ascii")
        if not boundary:
            raise ValueError("a multipart entity needs its boundary set")
        out.append(b"--" + boundary + b"\r\n")
        out.append((b"\r\n--" + boundary + b"\r\n").join(p.to_bytes() for p in self.parts))
        out.append(b"\r\n--" + boundary + b"--\r\n")
        return b"".join(out)
