"""`python -m assembler` and the `assembler` command."""

from __future__ import annotations

import gc
from typing import NoReturn


def main() -> NoReturn:
    """Run the command line (`assembler.cli.entry.run`), loading it with the garbage collector off.

    Off before the program's first module is imported, and on again once the command begins
    (`assembler.cli.entry.collect_from_here`, whose module says why).
    """
    gc.disable()
    from assembler.cli.entry import run

    run()


if __name__ == "__main__":  # a process-pool worker imports this module without running the CLI
    main()
