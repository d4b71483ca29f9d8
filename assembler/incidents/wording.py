"""The words a breach notice uses for what is not known: still being investigated, or not established."""

from __future__ import annotations

STILL_UNKNOWN = "weten wij nog niet"
NOT_ESTABLISHED = "kon niet worden vastgesteld"


def not_known(what: str, final: bool, pending: str = STILL_UNKNOWN) -> str:
    """Return the sentence saying that `what` (an indirect question, capitalised) is not known.

    GDPR art. 33(4) allows the information of a breach notice "in fases": in the initial and
    the update notices a fact not yet known is still being investigated (`pending`, "weten wij
    nog niet"), and the next notice is promised. The final notice closes the phases and promises
    nothing more, so a fact still unknown then is stated as not established ("kon niet worden
    vastgesteld"): saying "nog niet" there would promise an answer that will not come.
    """
    return f"{what}, {NOT_ESTABLISHED if final else pending}."
