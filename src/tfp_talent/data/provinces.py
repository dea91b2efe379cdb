"""The 31 provincial-level divisions of mainland China and one resolver for their names.

Codes are the 6-digit GB/T 2260 administrative codes used by NBS and by DataV maps.
Three regions follow the NBS East (11) / Central (8) / West (12) split used since
the Western Development programme (2000); four regions follow NBS's 2011 split
(East 10, Central 6, West 12, Northeast 3):

* East: Beijing, Tianjin, Hebei, Shanghai, Jiangsu, Zhejiang, Fujian, Shandong, Guangdong, Hainan,
  and Liaoning (three-region East; Northeast in four regions);
* Central: Shanxi, Anhui, Jiangxi, Henan, Hubei, Hunan, and Jilin, Heilongjiang (three-region
  Central; Northeast in four regions);
* West: Inner Mongolia, Guangxi, Chongqing, Sichuan, Guizhou, Yunnan, Tibet, Shaanxi, Gansu,
  Qinghai, Ningxia, Xinjiang (the same in both splits).

Hong Kong, Macao and Taiwan (in the map file) are not in the registry. :data:`MUNICIPALITIES`
(Beijing, Tianjin, Shanghai, Chongqing) and :data:`TIBET` are the groups a specification's sample
may drop (:mod:`tfp_talent.study.sample`); Tibet also has its own deflator rule in
:mod:`tfp_talent.tfp.capital`.

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
    """One province-level unit: NBS code, Chinese full and short names, pinyin, English name, regions.

    ``code`` is the 6-digit GB/T 2260 code (110000 Beijing ... 650000 Xinjiang), equal to the NBS
    省份编码 and the DataV ``adcode``; ``name_full`` as NBS prints it (内蒙古自治区), ``name_short``
    as the yearbooks do (内蒙古); ``pinyin`` lower case without tones as in ``asset.rda``
    (``shaanxi`` 陕西 vs ``shanxi`` 山西); ``region3`` / ``region4`` the module's region labels.
    """

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
    """Strip every kind of whitespace (incl. full-width) and lower-case latin letters.

    The lookup key of :func:`resolve`: ``'北   京'`` -> ``'北京'``, ``'Inner Mongolia'`` ->
    ``'innermongolia'``; a code read as a float (``'110000.0'``) loses its ``.0``.
    """
    text = str(name).strip()
    if re.fullmatch(r"\d+\.0", text):
        text = text[:-2]
    return _SPACES.sub("", text).lower()


def _build_lookup() -> dict[str, int]:
    """Normalised spelling -> code: full, short, pinyin, English names, codes, :data:`KNOWN_VARIANTS`."""
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
    """True for the national-total rows (全国, 'national', ...), which are not provinces.

    Any spelling of :data:`NATIONAL_NAMES` after :func:`normalise_name` (全国合计, ``China``,
    ``Total``, codes 000000 and 100000). Readers drop these rows on purpose and log the count;
    the yearbook's 全国 rows are read separately to check the provincial sums.
    """
    return normalise_name(name) in NATIONAL_NAMES


def resolve(names: Iterable[object], *, source: str | None = None) -> list[int]:
    """Map province spellings to 6-digit codes; raise one error listing every unknown name.

    National-total names are not accepted here; drop them first with
    :func:`is_national` (or use :func:`resolve_frame`).

    ``names``: any mix of spellings (see the module docstring); ``source``: the file named in
    the error. Returns the codes in the order of ``names``. Raises :class:`InputError` with every
    distinct unknown name (and the hint to add a variant to :data:`KNOWN_VARIANTS`).

    Example: ``resolve(['北京市', '北   京', 'shaanxi', 'Inner Mongolia', '110000', '内蒙占'])``
    -> ``[110000, 110000, 610000, 150000, 110000, 150000]``; ``resolve(['北亰'], source='x.csv')``
    raises ``x.csv: unknown province name(s): '北亰'; known spellings are listed in ...``.
    Matching is exact after :func:`normalise_name`: no fuzzy matching, so a typo is never guessed.
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

    ``column`` holds the province spellings; the returned copy keeps the remaining rows in order
    and adds an int ``province_code``. Raises :class:`InputError` (via :func:`resolve`) for an
    unknown name.

    The log line reads e.g. ``data/raw/.../RDLaborHour.rda: dropped 70 national-total rows
    (province = 全国)``.
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
    """The registry as a frame, one row per province, ordered by code.

    Columns ``province_code, name_full, name_short, pinyin, name_en, region3, region4``
    (the fields of :class:`Province`, ``code`` renamed); 31 rows. The first reads
    ``110000, 北京市, 北京, beijing, Beijing, East, East``. The build takes its labels from here.
    """
    return pd.DataFrame([p.__dict__ for p in PROVINCES]).rename(columns={"code": "province_code"})
