"""`python -m assembler`."""

from assembler.cli import main

main(prog_name="assembler")
