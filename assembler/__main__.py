"""`python -m assembler`."""

from assembler.cli.entry import run

if __name__ == "__main__":  # a process-pool worker imports this module without running the CLI
    run()
