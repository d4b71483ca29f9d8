"""SMTP settings, and how a delivery ended: what the ledger and the commands need of SMTP.

The settings come from ``[smtp]`` in assembler.toml with ``ASSEMBLER_SMTP_*`` overrides, and the
password only from the environment. The client that talks to the server, and the only module
that imports smtplib, is `assembler.notices.smtp_client`: commands that only build notices do
not load smtplib and ssl (~5 ms of their start).
"""

from __future__ import annotations

import ipaddress
import math
import os
from dataclasses import dataclass, field
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
