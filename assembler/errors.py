"""Errors raised by the assembler; the CLI turns each into one line on stderr and an exit code.

The tree, by kind::

    AssemblerError                      exit 1 unless said otherwise
    │
    ├── UsageError                      exit 2: an argument names nothing that exists
    │   ├── UnknownRefError             a version, git ref or `worktree` that does not resolve
    │   ├── UnknownContractError        no such contract under contracts/
    │   └── UnknownCustomerError        a customer id the registry does not hold
    │
    ├── InputError                      a file the user gave us is wrong (has path, line)
    │   ├── ClauseParseError            a Markdown clause file that does not parse
    │   ├── ManifestError               a version manifest in versions/ that is broken
    │   ├── CatalogueError              the Bijlage 1 catalogue or contract metadata is broken
    │   ├── ConfigError                 assembler.toml or an ASSEMBLER_* variable is wrong
    │   ├── IncidentError               an incident record in var/incidents/ that is incomplete
    │   ├── RegisterError               the sub-processor register (subverwerkers.toml) is broken
    │   └── CustomerImportError         a customer CSV with invalid rows; nothing imported
    │
    ├── RepositoryError                 not a project / not a git repository / git failed
    ├── RegistryError                   the customer registry cannot be opened or migrated
    │   └── LedgerError                 the notice ledger (in the registry) cannot be used
    │       └── LedgerLockedError       another run holds the ledger's lock
    ├── SigningKeyError                 the PKCS#12 key cannot be used (has path): missing, wrong
    │                                   password, expired, not yet valid, no signing key usage
    │
    ├── CheckFailedError                `check` found errors where they block an action (release)
    ├── LifecycleError                  the customer's history forbids it (art. 11.1 before the end)
    ├── NoticesLateError                notices can no longer reach customers in time
    ├── DeliveryError                   a built notice is missing or differs from its ledger hash
    │
    ├── RenderError                     a template or Typst failed
    ├── OutputError                     an output file could not be written
    ├── SigningError                    pyHanko could not sign (timestamp server, revocation data)
    └── VerifyError                     a file `verify` cannot read as a PDF at all

Every error carries enough to print ``path:line: message`` without a traceback.
"""

from __future__ import annotations

# --- the root -------------------------------------------------------------------------------


class AssemblerError(Exception):
    """Root of every error the assembler reports to a user."""

    exit_code: int = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


# --- usage: an argument names nothing that exists (exit 2) ----------------------------------


class UsageError(AssemblerError):
    """An argument that names nothing that exists."""

    exit_code = 2


class UnknownRefError(UsageError):
    """A version number, git ref or `worktree` that does not resolve."""

    def __init__(self, ref: str, reason: str) -> None:
        super().__init__(f"unknown version or ref {ref!r}: {reason}")
        self.ref = ref
        self.reason = reason


class UnknownContractError(UsageError):
    """No contract of that id under contracts/."""


class UnknownCustomerError(UsageError):
    """A customer id the registry does not hold."""

    def __init__(self, customer_id: str, registry: str) -> None:
        super().__init__(f"unknown customer {customer_id!r} in {registry} "
                         "(see `assembler customers list`)")
        self.customer_id = customer_id


# --- input: a file the user gave us is wrong, at a path and line ----------------------------


class InputError(AssemblerError):
    """A file the user gave us that is wrong; says where."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line
        self.detail = message


class ClauseParseError(InputError):
    """A Markdown clause file that does not parse into the model."""


class ManifestError(InputError):
    """A version manifest that is missing fields or malformed."""


class CatalogueError(InputError):
    """The Bijlage 1 catalogue or the contract metadata is malformed."""


class RegisterError(InputError):
    """The sub-processor register (``subverwerkers.toml``) is malformed."""


class ConfigError(InputError):
    """assembler.toml or an ASSEMBLER_* environment variable is wrong."""


class IncidentError(InputError):
    """An incident record (``var/incidents/<id>.toml``) that is missing a key or holds a wrong one."""


class CustomerImportError(InputError):
    """A customer CSV with invalid rows (each already reported); nothing was imported."""

    def __init__(self, path: str, invalid: int, *, header: bool = False) -> None:
        # --skip-invalid skips rows; it cannot help a header it cannot read, so it is offered
        # only for invalid rows (and is never given then: with it, rows do not stop the import).
        super().__init__(path, None, "the header line is not usable; nothing imported (fix the "
                         "header)" if header else f"{invalid} invalid row(s); nothing imported "
                         "(fix them, or import the valid rows with --skip-invalid)")
        self.invalid = invalid


# --- state: the repository, the registry or a key cannot be used ----------------------------


class RepositoryError(AssemblerError):
    """Not a project directory, not a git repository, or git failed."""


class RegistryError(AssemblerError):
    """The customer registry cannot be opened, read or migrated."""


class LedgerError(RegistryError):
    """The notice ledger in the registry database cannot be opened or updated."""


class LedgerLockedError(LedgerError):
    """Another `notices send` holds the ledger's send lock."""


class SigningKeyError(AssemblerError):
    """The signing key (a PKCS#12 file) is missing, locked, expired or not meant for signing."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.detail = message


# --- refusals: a rule forbids the action ----------------------------------------------------


class CheckFailedError(AssemblerError):
    """`check` reported errors and the action requires a clean check."""


class LifecycleError(AssemblerError):
    """A customer's history does not allow the step: a destruction statement before the end."""


class NoticesLateError(AssemblerError):
    """Notices can no longer reach every affected customer in time for the effective date."""


class DeliveryError(AssemblerError):
    """A built notice is missing, or its file no longer matches the hash in the ledger."""


# --- failures: a document could not be made, written, signed or read ------------------------


class RenderError(AssemblerError):
    """A document could not be rendered (a template or Typst failed)."""


class OutputError(AssemblerError):
    """An output file could not be written."""


class SigningError(AssemblerError):
    """A PDF could not be signed: timestamp server, revocation data, or pyHanko failed."""


class VerifyError(AssemblerError):
    """A file that `verify` cannot read as a PDF."""
