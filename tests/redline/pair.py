"""The fixture pair of versions: the real v1.0 and a "1.1" with one edit of every kind.

`build_pair(dest)` makes a git repository at `dest` holding v1.0 (commit 1) and 1.1 (commit 2,
released with a pinned date), so `assembler diff 1.0 1.1` runs there. The edits:

- 1.1 inserted at the start of article 1; 1.1-1.3 become 1.2-1.4 (renumbered) and Bijlage 1's
  "artikel 1.1" is left pointing at the new clause (a dangling reference);
- 4.1 split into 4.1 and 4.2; 4.2-4.5 become 4.3-4.6; 4.4 still refers to "artikel 4.1";
- a new article 6 "Bewaartermijnen": 6.1 is old 11.3 (moved), 6.2 is new;
- 7.2 reworded (word-level changes, "(48)");
- 8.1 and 8.2 merged into 8.1;
- 9.2 removed; 9.3-9.5 become 9.2-9.4;
- 11.6 moved to 2.6; 11.4-11.5 become 11.3-11.4;
- the catalogue: a category added, one relabelled, one with a service fewer, a data subject added.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

from assembler.agreement.history import Author
from assembler.agreement.project import Project
from assembler.agreement.project_copy import copy_project
from assembler.workflow.release import release_version
from tests.conftest import CONTRACT, ROOT

EFFECTIVE = dt.date(2027, 2, 1)
RELEASED = dt.date(2026, 12, 1)

OLD_11_3 = (
    "11.3. Verwerker is niet verantwoordelijk voor bewaartermijnen.\n"
    "Verwerkingsverantwoordelijke dient zelf de bewaartermijnen vast te stellen en daarnaar te "
    "handelen.\n"
    "Indien en voor zover Verwerkingsverantwoordelijke niet zelf gegevens kan verwijderen, kan zij "
    "zich wenden tot Verwerker tot het verwijderen van de gegevens.\n"
    "Indien dit geen onderdeel is van een overeenkomst tussen Partijen, behoudt Verwerker zich het "
    "recht voor de daarmee gemoeide tijd in rekening te brengen.\n")
OLD_11_6 = ("11.6. De verplichtingen uit deze Verwerkersovereenkomst gelden tevens voor "
            "dochterondernemingen en/of andere handelsnamen van Partijen.\n")

ARTICLE_6 = ("# Artikel 6. Bewaartermijnen\n\n"
             + OLD_11_3.replace("11.3. ", "6.1. ") + "\n"
             "6.2. Na het einde van de Hoofdovereenkomst bewaart Verwerker de persoonsgegevens "
             "ten hoogste drie (3) maanden, tenzij een wettelijke bewaarplicht langer bewaren vereist.\n")

# (file, old text, new text): each old text must occur exactly once.
EDITS: list[tuple[str, str, str]] = [
    ("01-doeleinden.md", "1.3. De in opdracht", "1.4. De in opdracht"),
    ("01-doeleinden.md", "1.2. De persoonsgegevens", "1.3. De persoonsgegevens"),
    ("01-doeleinden.md", "1.1. Verwerker verbindt zich",
     "1.1. Deze Verwerkersovereenkomst is een aanvulling op de Hoofdovereenkomst en geldt zolang "
     "de Hoofdovereenkomst loopt.\n\n1.2. Verwerker verbindt zich"),
    ("04-derden.md", "4.5. Verwerker kan", "4.6. Verwerker kan"),
    ("04-derden.md", "4.4. Verwerker sluit", "4.5. Verwerker sluit"),
    ("04-derden.md", "4.3. Het is Verwerker", "4.4. Het is Verwerker"),
    ("04-derden.md", "4.2. Indien en voor zover", "4.3. Indien en voor zover"),
    ("04-derden.md", "inschakelen van sub-verwerkers.\nDe lijst",
     "inschakelen van sub-verwerkers.\n\n4.2. De lijst"),
    ("07-datalekken.md",
     "7.2. Een melding moet altijd worden gedaan, maar alleen als de gebeurtenis zich "
     "daadwerkelijk voorgedaan heeft.",
     "7.2. Een melding moet altijd binnen achtenveertig (48) uur worden gedaan, ook als nog niet "
     "vaststaat dat de gebeurtenis zich daadwerkelijk voorgedaan heeft."),
    ("08-geheimhouding.md", "\n\n8.2. Deze geheimhoudingsplicht", "\nDeze geheimhoudingsplicht"),
    ("09-audit.md", "9.2. Deze audit mag plaatsvinden bij een concreet vermoeden van misbruik van "
     "persoonsgegevens.\n\n", ""),
    ("09-audit.md", "9.3. Verwerker zal", "9.2. Verwerker zal"),
    ("09-audit.md", "9.4. De bevindingen", "9.3. De bevindingen"),
    ("09-audit.md", "9.5. De kosten", "9.4. De kosten"),
    ("11-overige-bepalingen.md", OLD_11_3 + "\n", ""),
    ("11-overige-bepalingen.md", "\n" + OLD_11_6, ""),
    ("11-overige-bepalingen.md", "11.4. Op deze", "11.3. Op deze"),
    ("11-overige-bepalingen.md", "11.5. Deze Verwerkersovereenkomst kan",
     "11.4. Deze Verwerkersovereenkomst kan"),
    ("bijlage-1.toml", 'label = "Belhistorie"', 'label = "Belhistorie (CDR\'s)"'),
    ("bijlage-1.toml",
     'id = "wachtwoord"\nlabel = "Wachtwoord"\nservices = ["hosted-telefonie", "sip-trunk", '
     '"mobiel", "gespreksopname", "fax2mail", ',
     'id = "wachtwoord"\nlabel = "Wachtwoord"\nservices = ["hosted-telefonie", "sip-trunk", '
     '"mobiel", "gespreksopname", '),
    ("bijlage-1.toml", "\n[[data_subjects]]",
     '\n[[data_categories]]\nid = "gespreksopnamen"\nlabel = "Gespreksopnamen"\n'
     'services = ["gespreksopname"]\n\n[[data_subjects]]'),
]
APPEND: dict[str, str] = {
    "02-verplichtingen-verwerker.md": "\n" + OLD_11_6.replace("11.6. ", "2.6. "),
    "bijlage-1.toml": ('\n[[data_subjects]]\nid = "medewerkers"\n'
                       'label = "Medewerkers van Verwerkingsverantwoordelijke"\n'
                       'services = ["hosted-telefonie", "callcenter"]\n'),
}
NEW_FILES = {"06-bewaartermijnen.md": ARTICLE_6}


def apply_edits(folder: Path) -> None:
    """Turn the v1.0 contract folder `folder` into the 1.1 of the fixture."""
    for name, old, new in EDITS:
        path = folder / name
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"{name}: {old[:40]!r} occurs {text.count(old)} times"
        path.write_text(text.replace(old, new), encoding="utf-8")
    for name, extra in APPEND.items():
        path = folder / name
        path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    for name, text in NEW_FILES.items():
        (folder / name).write_text(text, encoding="utf-8")


def git(cwd: Path, *args: str, when: str = "2018-05-01T12:00:00Z") -> str:
    """Run git in `cwd` with fixed names and dates, so commit ids are the same on every run."""
    env = {**os.environ, "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com",
           "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    return subprocess.run(["git", "-c", "commit.gpgsign=false", *args], cwd=cwd, check=True,
                          capture_output=True, text=True, env=env).stdout


def build_pair(dest: Path) -> Path:
    """Create the fixture repository at `dest` (v1.0 and a released 1.1) and return it."""
    copy_project(ROOT, dest, author=Author("Test", "test@example.com", "2018-05-01T12:00:00Z"))
    apply_edits(dest / "contracts" / CONTRACT)
    release_version(Project(dest), CONTRACT, "1.1", EFFECTIVE, today=RELEASED)
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "1.1", when="2026-12-01T12:00:00Z")
    return dest
