"""A CJK font for the charts that works on a fresh machine, and glyph-coverage checks.

    >>> from consolidate.fonts import cjk_font, covers, use_fonts
    >>> cjk_font()                      # 'Consolidate Sans SC' (bundled), or a system CJK family, or None
    >>> covers("天津经济技术开发区")       # True: every glyph is in the font chain
    >>> use_fonts()                     # rcParams for matplotlib: the chain, CJK first, DejaVu Sans last

We ship `fonts/ConsolidateSansSC-Regular.otf`: a subset of Noto Sans SC 2.004 (SIL Open Font
License 1.1, `fonts/OFL.txt`) holding every GB 2312 character, Latin, CJK punctuation and the
characters of the bundled region models' names, renamed as the OFL asks of modified fonts
(rebuilt by `python scripts/build_font_subset.py SOURCE.otf`). System CJK fonts (Noto Sans CJK,
Source Han Sans, WenQuanYi, SimHei, …) follow it in the chain, so a rare character outside the
subset still renders when the machine has one; `covers()` says whether a text will render
without tofu, and the charts show a name in English (with a footer note) when it will not.
"""
from __future__ import annotations

import functools
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
    """rcParams that make matplotlib draw with the chain (use with `matplotlib.rc_context`)."""
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


def font_face_css(text: str) -> str:
    """A CSS @font-face of the bundled font cut down to the characters of `text`, as a WOFF data URI ("" when
    the font is not there). Deterministic: the same characters give the same bytes. HTML and SVG carry it so
    that their text renders in the font the charts were laid out in, on any machine (the OFL allows it)."""
    if not BUNDLED_FILE.is_file():
        return ""
    import base64
    import io

    from fontTools import subset          # a declared dependency (setup.py), matplotlib's too
    from fontTools.ttLib import TTFont

    points = sorted({ord(c) for c in text if ord(c) >= 0x20})
    options = subset.Options()
    options.flavor = "woff"
    options.layout_features = []
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    options.notdef_outline = True
    font = TTFont(str(BUNDLED_FILE), recalcTimestamp=False)   # same characters, same bytes
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=points)
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.save(buffer)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (f'@font-face {{ font-family: "{BUNDLED_FAMILY}"; font-style: normal; font-weight: 100 900; '
            f'src: url(data:font/woff;base64,{data}) format("woff"); }}')
