"""SMTP delivery: the only module that imports smtplib (the settings: `assembler.notices.smtp`).

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

import re
import smtplib
import ssl
import time
from collections.abc import Callable
from types import TracebackType

from assembler.notices.smtp import MAX_BACKOFF, Delivery, SmtpSettings


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
