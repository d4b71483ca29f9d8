"""Signing: sign_pdf on a built contract in-process, and `build --customer ID --sign` afresh.

Targets (signing): signing a built contract in-process (PAdES B-B, visible signature and the
customer's empty field), median <= 150 ms; ``assembler build --customer ID --sign`` as a fresh
process <= 2 s. Baselines measured in the same run: building the same contract PDF in-process,
and the same command without ``--sign``. Works on a copy of the project in a temporary folder
with the example customers and a DEMO key made there.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assembler.agreement.project_copy import copy_project  # noqa: E402
from bench.common import BENCH_AUTHOR, ROOT, median_ms, process_s, report  # noqa: E402


def _project(tmp: Path) -> dict[str, str]:
    """Copy the project into `tmp`, import the example customers; return the environment to use."""
    copy_project(ROOT, tmp, message="bench", author=BENCH_AUTHOR)
    from assembler.signing.demo_pki import demo_pki

    pki = demo_pki(tmp)
    env = {**os.environ, "ASSEMBLER_ROOT": str(tmp), "ASSEMBLER_SIGNING_PKCS12": str(pki.pkcs12),
           "ASSEMBLER_SIGNING_PASSWORD": pki.password()}
    subprocess.run([sys.executable, "-m", "assembler", "customers", "import",
                    str(ROOT / "examples" / "customers.csv")], cwd=tmp, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return env


def main() -> None:
    """Measure and print the signing figures."""
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        env = _project(tmp)
        from assembler.agreement.project import Project
        from assembler.customers.document import build_contract
        from assembler.customers.registry import open_registry, registry_path
        from assembler.signing.keys import SignerConfig, open_pkcs12
        from assembler.signing.pades import sign_pdf

        project = Project(tmp)
        with open_registry(registry_path(tmp)) as registry:
            customer = registry.customer("C-1042")
        key, cert, chain = open_pkcs12(Path(env["ASSEMBLER_SIGNING_PKCS12"]),
                                       env["ASSEMBLER_SIGNING_PASSWORD"])
        signer = SignerConfig(key=key, cert=cert, chain=chain)
        built = build_contract(project, customer, formats=("pdf",))
        assert built.pdf is not None
        pdf, boxes = built.pdf, (built.processor_box, built.customer_box)

        build_ms = median_ms(lambda: build_contract(project, customer, formats=("pdf",)), runs=20)
        sign_ms = median_ms(lambda: sign_pdf(pdf, signer, *boxes), runs=20)
        invisible_ms = median_ms(lambda: sign_pdf(pdf, signer, None, None), runs=20)
        report("build the C-1042 contract PDF + boxes, in-process (baseline)", build_ms, "ms", "-", True)
        report("sign_pdf B-B: visible + empty customer field", sign_ms, "ms", "<= 150", sign_ms <= 150)
        report("  ratio to the build", sign_ms / build_ms, "x", "-", True)
        report("sign_pdf B-B: invisible (pyHanko alone)", invisible_ms, "ms", "-", True)

        args = ["build", "--customer", "C-1042", "--format", "pdf", "-o", str(tmp / "out")]
        plain_s = process_s(args, runs=5, cwd=tmp, env=env)
        signed_s = process_s([*args, "--sign"], runs=5, cwd=tmp, env=env)
        report("assembler build --customer C-1042 --format pdf (baseline)", plain_s, "s", "-", True)
        report("assembler build --customer C-1042 --format pdf --sign", signed_s, "s", "<= 2",
               signed_s <= 2)
        report("  difference (signing in a fresh process)", signed_s - plain_s, "s", "-", True)


if __name__ == "__main__":
    main()
