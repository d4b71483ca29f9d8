"""`make demo`: the main job on the embedded defaults, step by step, printing what it does.

Each step is a function in STEPS; the notice journeys are in demo_journeys.py, what every step
uses in demo_common.py. Everything the demo writes goes to
build/demo/ and var/ (both ignored by git).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the demo's own modules beside it

from demo_common import DEMO_REGISTRY, OUT, REDLINE_EDITS, ROOT, git, project_copy, run  # noqa: E402
from demo_journeys import step_breach, step_lifecycle, step_notices, step_subprocessors  # noqa: E402


def step_foundation() -> None:
    """The agreement: its versions, its check, and version 1.0 as text."""
    run("versions")
    run("check")
    run("show", "1.0", "--format", "text")


# --- redlines ---


def step_redlines() -> None:
    """Redlines: version 1.0 against a concept edited in a copy, in every format."""

    copy = project_copy("redline-project")
    folder = copy / "contracts" / "verwerkersovereenkomst"
    for name, old, new in REDLINE_EDITS:
        path = folder / name
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    print(f"(a copy of the project in {copy.relative_to(ROOT)}/ with 7.2 reworded, 9.2 removed "
          "and a category added to Bijlage 1, not committed)")
    print(f"(the commands below run in {copy.relative_to(ROOT)}/)")
    for args in (["diff", "1.0", "worktree"],
                 *(["diff", "1.0", "worktree", "--format", fmt, "-o", f"../redline.{ext}"]
                   for fmt, ext in (("markdown", "md"), ("json", "json"), ("html", "html"),
                                    ("pdf", "pdf"), ("docx", "docx")))):
        run(*args, root=copy)


# --- customer contracts ---



def step_contracts() -> None:
    """Customer contracts: the demo registry and per-customer DOCX and PDF."""
    registry = ["--registry", str(DEMO_REGISTRY.relative_to(ROOT))]
    if not DEMO_REGISTRY.exists():
        run(*registry, "customers", "import", "examples/customers.csv")
    else:
        print(f"\n(demo registry {DEMO_REGISTRY.relative_to(ROOT)} exists; not importing again)")
    run(*registry, "customers", "list")
    run(*registry, "customers", "show", "C-1042")
    run(*registry, "build", "--customer", "C-1042", "--format", "docx,pdf",
        "-o", str(OUT.relative_to(ROOT)))


# --- signing ---


def step_signing() -> None:
    """A signed PDF for one customer, and its verification."""
    from assembler.signing.demo_pki import demo_pki

    pki = demo_pki(ROOT)  # created on first use: a DEMO CA and signer, trusted by nobody
    print(f"demo PKI in {pki.folder.relative_to(ROOT)}/: {pki.pkcs12.name} (0600), its password in "
          f"{pki.password_file.name} (0600), the DEMO CA in {pki.ca_pem.name}")
    # The key and its password go to the commands through the environment, never their arguments.
    os.environ["ASSEMBLER_SIGNING_PKCS12"] = str(pki.pkcs12)
    os.environ["ASSEMBLER_SIGNING_PASSWORD"] = pki.password()
    out = OUT / "signed"
    registry = ["--registry", str(DEMO_REGISTRY.relative_to(ROOT))]  # the customers of step_contracts
    run(*registry, "build", "--customer", "C-1042", "--format", "pdf", "--sign",
        "-o", str(out.relative_to(ROOT)))
    signed = max(out.glob("C-1042-*.pdf"), key=lambda p: p.stat().st_mtime)
    run(*registry, "verify", str(signed.relative_to(ROOT)), "--trust", str(pki.ca_pem.relative_to(ROOT)))
    # The same file with one byte changed inside the signed text: verify must say so (exit 1).
    data = bytearray(signed.read_bytes())
    at = data.index(b"stream", data.index(b"/FlateDecode")) + 40
    data[at] ^= 0x01
    tampered = out / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    code = run("verify", str(tampered.relative_to(ROOT)), check=False)
    print(f"(exit {code}: the tampered copy is rejected)")
    if code != 1:
        raise SystemExit("demo: verify did not reject the tampered copy")



# --- site ---


def step_site() -> None:
    """Pull requests and the published history: the guard, the pull-request check, tags, the site."""

    run("guard")
    run("check", "--base", "HEAD")
    # A history with three versions, in a copy: legal's pull request for 1.1, then the site.
    copy = project_copy("site-project")
    print(f"\n(a copy of the project in {copy.relative_to(ROOT)}/: a branch that shortens the "
          "data-breach term to 24 hours and releases it as 1.1)")
    git(copy, "switch", "-q", "-c", "datalekken-24-uur")
    clause = copy / "contracts" / "verwerkersovereenkomst" / "07-datalekken.md"
    text = clause.read_text(encoding="utf-8")
    clause.write_text(text.replace("achtenveertig (48)", "vierentwintig (24)", 1), encoding="utf-8")
    # `release` refuses a date too soon for today's notice month, so the branch's lawyer types
    # 1 December 2026 into the manifest by hand, as a pull request can.
    run("release", "1.1", "--effective", "2099-12-31", root=copy)
    manifest = copy / "versions" / "verwerkersovereenkomst" / "1.1.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        "effective = 2099-12-31", "effective = 2026-12-01"), encoding="utf-8")
    print(f"\n(edited by hand in {manifest.relative_to(copy)}: effective = 2026-12-01)")
    git(copy, "add", "-A")
    git(copy, "commit", "-q", "-m", "Datalekken binnen 24 uur")
    print("\n(CI runs this on the pull request; as of 28 November 2026 it blocks the merge)")
    code = run("check", "--base", "main", "--today", "2026-11-28", check=False, root=copy)
    print(f"(exit {code}: the lawyer moves the date to 1 January 2027 and writes the toelichting)")
    manifest = copy / "versions" / "verwerkersovereenkomst" / "1.1.toml"
    text = manifest.read_text(encoding="utf-8").replace("effective = 2026-12-01",
                                                        "effective = 2027-01-01")
    if "[toelichting]" not in text:
        text += "\n[toelichting]\n"
    text = text.replace('7 = "TODO: toelichting invullen"\n', "")
    text += '7 = "Een datalek melden wij voortaan binnen 24 uur in plaats van 48 uur."\n'
    manifest.write_text(text, encoding="utf-8")
    git(copy, "commit", "-q", "-am", "1.1: ingangsdatum 1 januari 2027, toelichting")
    run("check", "--base", "main", "--today", "2026-11-28", root=copy)
    git(copy, "switch", "-q", "main")
    git(copy, "merge", "-q", "--ff-only", "datalekken-24-uur")
    run("tag", root=copy)
    site = OUT / "site"
    run("site", "-o", os.path.relpath(site, copy), root=copy)  # dated today, by the real clock
    print(f"Open {site / 'index.html'} in a browser: it works from file:// and any web server.")

STEPS: list[Callable[[], None]] = [
    step_foundation,
    step_redlines,
    step_contracts,
    step_signing,
    step_notices,
    step_lifecycle,
    step_subprocessors,
    step_breach,
    step_site,
]


def main() -> None:
    """Run every demo step."""
    OUT.mkdir(parents=True, exist_ok=True)
    for step in STEPS:
        print(f"\n=== {step.__doc__}", flush=True)
        step()
    print(f"\nDemo done. Output in {OUT.relative_to(ROOT)}/")


if __name__ == "__main__":
    main()
