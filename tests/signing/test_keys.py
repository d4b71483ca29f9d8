"""`assembler sign` with every kind of unusable key: one clear line, exit 1, no output file."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assembler.signing import demo_pki as pki
from tests.signing.conftest import PASSWORD, SamplePdf, SigningPki, run_cli


def _sign(tmp_path: Path, sample: SamplePdf, env: dict[str, str], *extra: str
          ) -> tuple[subprocess.CompletedProcess[str], Path]:
    src = tmp_path / "contract.pdf"
    src.write_bytes(sample.pdf)
    out = tmp_path / "out.pdf"
    return run_cli("sign", str(src), "-o", str(out), *extra, env=env, cwd=tmp_path), out


def _p12(tmp_path: Path, issued: pki.Issued, root: pki.Issued, name: str) -> str:
    path = tmp_path / name
    path.write_bytes(pki.pkcs12_bytes(issued, [root.cert], PASSWORD))
    return str(path)


def _error_line(proc: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in proc.stderr.splitlines() if line.startswith("assembler: error:")]
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    return lines[0]


def test_sign_writes_the_signed_file(tmp_path: Path, sample: SamplePdf, key_env: dict[str, str]) -> None:
    proc, out = _sign(tmp_path, sample, key_env)
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes().startswith(sample.pdf)
    assert f"-> {out}: PAdES B-B by Test Ondertekenaar" in proc.stdout
    # the default output name sits beside the input; the input is never overwritten
    proc = run_cli("sign", str(tmp_path / "contract.pdf"), env=key_env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "contract-signed.pdf").is_file()
    assert (tmp_path / "contract.pdf").read_bytes() == sample.pdf
    proc = run_cli("sign", str(tmp_path / "contract.pdf"), "-o", str(tmp_path / "contract.pdf"),
                   env=key_env, cwd=tmp_path)
    assert proc.returncode == 2
    assert "refusing to overwrite the input" in _error_line(proc)
    assert (tmp_path / "contract.pdf").read_bytes() == sample.pdf


@pytest.mark.parametrize("case, expected", [
    ("wrong-password", "signer.p12: wrong password (or a damaged PKCS#12 file)"),
    ("missing-file", "nowhere.p12: no such file (the PKCS#12 signing key)"),
    ("not-pkcs12", "junk.p12: not a PKCS#12 file"),
    ("expired", "certificate 'Verlopen' expired on "),
    ("not-yet-valid", "certificate 'Nog niet geldig' is not valid yet: valid from "),
    ("no-signing-usage", "certificate 'Alleen versleutelen' is not for signing: its key usage has "
                         "neither digitalSignature nor nonRepudiation"),
    ("no-password", "no password: set ASSEMBLER_SIGNING_PASSWORD (or run in a terminal to be asked)"),
    ("no-key-configured", "no signing key: set [signing] pkcs12 or ASSEMBLER_SIGNING_PKCS12"),
])
def test_unusable_key_is_a_clear_error_and_leaves_no_file(
        tmp_path: Path, sample: SamplePdf, key_env: dict[str, str], test_pki: SigningPki,
        case: str, expected: str) -> None:
    env = dict(key_env)
    if case == "wrong-password":
        env["ASSEMBLER_SIGNING_PASSWORD"] = "niet-het-wachtwoord"
    elif case == "missing-file":
        env["ASSEMBLER_SIGNING_PKCS12"] = str(tmp_path / "nowhere.p12")
    elif case == "not-pkcs12":
        (tmp_path / "junk.p12").write_text("geen sleutel")
        env["ASSEMBLER_SIGNING_PKCS12"] = str(tmp_path / "junk.p12")
    elif case == "expired":
        env["ASSEMBLER_SIGNING_PKCS12"] = _p12(tmp_path, test_pki.expired, test_pki.root, "x.p12")
    elif case == "not-yet-valid":
        env["ASSEMBLER_SIGNING_PKCS12"] = _p12(tmp_path, test_pki.not_yet_valid, test_pki.root, "x.p12")
    elif case == "no-signing-usage":
        env["ASSEMBLER_SIGNING_PKCS12"] = _p12(tmp_path, test_pki.no_signing, test_pki.root, "x.p12")
    elif case == "no-password":
        del env["ASSEMBLER_SIGNING_PASSWORD"]  # and stdin is not a terminal: no prompt
    elif case == "no-key-configured":
        del env["ASSEMBLER_SIGNING_PKCS12"]
    proc, out = _sign(tmp_path, sample, env)
    assert proc.returncode == 1
    assert expected in _error_line(proc)
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.pdf")]  # no temp file left
    assert PASSWORD not in proc.stdout + proc.stderr


def test_password_never_in_output_or_process_arguments(tmp_path: Path, sample: SamplePdf,
                                                       key_env: dict[str, str]) -> None:
    src = tmp_path / "contract.pdf"
    src.write_bytes(sample.pdf)
    # --debug prints tracebacks: even then the password must not show (wrong-key case)
    env = {**key_env, "ASSEMBLER_SIGNING_PKCS12": str(tmp_path / "nowhere.p12")}
    proc = run_cli("--debug", "sign", str(src), env=env, cwd=tmp_path)
    assert proc.returncode == 1 and PASSWORD not in proc.stdout + proc.stderr
    # while a real signing runs, its command line (what `ps` shows) holds no password
    child = subprocess.Popen([sys.executable, "-m", "assembler", "sign", str(src), "-o",
                              str(tmp_path / "o.pdf")], env=key_env, cwd=tmp_path,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    seen = []
    while child.poll() is None:
        try:
            seen.append(Path(f"/proc/{child.pid}/cmdline").read_bytes())
        except OSError:
            break
        time.sleep(0.02)
    stdout, stderr = child.communicate(timeout=120)
    assert child.returncode == 0, stderr
    seen = [s for s in seen if s]  # empty while exec'ing and once it has exited
    assert seen and all(PASSWORD.encode() not in s and b"sign" in s for s in seen)
    assert PASSWORD.encode() not in stdout + stderr


def test_prompt_only_on_a_terminal(tmp_path: Path, sample: SamplePdf, key_env: dict[str, str]) -> None:
    """Under a pseudo-terminal the password is asked (hidden); a wrong one is refused."""
    import pty

    src = tmp_path / "contract.pdf"
    src.write_bytes(sample.pdf)
    env = {k: v for k, v in key_env.items() if k != "ASSEMBLER_SIGNING_PASSWORD"}
    pid, fd = pty.fork()
    if pid == 0:  # the child: run the CLI on the terminal
        os.chdir(tmp_path)
        os.execve(sys.executable, [sys.executable, "-m", "assembler", "sign", str(src), "-o",
                                   str(tmp_path / "o.pdf")], env)
    output = b""
    while b"Password of the signing key" not in output:
        output += os.read(fd, 1024)
    os.write(fd, PASSWORD.encode() + b"\n")
    while True:
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, output
    assert b"PAdES B-B" in output
    assert PASSWORD.encode() not in output  # hidden input: not echoed
    assert (tmp_path / "o.pdf").is_file()


def test_demo_pki_is_private_and_marked_demo(tmp_path: Path) -> None:
    made = pki.demo_pki(tmp_path)
    assert made.folder == tmp_path / "var" / "pki"
    assert made.folder.stat().st_mode & 0o777 == 0o700
    assert made.pkcs12.stat().st_mode & 0o777 == 0o600
    assert made.password_file.stat().st_mode & 0o777 == 0o600
    again = pki.demo_pki(tmp_path)  # created on first use only
    assert again.password() == made.password() and made.pkcs12.read_bytes() == again.pkcs12.read_bytes()
    from assembler.signing.keys import open_pkcs12

    _, cert, chain = open_pkcs12(made.pkcs12, made.password())
    assert "DEMO" in cert.subject.rfc4514_string() and "niet vertrouwd" in cert.subject.rfc4514_string()
    assert "DEMO" in chain[0].subject.rfc4514_string()


def test_foreign_and_already_signed_pdfs(tmp_path: Path, sample: SamplePdf, key_env: dict[str, str]) -> None:
    proc, out = _sign(tmp_path, sample, key_env)
    # the sample carries no contract metadata: signed, but invisibly and with a warning
    assert proc.returncode == 0
    assert "names no contract, version and customer in its metadata: the signature is invisible" in proc.stderr
    assert "invisible" in proc.stdout
    again = run_cli("sign", str(out), "-o", str(tmp_path / "twice.pdf"), env=key_env, cwd=tmp_path)
    assert again.returncode == 1
    assert _error_line(again).startswith("assembler: error: refusing to sign: the PDF is already signed "
                                          "by Test Ondertekenaar (field 'Verwerker') on ")
    assert not (tmp_path / "twice.pdf").exists()
    not_pdf = tmp_path / "notes.txt"
    not_pdf.write_text("geen pdf")
    proc = run_cli("sign", str(not_pdf), env=key_env, cwd=tmp_path)
    assert proc.returncode == 1 and _error_line(proc).endswith("notes.txt: not a PDF file")
