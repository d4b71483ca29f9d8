"""Signing: sign_pdf in-process (PAdES B-B, visible + empty field) and `sign` as a fresh process.

Targets (issue 5): signing a built contract in-process, median <= 150 ms; ``assembler build
--customer ID --sign`` as a fresh process <= 2 s. Baselines measured in the same run: rendering
the same PDF with Typst (in-process), and the same command without signing (fresh process).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, median_ms, process_s, report  # noqa: E402


def main() -> None:
    """Measure and print the signing figures."""
    from assembler import pki
    from assembler.keys import SignerConfig
    from assembler.sign import sign_pdf

    with tempfile.TemporaryDirectory() as tmp:
        demo = pki.demo_pki(Path(tmp))
        from assembler.keys import open_pkcs12

        key, cert, chain = open_pkcs12(demo.pkcs12, demo.password())
        signer = SignerConfig(key=key, cert=cert, chain=chain)
        pdf, render, boxes = _document()
        render_ms = median_ms(render, runs=20)
        sign_ms = median_ms(lambda: sign_pdf(pdf, signer, *boxes), runs=20)
        invisible_ms = median_ms(lambda: sign_pdf(pdf, signer, None, None), runs=20)
        report("render the contract PDF with Typst (baseline)", render_ms, "ms", "-", True)
        report("sign_pdf B-B, visible + empty customer field", sign_ms, "ms", "<= 150", sign_ms <= 150)
        report("  ratio to rendering", sign_ms / render_ms, "x", "-", True)
        report("sign_pdf B-B, invisible (pyHanko alone)", invisible_ms, "ms", "-", True)

        for args, env, name, target in _processes(Path(tmp), demo, pdf):
            seconds = process_s(args, runs=5, env=env)
            report(name, seconds, "s", target or "-", not target or seconds <= float(target[3:]))


def _document():  # type: ignore[no-untyped-def]
    """Return a built contract PDF, a function that renders it again, and its signature boxes."""
    try:
        from tests.signing.conftest import PARAGRAPHS, render_sample
    except ImportError:  # pragma: no cover
        raise SystemExit("bench_signing needs the tests/ folder") from None
    sample = render_sample(PARAGRAPHS)
    return sample.pdf, (lambda: render_sample(PARAGRAPHS)), (sample.processor_box, sample.customer_box)


def _processes(tmp: Path, demo, pdf: bytes):  # type: ignore[no-untyped-def]
    src = tmp / "contract.pdf"
    src.write_bytes(pdf)
    env = {"ASSEMBLER_SIGNING_PKCS12": str(demo.pkcs12), "ASSEMBLER_SIGNING_PASSWORD": demo.password(),
           "ASSEMBLER_ROOT": str(ROOT)}
    yield (["versions"], env, "assembler versions, fresh process (baseline)", None)
    yield (["sign", str(src), "-o", str(tmp / "signed.pdf")], env,
           "assembler sign FILE.pdf, fresh process", "<= 2")


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
