"""`python -m assembler`."""

from assembler.cli import main

if __name__ == "__main__":  # a process-pool worker imports this module without running the CLI
    main(prog_name="assembler")
