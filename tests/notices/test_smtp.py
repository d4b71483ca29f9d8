"""SMTP delivery against a real aiosmtpd server on 127.0.0.1."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from assembler.config import Config, load_config
from assembler.errors import ConfigError
from assembler.notices.smtp import SmtpSettings, smtp_settings
from assembler.notices.smtp_client import Mailer
from tests.conftest import ROOT
from tests.notices.conftest import SENDER

MESSAGE = (b"From: a@example.nl\r\nTo: b@example.nl\r\nSubject: test\r\n"
           b"Message-ID: <1@example.nl>\r\n\r\nhoi\r\n")


def settings(port: int, **kw: object) -> SmtpSettings:
    values: dict[str, object] = dict(host="127.0.0.1", port=port, security="none", sender=SENDER,
                                     rate=0.0, retries=3, backoff=0.01, timeout=5.0)
    values.update(kw)
    return SmtpSettings(**values)  # type: ignore[arg-type]


def test_one_connection_carries_every_message(smtp) -> None:
    controller, handler = smtp
    with Mailer(settings(controller.port)) as mailer:
        results = [mailer.send(SENDER, f"k{i}@example.nl", MESSAGE) for i in range(5)]
    assert [r.outcome for r in results] == ["sent"] * 5
    assert all(r.code == 250 and "queued" in r.reply for r in results)
    assert [m.rcpt_tos for m in handler.received] == [[f"k{i}@example.nl"] for i in range(5)]
    assert handler.received[0].content.rstrip(b"\r\n") == MESSAGE.rstrip(b"\r\n")
    assert handler.connections == 1


def test_4xx_is_retried_with_backoff_then_accepted(smtp) -> None:
    controller, handler = smtp
    handler.transient["slow@example.nl"] = 2
    sleeps: list[float] = []
    with Mailer(settings(controller.port, backoff=0.5), sleep=sleeps.append) as mailer:
        result = mailer.send(SENDER, "slow@example.nl", MESSAGE)
    assert (result.outcome, result.code, result.attempts) == ("sent", 250, 3)
    assert sleeps == [0.5, 1.0]  # exponential back-off
    assert handler.attempts == ["slow@example.nl"] * 3 and len(handler.received) == 1


def test_4xx_until_retries_run_out_is_failed_but_not_permanent(smtp) -> None:
    controller, handler = smtp
    handler.transient["down@example.nl"] = 10
    with Mailer(settings(controller.port, retries=2), sleep=lambda s: None) as mailer:
        result = mailer.send(SENDER, "down@example.nl", MESSAGE)
    assert (result.outcome, result.code, result.attempts) == ("failed", 451, 3)
    assert not result.permanent


def test_5xx_is_failed_at_once_and_the_next_message_still_goes(smtp) -> None:
    controller, handler = smtp
    handler.reject.add("gone@example.nl")
    with Mailer(settings(controller.port), sleep=lambda s: None) as mailer:
        bad = mailer.send(SENDER, "gone@example.nl", MESSAGE)
        good = mailer.send(SENDER, "ok@example.nl", MESSAGE)
    assert (bad.outcome, bad.code, bad.attempts, bad.permanent) == ("failed", 550, 1, True)
    assert "mailbox unavailable" in bad.reply
    assert good.outcome == "sent" and handler.connections == 1


def test_connection_refused_is_retried_then_failed() -> None:
    from tests.notices.conftest import free_port

    sleeps: list[float] = []
    with Mailer(settings(free_port(), retries=2, backoff=1.0), sleep=sleeps.append) as mailer:
        result = mailer.send(SENDER, "x@example.nl", MESSAGE)
    assert (result.outcome, result.code, result.attempts) == ("failed", 0, 3)
    assert result.reply.startswith("connection:") and sleeps == [1.0, 2.0]


def test_a_dropped_connection_is_reopened(smtp) -> None:
    controller, handler = smtp
    with Mailer(settings(controller.port)) as mailer:
        assert mailer.send(SENDER, "a@example.nl", MESSAGE).outcome == "sent"
        assert mailer._conn is not None
        mailer._conn.sock.shutdown(socket.SHUT_RDWR)  # the connection went away
        again = mailer.send(SENDER, "b@example.nl", MESSAGE)
    assert again.outcome == "sent" and again.attempts == 2 and handler.connections == 2


def test_rate_limit_spaces_transactions() -> None:
    now = [100.0]
    sleeps: list[float] = []

    def sleep(s: float) -> None:
        sleeps.append(round(s, 6))
        now[0] += s

    mailer = Mailer(settings(1, rate=4.0), sleep=sleep, clock=lambda: now[0])
    for _ in range(3):
        mailer._pace()
    assert sleeps == [0.25, 0.25]


def test_settings_from_file_and_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "assembler.toml").write_text(
        '[smtp]\nhost = "smtp.example.nl"\nsecurity = "tls"\nusername = "notices"\n'
        f'sender = "{SENDER}"\n', encoding="utf-8")
    monkeypatch.setenv("ASSEMBLER_SMTP_PASSWORD", "s3cret")
    monkeypatch.setenv("ASSEMBLER_SMTP_HOST", "relay.example.nl")
    s = smtp_settings(load_config(tmp_path))
    assert (s.host, s.port, s.security, s.username, s.password) == (
        "relay.example.nl", 465, "tls", "notices", "s3cret")
    assert "s3cret" not in repr(s)
    monkeypatch.setenv("ASSEMBLER_SMTP_SECURITY", "starttls")
    assert smtp_settings(load_config(tmp_path)).port == 587


@pytest.mark.parametrize("table, message", [
    ({"password": "x"}, "ASSEMBLER_SMTP_PASSWORD"),
    ({"security": "ssl"}, "security must be one of starttls, tls, none"),
    ({"port": "25x"}, "port must be a number"),
    ({"sender": "nobody"}, "sender must be a plain ASCII e-mail address"),
    ({"sender": "privacy@exämple.nl"}, "sender must be a plain ASCII e-mail address"),
    ({"timeout": float("nan")}, r"timeout must be a number from 0 to 600, not nan"),
    ({"retries": 10**9}, r"retries must be a number from 0 to 20"),
    ({"security": "none", "username": "notices", "host": "smtp.example.nl"},
     "would send the password in clear to smtp.example.nl"),
], ids=["password-in-file", "security", "port", "sender", "non-ascii-sender", "nan-timeout",
        "huge-retries", "plain-auth-to-remote-host"])
def test_bad_settings_name_the_setting(tmp_path: Path, table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        smtp_settings(Config(tmp_path / "assembler.toml", {"smtp": table}))


def test_plain_login_is_allowed_to_a_relay_on_this_machine(tmp_path: Path) -> None:
    table = {"security": "none", "username": "notices", "host": "127.0.0.1"}
    assert smtp_settings(Config(tmp_path / "assembler.toml", {"smtp": table})).username == "notices"


def test_smtp_that_is_not_a_table_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\[smtp\] must be a table"):
        smtp_settings(Config(tmp_path / "assembler.toml", {"smtp": 5}))


def _certificate(tmp_path: Path) -> tuple[Path, Path]:
    """Write a self-signed certificate for 127.0.0.1 and its key; return their paths."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test relay")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1)
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(
                ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "relay.pem", tmp_path / "relay.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # implicit TLS is TLS
@pytest.mark.filterwarnings("ignore:Session.login_data is deprecated")
@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_tls_and_login(tmp_path: Path, security: str) -> None:
    import ssl

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    from tests.notices.conftest import Handler, free_port

    cert, key = _certificate(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert, key)
    logins: list[tuple[bytes, bytes]] = []

    def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret", handled=False)

    handler = Handler()
    port = free_port()
    # PLAIN only, so that each login is one attempt (smtplib tries every mechanism offered).
    auth = {"authenticator": authenticator, "auth_required": True,
            "auth_exclude_mechanism": ["LOGIN"]}
    if security == "starttls":
        controller = Controller(handler, hostname="127.0.0.1", port=port, tls_context=server_tls,
                                require_starttls=True, **auth)
    else:  # aiosmtpd does not see implicit TLS as TLS: allow AUTH on the (encrypted) connection
        controller = Controller(handler, hostname="127.0.0.1", port=port, ssl_context=server_tls,
                                auth_require_tls=False, **auth)
    controller.start()
    try:
        good = settings(port, security=security, username="notices", password="s3cret",
                        ca_file=str(cert))
        with Mailer(good) as mailer:
            assert mailer.send(SENDER, "kim@example.nl", MESSAGE).outcome == "sent"
        bad = settings(port, security=security, username="notices", password="wrong",
                       ca_file=str(cert))
        with Mailer(bad, sleep=lambda s: None) as mailer:
            refused = mailer.send(SENDER, "kim@example.nl", MESSAGE)
        untrusted = settings(port, security=security, username="notices", password="s3cret",
                             retries=0)
        with Mailer(untrusted) as mailer:
            unverified = mailer.send(SENDER, "kim@example.nl", MESSAGE)
    finally:
        controller.stop()
    assert logins[:2] == [(b"notices", b"s3cret"), (b"notices", b"wrong")]
    assert len(handler.received) == 1
    assert (refused.outcome, refused.code, refused.attempts) == ("failed", 535, 1), refused
    assert "login as notices refused" in refused.reply
    assert unverified.outcome == "failed" and "CERTIFICATE_VERIFY_FAILED" in unverified.reply


def test_only_sending_loads_smtplib() -> None:
    """The build commands (and the ledger) leave smtplib and ssl unloaded: ~5 ms of their start."""
    code = ("import sys\n"
            "import assembler.cli.notices, assembler.cli.subprocessors, assembler.cli.incidents\n"
            "import assembler.notices.send\n"
            "print(sorted(m for m in ('smtplib', 'ssl') if m in sys.modules))\n"
            "import assembler.notices.smtp_client\n"
            "print(sorted(m for m in ('smtplib', 'ssl') if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    assert out.stdout.split("\n")[:2] == ["[]", "['smtplib', 'ssl']"]
