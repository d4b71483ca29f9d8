"""assembler: contract assembly and versioning (see README.md)."""

__version__ = "0.1.0"
