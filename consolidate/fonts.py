"""A CJK font for the charts that works on a fresh machine, and glyph-coverage checks.

    >>> from consolidate.fonts import cjk_font, covers, use_fonts
    >>> cjk_font()                      # 'Consolidate Sans SC' (bundled), or a system CJK family, or None
    >>> covers("天津经济技术开发区")       # True: every glyph is in the font chain
    >>> use_fonts()                     # rcParams for matplotlib: the chain, CJK first, DejaVu Sans last

We ship `fonts/ConsolidateSansSC-Regular.otf`: a subset of Noto Sans SC 2.004 (SIL Open Font
License 1.1, `fonts/OFL.txt`) holding every GB 2312 character, Latin, CJK punctuation and the
characters of the bundled region models' names, renamed as the OFL asks of modified fonts
(rebuild it with `python -m consolidate.fonts SOURCE.otf`). System CJK fonts (Noto Sans CJK,
Source Han Sans, WenQuanYi, SimHei, …) follow it in the chain, so a rare character outside the
subset still renders when the machine has one; `covers()` says whether a text will render
without tofu, and the charts show a name in English (with a footer note) when it will not.
"""
from __future__ import annotations

import functools
import sys
import unicodedata
from dataclasses import dataclass
from pathlib import Path

FONT_DIR = Path(__file__).resolve().with_name("fonts")
BUNDLED_FILE = FONT_DIR / "ConsolidateSansSC-Regular.otf"
BUNDLED_FAMILY = "Consolidate Sans SC"
LATIN_FAMILY = "DejaVu Sans"          # matplotlib ships it: Latin, Greek, arrows, math signs

# CJK families known on Linux, macOS and Windows, in order of preference (Simplified Chinese first).
SYSTEM_FAMILIES = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", "Hiragino Sans GB", "Heiti SC", "SimHei",
    "Droid Sans Fallback", "AR PL UMing CN", "AR PL UKai CN", "Noto Sans CJK JP", "Noto Sans CJK TC",
)


@dataclass(frozen=True)
class Font:
    family: str
    path: Path
    charmap: frozenset[int]
    bundled: bool = False


def _charmap(path: Path) -> frozenset[int]:
    from matplotlib.ft2font import FT2Font

    return frozenset(FT2Font(str(path)).get_charmap())


@functools.lru_cache(maxsize=None)
def font_chain() -> tuple[Font, ...]:
    """The CJK fonts found (bundled first, then system ones), each registered with matplotlib."""
    from matplotlib import font_manager

    found: list[Font] = []
    if BUNDLED_FILE.is_file():
        try:
            font_manager.fontManager.addfont(str(BUNDLED_FILE))
            found.append(Font(BUNDLED_FAMILY, BUNDLED_FILE, _charmap(BUNDLED_FILE), bundled=True))
        except (OSError, RuntimeError, ValueError):  # a damaged file: fall through to system fonts
            pass
    by_name: dict[str, str] = {}
    for entry in sorted(font_manager.fontManager.ttflist, key=lambda e: (e.name, e.weight != 400, e.fname)):
        by_name.setdefault(entry.name, entry.fname)
    for family in SYSTEM_FAMILIES:
        if family in by_name and all(f.family != family for f in found):
            try:
                found.append(Font(family, Path(by_name[family]), _charmap(Path(by_name[family]))))
            except (OSError, RuntimeError):
                continue
    return tuple(found)


@functools.lru_cache(maxsize=None)
def _latin() -> Font:
    from matplotlib import font_manager

    path = Path(font_manager.findfont(font_manager.FontProperties(family=LATIN_FAMILY), fallback_to_default=True))
    return Font(LATIN_FAMILY, path, _charmap(path))


def cjk_font() -> str | None:
    """The family name of the first CJK font available, or None when there is none."""
    chain = font_chain()
    return chain[0].family if chain else None


def font_properties(size: float | None = None):
    """A matplotlib FontProperties over the whole fallback chain."""
    from matplotlib.font_manager import FontProperties

    return FontProperties(family=families(), size=size)


def families() -> list[str]:
    """Font families for matplotlib's `font.family`, in fallback order (CJK first, then DejaVu Sans)."""
    return [f.family for f in font_chain()] + [LATIN_FAMILY]


def use_fonts() -> dict:
    """rcParams that make matplotlib draw with the chain (use with `plt.rc_context`)."""
    return {"font.family": families(), "axes.unicode_minus": False}


def _needs_glyph(char: str) -> bool:
    return not (char.isspace() or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"))


def missing(text: str) -> str:
    """The characters of `text` that no font of the chain has (each once, in order)."""
    maps = [f.charmap for f in font_chain()] + [_latin().charmap]
    out: list[str] = []
    for char in str(text):
        if _needs_glyph(char) and char not in out and not any(ord(char) in m for m in maps):
            out.append(char)
    return "".join(out)


def covers(text: str) -> bool:
    """True when every visible character of `text` has a glyph in the font chain (so no tofu)."""
    return not missing(text)


# --- rebuilding the bundled subset ------------------------------------------------------------------


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

    from .resources import models_dir

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


if __name__ == "__main__":  # python -m consolidate.fonts NotoSansSC-Regular.otf
    if len(sys.argv) != 2:
        sys.exit("usage: python -m consolidate.fonts NotoSansSC-Regular.otf (Noto Sans SC 2.004, OFL)")
    print(build_subset(Path(sys.argv[1])))
