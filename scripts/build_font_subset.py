"""Rebuild the bundled CJK font, consolidate/fonts/ConsolidateSansSC-Regular.otf (a build step, not runtime).

    python scripts/build_font_subset.py NotoSansSC-Regular.otf      # Noto Sans SC 2.004 (SIL OFL 1.1)

The subset holds every GB 2312 character, Latin, CJK and general punctuation and the characters of
the bundled region models' names, renamed as the OFL asks of modified fonts; the font's bytes are
reproducible (the modified date is the created date). Needs fontTools (`pip install fonttools`).
The runtime side — finding and loading fonts, glyph coverage — is consolidate/fonts.py.
"""
from __future__ import annotations

import sys
from pathlib import Path

from consolidate.fonts import BUNDLED_FAMILY, BUNDLED_FILE, _needs_glyph
from consolidate.resources import models_dir


def subset_codepoints(extra_text: str = "") -> set[int]:
    """GB 2312 (all of it), Latin, CJK and general punctuation, and the characters of `extra_text`."""
    points = set(range(0x20, 0x7F)) | set(range(0xA0, 0x180)) | set(range(0x2000, 0x2070))
    points |= set(range(0x2190, 0x21A0)) | set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFEF))
    points |= {0x2022, 0x2212, 0x2248, 0x2264, 0x2265, 0x25A0, 0x25B2, 0x25CB, 0x25CF, 0x2605}
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                points.add(ord(bytes([high, low]).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    return points | {ord(c) for c in extra_text if _needs_glyph(c)}


def bundled_model_text() -> str:
    """Every character used in the names of the bundled region models (so they all render)."""
    import pandas as pd

    chars: set[str] = set()
    for csv in sorted(models_dir().glob("*/*.csv")):
        frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
        for column in frame.columns:
            if column.startswith("name") or column in ("province", "district_zh"):
                chars.update("".join(frame[column]))
    return "".join(sorted(chars))


def build_subset(source: Path, out: Path = BUNDLED_FILE, extra_text: str = "") -> Path:
    """Subset an OFL Noto Sans SC / Source Han Sans SC file into `out`, renamed as the OFL requires."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.name_IDs = [0, 7, 8, 9, 11, 12, 13, 14]
    options.notdef_outline = True
    font = TTFont(str(source), recalcTimestamp=False)
    original = font["name"].getDebugName(3) or source.name
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=subset_codepoints(extra_text + bundled_model_text()))
    subsetter.subset(font)
    postscript = BUNDLED_FAMILY.replace(" ", "") + "-Regular"
    names = {1: BUNDLED_FAMILY, 2: "Regular", 3: f"{postscript};subset of {original}", 4: f"{BUNDLED_FAMILY} Regular",
             5: "Version 2.004; subset for consolidate", 6: postscript,
             10: f"A subset of Noto Sans SC ({original}) made for the consolidate charts; SIL OFL 1.1."}
    for name_id, value in names.items():
        font["name"].setName(value, name_id, 3, 1, 0x409)
        font["name"].setName(value, name_id, 1, 0, 0)
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [postscript]
        top = cff.topDictIndex[0]
        top.FamilyName, top.FullName = BUNDLED_FAMILY, f"{BUNDLED_FAMILY} Regular"
    font["head"].modified = font["head"].created   # reproducible bytes
    out.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(out))
    return out


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python scripts/build_font_subset.py NotoSansSC-Regular.otf (Noto Sans SC 2.004, OFL)")
    print(build_subset(Path(sys.argv[1])))
