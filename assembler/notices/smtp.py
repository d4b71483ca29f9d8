"""SMTP delivery: the only module that imports smtplib.

One `Mailer` keeps one connection open across messages and reconnects when it drops. Each message
is one SMTP transaction (MAIL, RCPT, DATA) whose final reply decides the outcome:

- 2xx: accepted (``sent``);
- 4xx, or the connection failing: transient; retried after an exponential back-off
  (`backoff`, doubled per attempt, at most `MAX_BACKOFF` seconds), up to `retries` times, then
  reported ``failed`` with the last reply;
- 5xx: permanent; reported ``failed`` at once, never retried;
- the connection failing after the whole message was sent, before the server's reply: the server
  may have accepted it (``unknown``); not retried in this run (the next run sends it again, with
  the same Message-ID).

Every retried transaction is reported to the caller (`on_retry`), so that each one is its own
row in the ledger. When the server cannot be reached at all (connecting fails on every attempt
for one message) the delivery says so (`unreachable`) and the caller stops: the next notice
would only wait for the same timeouts.

A rate limit spaces the starts of transactions at least ``1 / rate`` seconds apart.
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Literal

from assembler.config import Config
from assembler.customers.email_address import valid_email
from assembler.errors import ConfigError

SECURITIES = ("starttls", "tls", "none")
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
MAX_BACKOFF = 60.0
PASSWORD_ENV = "ASSEMBLER_SMTP_PASSWORD"


@dataclass(frozen=True)
class SmtpSettings:
    """How to reach the SMTP server: ``[smtp]`` in assembler.toml, ``ASSEMBLER_SMTP_*`` overrides."""

    host: str
    port: int
    security: str
    """``starttls`` (default), ``tls`` (implicit TLS) or ``none`` (plain; for a local relay only)."""
    sender: str
    """The From address, e.g. ``privacy@example.nl``."""
    username: str = ""
    """Login name; empty for no authentication."""
    password: str = field(default="", repr=False)
    """From ``ASSEMBLER_SMTP_PASSWORD`` only; never printed."""
    rate: float = 10.0
    """Messages per second at most; 0 for no limit."""
    retries: int = 4
    """Further attempts after a transient (4xx or connection) failure."""
    backoff: float = 2.0
    """Seconds before the first retry; doubled per retry."""
    timeout: float = 30.0
    """Socket timeout in seconds."""
    ca_file: str = ""
    """PEM file of the certificate authorities to trust instead of the system's (a private relay)."""

    @property
    def sender_domain(self) -> str:
        """Return the domain of the From address (for Message-IDs)."""
        return self.sender.rpartition("@")[2] or "localhost"


def smtp_settings(config: Config) -> SmtpSettings:
    """Return the SMTP settings of the project; raise ConfigError naming the bad setting."""
    where = str(config.path)
    if not isinstance(config.data.get("smtp", {}), dict):
        raise ConfigError(where, None, "[smtp] must be a table ([smtp] with host = …, port = …)")
    if "password" in config.data.get("smtp", {}):
        raise ConfigError(where, None, f"[smtp] password: passwords are never read from the file; "
                                       f"set {PASSWORD_ENV} instead")
    security = str(config.get("smtp", "security", "starttls")).lower()
    if security not in SECURITIES:
        raise ConfigError(where, None, f"[smtp] security must be one of {', '.join(SECURITIES)}, "
                                       f"not {security!r}")
    port = config.get("smtp", "port", DEFAULT_PORTS[security])
    sender = str(config.get("smtp", "sender", ""))
    if sender and (not sender.isascii() or not valid_email(sender)):
        raise ConfigError(where, None, f"[smtp] sender must be a plain ASCII e-mail address, "
                                       f"not {sender!r}")
    rate = config.get("smtp", "rate", 10.0)
    retries = config.get("smtp", "retries", 4)
    backoff = config.get("smtp", "backoff", 2.0)
    timeout = config.get("smtp", "timeout", 30.0)
    for name, value in (("port", port), ("rate", rate), ("retries", retries), ("backoff", backoff),
                        ("timeout", timeout)):
        if (isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value)
                or value < 0 or value > LIMITS[name]):
            raise ConfigError(where, None, f"[smtp] {name} must be a number from 0 to "
                                           f"{LIMITS[name]:g}, not {value!r}")
    ca_file = config.path_setting("smtp", "ca_file")
    if ca_file is not None and not ca_file.is_file():
        raise ConfigError(where, None, f"[smtp] ca_file: {ca_file} does not exist")
    host, username = str(config.get("smtp", "host", "localhost")), str(config.get("smtp", "username", ""))
    if security == "none" and username and not is_loopback(host):
        raise ConfigError(where, None, f"[smtp] security = \"none\" with a username would send the "
                                       f"password in clear to {host}; use starttls or tls (plain "
                                       "login only to a relay on this machine)")
    return SmtpSettings(host=host, port=int(port), security=security, sender=sender,
                        username=username,
                        password=os.environ.get(PASSWORD_ENV, ""), rate=float(rate),
                        retries=int(retries), backoff=float(backoff), timeout=float(timeout),
                        ca_file=str(ca_file or ""))


LIMITS = {"port": 65535, "rate": 10_000, "retries": 20, "backoff": MAX_BACKOFF, "timeout": 600}
"""The largest value each numeric [smtp] setting may have."""


def is_loopback(host: str) -> bool:
    """Return whether `host` is this machine (``localhost`` or a loopback address)."""
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


