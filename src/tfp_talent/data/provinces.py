"""The 31 provincial-level divisions of mainland China and one resolver for their names.

Codes are the 6-digit GB/T 2260 administrative codes used by NBS and by DataV maps.
Three regions follow the NBS East (11) / Central (8) / West (12) split used since
the Western Development programme (2000); four regions follow NBS's 2011 split
(East 10, Central 6, West 12, Northeast 3).

Every spelling found in the raw files resolves through :func:`resolve`: NBS full
names (北京市), short names (北京), names with inserted spaces as printed in the
Science & Technology Yearbook (北   京, 黑龙 江), pinyin as in ``asset.rda``
(``shaanxi`` = 陕西, ``shanxi`` = 山西), English names and codes. Known misspellings
in the raw files are listed in :data:`KNOWN_VARIANTS`; add a new one there.
National totals (全国) are recognised by :func:`is_national` and dropped on
purpose by :func:`resolve_frame`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from tfp_talent.errors import InputError


@dataclass(frozen=True)
class Province:
    """One province-level unit: NBS code, Chinese full and short names, pinyin, English name, regions."""

    code: int
    name_full: str
    name_short: str
    pinyin: str
    name_en: str
    region3: str
    region4: str


_E, _C, _W, _NE = "East", "Central", "West", "Northeast"

PROVINCES: tuple[Province, ...] = (
    Province(110000, "北京市", "北京", "beijing", "Beijing", _E, _E),
    Province(120000, "天津市", "天津", "tianjin", "Tianjin", _E, _E),
    Province(130000, "河北省", "河北", "hebei", "Hebei", _E, _E),
    Province(140000, "山西省", "山西", "shanxi", "Shanxi", _C, _C),
    Province(150000, "内蒙古自治区", "内蒙古", "neimenggu", "Inner Mongolia", _W, _W),
    Province(210000, "辽宁省", "辽宁", "liaoning", "Liaoning", _E, _NE),
    Province(220000, "吉林省", "吉林", "jilin", "Jilin", _C, _NE),
    Province(230000, "黑龙江省", "黑龙江", "heilongjiang", "Heilongjiang", _C, _NE),
    Province(310000, "上海市", "上海", "shanghai", "Shanghai", _E, _E),
    Province(320000, "江苏省", "江苏", "jiangsu", "Jiangsu", _E, _E),
    Province(330000, "浙江省", "浙江", "zhejiang", "Zhejiang", _E, _E),
    Province(340000, "安徽省", "安徽", "anhui", "Anhui", _C, _C),
    Province(350000, "福建省", "福建", "fujian", "Fujian", _E, _E),
    Province(360000, "江西省", "江西", "jiangxi", "Jiangxi", _C, _C),
    Province(370000, "山东省", "山东", "shandong", "Shandong", _E, _E),
    Province(410000, "河南省", "河南", "henan", "Henan", _C, _C),
    Province(420000, "湖北省", "湖北", "hubei", "Hubei", _C, _C),
    Province(430000, "湖南省", "湖南", "hunan", "Hunan", _C, _C),
    Province(440000, "广东省", "广东", "guangdong", "Guangdong", _E, _E),
    Province(450000, "广西壮族自治区", "广西", "guangxi", "Guangxi", _W, _W),
    Province(460000, "海南省", "海南", "hainan", "Hainan", _E, _E),
    Province(500000, "重庆市", "重庆", "chongqing", "Chongqing", _W, _W),
    Province(510000, "四川省", "四川", "sichuan", "Sichuan", _W, _W),
    Province(520000, "贵州省", "贵州", "guizhou", "Guizhou", _W, _W),
    Province(530000, "云南省", "云南", "yunnan", "Yunnan", _W, _W),
    Province(540000, "西藏自治区", "西藏", "xizang", "Tibet", _W, _W),
    Province(610000, "陕西省", "陕西", "shaanxi", "Shaanxi", _W, _W),
    Province(620000, "甘肃省", "甘肃", "gansu", "Gansu", _W, _W),
    Province(630000, "青海省", "青海", "qinghai", "Qinghai", _W, _W),
    Province(640000, "宁夏回族自治区", "宁夏", "ningxia", "Ningxia", _W, _W),
    Province(650000, "新疆维吾尔自治区", "新疆", "xinjiang", "Xinjiang", _W, _W),
)

CODES: tuple[int, ...] = tuple(p.code for p in PROVINCES)
BY_CODE: dict[int, Province] = {p.code: p for p in PROVINCES}
MUNICIPALITIES: tuple[int, ...] = (110000, 120000, 310000, 500000)
TIBET: int = 540000

#: Misspellings and variants seen in the raw files -> short name. Add new ones here.
KNOWN_VARIANTS: dict[str, str] = {
    "内蒙占": "内蒙古",  # RDLaborHour.rda 2013: 古 misprinted as 占
    "tibet": "西藏",
    "innermongolia": "内蒙古",
    "neimongol": "内蒙古",
    "xizangautonomousregion": "西藏",
}

NATIONAL_NAMES: frozenset[str] = frozenset(
    {"全国", "全国合计", "national", "china", "total", "000000", "100000"}
)

_SPACES = re.compile(r"[\s\u3000\u00a0]+")


def normalise_name(name: object) -> str:
    """Strip every kind of whitespace (incl. full-width) and lower-case latin letters."""
    text = str(name).strip()
    if re.fullmatch(r"\d+\.0", text):
        text = text[:-2]
    return _SPACES.sub("", text).lower()


def _build_lookup() -> dict[str, int]:
    lookup: dict[str, int] = {}
    for p in PROVINCES:
        for key in (p.name_full, p.name_short, p.pinyin, p.name_en, str(p.code)):
            lookup[normalise_name(key)] = p.code
    by_short = {p.name_short: p.code for p in PROVINCES}
    for variant, short in KNOWN_VARIANTS.items():
        lookup[normalise_name(variant)] = by_short[short]
    return lookup


_LOOKUP = _build_lookup()


def is_national(name: object) -> bool:
    """True for the national-total rows (全国, 'national', ...), which are not provinces."""
    return normalise_name(name) in NATIONAL_NAMES


def resolve(names: Iterable[object], *, source: str | None = None) -> list[int]:
    """Map province spellings to 6-digit codes; raise one error listing every unknown name.

    National-total names are not accepted here; drop them first with
    :func:`is_national` (or use :func:`resolve_frame`).
    """
    names = list(names)
    codes: list[int] = []
    unknown: list[str] = []
    for name in names:
        code = _LOOKUP.get(normalise_name(name))
        if code is None:
            unknown.append(str(name))
            codes.append(-1)
        else:
            codes.append(code)
    if unknown:
        distinct = sorted(set(unknown))
        raise InputError(
            f"unknown province name(s): {', '.join(repr(u) for u in distinct)}",
            file=source,
            hint="known spellings are listed in tfp_talent/data/provinces.py (add a variant to KNOWN_VARIANTS)",
        )
    return codes


def resolve_frame(
    frame: pd.DataFrame, column: str, *, source: str | None = None, log: list[str] | None = None
) -> pd.DataFrame:
    """Return ``frame`` without national-total rows and with ``province_code`` from ``column``.

    The number of national rows dropped is appended to ``log`` (if given) so the
    caller can report it: these rows are dropped deliberately, never by accident.
    """
    national = frame[column].map(is_national)
    if log is not None and national.any():
        log.append(
            f"{source or 'input'}: dropped {int(national.sum())} national-total rows ({column} = 全国)"
        )
    out = frame.loc[~national].copy()
    out["province_code"] = resolve(out[column], source=source)
    return out


def registry_frame() -> pd.DataFrame:
    """The registry as a frame, one row per province, ordered by code."""
    return pd.DataFrame([p.__dict__ for p in PROVINCES]).rename(columns={"code": "province_code"})
