"""Write assembler/render/glyph_table.py: the characters the PDFs' fonts can show.

Run from the project root: ``python tools/make_glyph_table.py`` (again after a typst upgrade or
a font added to ``render/templates/fonts/``; a test fails until the committed table is current).
fontTools is not a dependency and Typst's own fonts live inside the typst wheel's binary, so
the table is measured with Typst itself: every candidate character is typeset as the templates
set text (Libertinus Serif, Typst's fallback over the embedded and shipped fonts, no system
fonts), and the fonts' ToUnicode maps in the resulting PDF say which characters got a glyph.
A character without one is what a PDF/A build refuses ("could not be displayed with font").

Candidates are the letters, marks, numbers, punctuation, symbols and spaces of the blocks a
Dutch business meets (U+0020–U+2FFF, U+FB00–U+FFFF, the emoji planes' U+1F000–U+1FAFF);
everything else (CJK, Hangul, the higher planes) counts as not showable without asking.
"""

from __future__ import annotations

import io
import json
import re
import sys
import tempfile
import unicodedata
from pathlib import Path

import typst
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "assembler" / "render" / "glyph_table.py"
FONTS = ROOT / "assembler" / "render" / "templates" / "fonts"
CANDIDATE_BLOCKS = ((0x20, 0x3000), (0xFB00, 0x10000), (0x1F000, 0x1FB00))
PROBE = """#set text(font: "Libertinus Serif", lang: "nl")
#let lines = json(bytes(sys.inputs.data))
#for line in lines [#line \\ ]
"""


def candidates() -> list[str]:
    """Return the characters to measure (see the module docstring)."""
    return [chr(c) for start, end in CANDIDATE_BLOCKS for c in range(start, end)
            if unicodedata.category(chr(c))[0] in "LMNPS" or unicodedata.category(chr(c)) == "Zs"]


def measure(chars: list[str]) -> set[str]:
    """Return the characters of `chars` that Typst typesets with a real glyph."""
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "probe.typ").write_text(PROBE, encoding="utf-8")
        compiler = typst.Compiler(str(Path(tmp) / "probe.typ"), root=tmp, font_paths=[str(FONTS)],
                                  ignore_system_fonts=True)
        shown: set[str] = set()
        for at in range(0, len(chars), 2000):
            shown |= _measure_chunk(compiler, chars[at:at + 2000])
    return shown & set(chars)


def _measure_chunk(compiler: typst.Compiler, chars: list[str]) -> set[str]:
    lines = [" ".join(chars[i:i + 50]) for i in range(0, len(chars), 50)]
    try:
        pdf = compiler.compile(format="pdf", sys_inputs={"data": json.dumps(lines)})
    except BaseException:  # noqa: BLE001 - Typst panics (a PanicException) on a few sequences
        if len(chars) == 1:
            return set()
        half = len(chars) // 2
        return _measure_chunk(compiler, chars[:half]) | _measure_chunk(compiler, chars[half:])
    assert isinstance(pdf, bytes)
    shown: set[str] = set()
    seen: set[int] = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            if font.idnum in seen:
                continue
            seen.add(font.idnum)
            cmap = font.get_object()["/ToUnicode"].get_object().get_data().decode("ascii")
            for hexed in re.findall(r"<[0-9A-Fa-f]+>\s*<([0-9A-Fa-f]+)>", cmap):
                shown |= set(bytes.fromhex(hexed).decode("utf-16-be"))
    return shown


def ranges(chars: set[str]) -> list[tuple[int, int]]:
    """Return `chars` as sorted, merged, inclusive code point ranges."""
    out: list[tuple[int, int]] = []
    for code in sorted(ord(c) for c in chars):
        if out and out[-1][1] == code - 1:
            out[-1] = (out[-1][0], code)
        else:
            out.append((code, code))
    return out


def table_source() -> str:
    """Return the text of glyph_table.py for the fonts as they are now."""
    rows = ranges(measure(candidates()))
    body = "".join(f"    (0x{a:04X}, 0x{b:04X}),\n" for a, b in rows)
    return ('"""The characters the fonts of our PDFs can show (generated: tools/make_glyph_table.py).\n\n'
            "Inclusive code point ranges; do not edit by hand, rerun the tool.\n"
            '"""\n\nfrom __future__ import annotations\n\n'
            f"SHOWABLE: tuple[tuple[int, int], ...] = (\n{body})\n")


def main() -> int:
    OUT.write_text(table_source(), encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