Outcome = Literal["sent", "failed", "unknown"]
"""How one SMTP transaction ended: accepted, refused or failed, or no one can say."""


@dataclass(frozen=True)
class Delivery:
    """The outcome of sending one message."""

    outcome: Outcome
    """``sent``, ``failed``, or ``unknown`` (the connection broke after the message was sent)."""
    code: int
    """The server's last reply code; 0 when the connection failed without a reply."""
    reply: str
    """The server's last reply text (or the connection error)."""
    attempts: int
    """SMTP transactions tried, retries included."""
    unreachable: bool = False
    """Connecting to the server failed on every attempt: the run should stop."""

    @property
    def permanent(self) -> bool:
        """Return whether the failure is permanent (a 5xx reply): sending again will not help."""
        return self.outcome == "failed" and self.code >= 500


class _Transient(Exception):
    def __init__(self, code: int, reply: str) -> None:
        super().__init__(reply)
        self.code = code
        self.reply = reply


class _Permanent(_Transient):
    pass


class _Unknown(_Transient):
    """The connection broke after the message was sent, before the server's reply."""


class _Unreachable(_Transient):
    """Connecting (or logging in over a new connection) failed."""


class Mailer:
    """An SMTP client that reuses one connection, limits its rate and retries transient failures."""

    def __init__(self, settings: SmtpSettings, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.settings = settings
        self._sleep = sleep
        self._clock = clock
        self._conn: smtplib.SMTP | None = None
        self._next_start = 0.0

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Say QUIT and close the connection, if one is open."""
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                conn.close()

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context(cafile=s.ca_file or None)
        conn: smtplib.SMTP
        if s.security == "tls":
            conn = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
        else:
            conn = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            conn.ehlo()
            if s.security == "starttls":
                conn.starttls(context=context)
                conn.ehlo()
            if s.username:
                conn.login(s.username, s.password)
        except smtplib.SMTPAuthenticationError as exc:
            conn.close()
            raise _Permanent(exc.smtp_code, f"login as {s.username} refused: "
                                            f"{_text(exc.smtp_error)}") from exc
        except BaseException:
            conn.close()
            raise
        return conn

    def _pace(self) -> None:
        if self.settings.rate <= 0:
            return
        now = self._clock()
        if now < self._next_start:
            self._sleep(self._next_start - now)
            now = self._next_start
        self._next_start = now + 1.0 / self.settings.rate

    def _transaction(self, sender: str, recipient: str, data: bytes) -> tuple[int, str]:
        if self._conn is None:
            try:
                self._conn = self._connect()
            except (smtplib.SMTPException, OSError) as exc:
                raise _Unreachable(getattr(exc, "smtp_code", 0) or 0, f"connection: {exc}") from exc
        conn = self._conn
        for step in ("mail", "rcpt", "data"):
            if step == "mail":
                code, reply = conn.mail(sender)
            elif step == "rcpt":
                code, reply = conn.rcpt(recipient)
            else:
                code, reply = self._data(conn, data)
            if code == 421:  # the server is closing the connection: reconnect next time
                self.close()
                raise _Transient(code, _text(reply))
            if not 200 <= code < 400:
                try:
                    conn.rset()
                except (smtplib.SMTPException, OSError):
                    self.close()
                if code >= 500:
                    raise _Permanent(code, _text(reply))
                raise _Transient(code, _text(reply))
        return code, _text(reply)

    def _data(self, conn: smtplib.SMTP, data: bytes) -> tuple[int, bytes]:
        """Run DATA like smtplib, but tell a break after the final dot (outcome unknown) apart."""
        code, reply = conn.docmd("data")
        if code != 354:
            return code, reply
        payload = re.sub(rb"(?m)^\.", b"..", data)  # dot-stuffing (RFC 5321 4.5.2)
        if not payload.endswith(b"\r\n"):
            payload += b"\r\n"
        conn.send(payload + b".\r\n")
        try:
            return conn.getreply()
        except (smtplib.SMTPException, OSError) as exc:
            self._drop()
            raise _Unknown(0, f"connection lost after the message was sent, before the server's "
                              f"reply: the server may have accepted it ({exc})") from exc

    def send(self, sender: str, recipient: str, data: bytes,
             on_retry: Callable[[Delivery], None] | None = None) -> Delivery:
        """Send the RFC 5322 message `data` to `recipient`; return how it ended (never raises SMTP).

        `on_retry` is called with each failed transaction that is about to be tried again.
        """
        attempts, connect_failures = 0, 0
        code, reply = 0, ""
        while True:
            attempts += 1
            self._pace()
            try:
                code, reply = self._transaction(sender, recipient, data)
                return Delivery("sent", code, reply, attempts)
            except _Permanent as exc:
                return Delivery("failed", exc.code, exc.reply, attempts)
            except _Unknown as exc:
                return Delivery("unknown", exc.code, exc.reply, attempts)
            except _Transient as exc:
                code, reply = exc.code, exc.reply
                connect_failures += isinstance(exc, _Unreachable)
            except (smtplib.SMTPException, OSError) as exc:
                self._drop()
                code, reply = getattr(exc, "smtp_code", 0) or 0, f"connection: {exc}"
            if attempts > self.settings.retries:
                return Delivery("failed", code, reply, attempts, unreachable=connect_failures == attempts)
            if on_retry:
                on_retry(Delivery("failed", code, reply, attempts))
            self._sleep(min(self.settings.backoff * 2 ** (attempts - 1), MAX_BACKOFF))

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
