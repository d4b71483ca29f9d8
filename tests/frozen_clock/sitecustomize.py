"""Start the clock of a command a test runs as its own process at the test's day.

Python imports this module as it starts when this folder is on PYTHONPATH, as
`tests.notices.conftest.cli_env` puts it. With ASSEMBLER_TEST_NOW set (a moment in UTC, as
freezegun reads it), the command's clock starts at that moment and runs on from there
(freezegun's ``tick``): a test of the art. 11.2 notice month or of the art. 7.1 deadline then
passes on any real day, as the tests that run the command in-process under ``freeze_time`` do.
Not part of the program: nothing outside tests/ sets or reads the variable.
"""

from __future__ import annotations

import os

if os.environ.get("ASSEMBLER_TEST_NOW"):
    import freezegun

    freezegun.freeze_time(os.environ["ASSEMBLER_TEST_NOW"], tick=True).start()
