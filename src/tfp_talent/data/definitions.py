"""The single definition table of the clean panel: raw sources, raw series, panel variables.

Everything the data stage knows about a variable lives here once: which raw file
and indicator it comes from (with the unit the header must state), its labels,
unit and derivation text. :mod:`tfp_talent.data.build` builds the panel from
these tables, :mod:`tfp_talent.data.codebook` renders them as the codebook, and
``workflow/rules/data.smk`` lists :func:`panel_source_paths` as the rule's inputs
(so a change to any raw file it reads re-runs the rule).

Vintage choices (one vintage per series):

* GDP, value added, GDP index, income- and expenditure-approach GDP: NBS
  provincial database as scraped for 2000-2019 (post-2018-economic-census
  vintage; identical to the ``gdp_nominal_100m_yuan_1992_2023.xlsx`` export for
  2000-2019, checked). The post-2023-census export is not used.
* Population: 总人口.csv, pre-2020-census vintage (the post-2020-census
  ``population_yearend_10k_2000_2023.xlsx`` is not used).
* Employment: NBS provincial database for urban units (2008-2019, plus 12
  provinces in 2004), private enterprises and individuals (2000-2019). The GBK
  exports (urban units 2008-2024; private + individual 2006-2019) are the same
  vintage rounded to 0.1 and are used only as a cross-check.
* R&D personnel and expenditure: China Statistical Yearbook on Science and
  Technology (techme package), 2010-2023.

The tables, from raw to panel:

* :data:`SOURCES` -- source key -> (file under ``data/raw``, reader name); the keys starting
  ``x_`` are the cross-check exports, read and compared (:data:`CROSS_CHECKS`) but never used
  to build a value;
* :data:`RAW_SERIES` -- alias -> :class:`RawSeries` (source key, indicator, the unit its header
  must state), plus :data:`USD_RATE` (national) and :data:`CROSS_CHECKS` (export series and the
  absolute tolerance of their agreement with the database, in the series' unit);
* :data:`VARIABLES` -- one :class:`Variable` per panel column, in column order
  (:data:`PANEL_COLUMNS`); :data:`POSITIVE` and :data:`SHARES` are the ranges
  :func:`tfp_talent.data.validate.validate_panel` enforces; :data:`NATIONAL_HE_ENROLMENT` is the
  one published total typed here (2019 enrolment, 3031.53 万: not in the shipped files).

Coverage of the shipped data in the 2000-2019 panel (31 provinces, 620 rows; measured in the
codebook, nothing filled): GDP, population, patents, trade, fiscal expenditure, enrolment and
graduates every year; ``labour_share`` and ``gfcf`` 2000-2017; the sample-survey shares (age
structure, attainment, ``avg_school_years``) 2002-2009 and 2011-2019 (the 2010 census year is
not in the survey tables); ``emp_urban_units`` and so ``emp_nonfarm`` 2004 (12 provinces) and
2008-2019; ``urbanisation_rate`` 2005-2019; the R&D series 2010-2019 (``rd_fte_per10k_wap``
2011-2019, its denominator missing in 2010); ``inv_price_index`` without Tibet and Guangdong 2000.

Scales: levels keep the NBS unit of their source (亿元, 万人, 人年, 万元, 项); shares are in [0, 1]
(not per cent); the per-10,000 ratios divide a count in 万人 by a population in 万人 and
multiply by 10⁴, except ``rd_fte_per10k_wap`` = 人年 / 万人, which is already per 10,000 people.

Talent measures: ``tertiary_share`` (stock: share of the 6+ population with 大专及以上) and
``avg_school_years`` (quality: sum of attainment shares x :data:`SCHOOL_YEARS`, the statutory
durations 0 / 6 / 9 / 12 and 16 years). 大专及以上 pools 2- to 3-year junior college (14-15
years) with bachelor's degrees and above (16 or more), so 16 is a rounded weight; the sample
base is the population aged 6+, which includes children still at school (hence also
``tertiary_share_15plus``).

A new variable is one :data:`VARIABLES` row (plus its :data:`RAW_SERIES` entries if it reads a
new indicator, and its formula in :func:`tfp_talent.data.build.derive_panel`); the codebook,
the rule's inputs and the checks follow from these tables.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Raw files read by the panel build, relative to ``data/raw``: key -> (path, reader).
#: Readers: ``nbs_csv`` (UTF-8 long), ``nbs_national_csv``, ``nbs_export`` (GBK/xlsx), ``yearbook_rda``.
# fmt: off
# one source file a row (wider than the line limit: the Chinese paths are kept whole)
SOURCES: dict[str, tuple[str, str]] = {
    "gdp": ("nbs-provincial-2000-2019/国民经济核算/地区生产总值.csv", "nbs_csv"),
    "gdp_index": ("nbs-provincial-2000-2019/国民经济核算/地区生产总值指数.csv", "nbs_csv"),
    "gdp_income": ("nbs-provincial-2000-2019/国民经济核算/收入法地区生产总值.csv", "nbs_csv"),
    "gdp_expenditure": ("nbs-provincial-2000-2019/国民经济核算/支出法地区生产总值.csv", "nbs_csv"),
    "population": ("nbs-provincial-2000-2019/人口/总人口.csv", "nbs_csv"),
    "survey_age": ("nbs-provincial-2000-2019/人口/人口抽样调查样本数据/人口年龄构成和抚养比(人口抽样调查).csv", "nbs_csv"),
    "survey_edu": ("nbs-provincial-2000-2019/人口/人口抽样调查样本数据/按受教育程度分人口数(人口抽样调查).csv", "nbs_csv"),
    "higher_edu": ("nbs-provincial-2000-2019/教育/高等学校普通本、专科学校和学生情况.csv", "nbs_csv"),
    "patents": ("nbs-provincial-2000-2019/科技/国内三种专利申请受理数和授权数.csv", "nbs_csv"),
    "trade": ("nbs-provincial-2000-2019/对外经济贸易/按经营单位所在地分货物进出口总额.csv", "nbs_csv"),
    "fiscal": ("nbs-provincial-2000-2019/财政/地方财政支出.csv", "nbs_csv"),
    "emp_urban_units": ("nbs-provincial-2000-2019/就业人员和工资/按行业分城镇单位就业人员.csv", "nbs_csv"),
    "emp_private": ("nbs-provincial-2000-2019/就业人员和工资/私营企业就业人员.csv", "nbs_csv"),
    "emp_individual": ("nbs-provincial-2000-2019/就业人员和工资/个体就业人员.csv", "nbs_csv"),
    "inv_price": ("nbs-provincial-2000-2019/价格指数/固定资产投资价格指数(上年=100).csv", "nbs_csv"),
    "exchange_rate": ("nbs-national-2000-2019/人民币汇率(年平均价).csv", "nbs_national_csv"),
    "rd_labour": ("science-tech-yearbook-2010-2023/RDLaborHour.rda", "yearbook_rda"),
    "rd_activity": ("science-tech-yearbook-2010-2023/RDActivity.rda", "yearbook_rda"),
    # cross-checks only (same vintage as the series above; not used to build values)
    "x_gdp_export": ("nbs-exports/gdp_nominal_100m_yuan_1992_2023.xlsx", "nbs_export"),
    "x_emp_urban_units_export": ("nbs-exports/employment_urban_units_10k_2006_2024.csv", "nbs_export"),
    "x_emp_private_individual_export": ("nbs-exports/employment_private_individual_10k_2006_2024.csv", "nbs_export"),
}
# fmt: on


@dataclass(frozen=True)
class RawSeries:
    """One indicator of one raw file, with the unit its header must state.

    Attributes
    ----------
    source
        Key of :data:`SOURCES` (the raw file).
    indicator
        The indicator as the reader's ``variable`` column holds it: the header without its unit
        suffix (NBS tables) or the yearbook's ``chn_block4`` item (合计, 研究人员).
    unit
        The unit the file must state for it (header suffix or yearbook ``units``), e.g. 亿元.
    """

    source: str
    indicator: str
    unit: str

    @property
    def path(self) -> str:
        """The raw file's path relative to ``data/raw``."""
        return SOURCES[self.source][0]

    @property
    def header(self) -> str:
        """The header the raw file is expected to carry: ``indicator(unit)``, e.g. 地区生产总值(亿元)."""
        return f"{self.indicator}({self.unit})"


_SURVEY_EDU = "6岁及6岁以上{}人口数(人口抽样调查)"

#: Raw series by alias (the names the derivations in build.py use).
RAW_SERIES: dict[str, RawSeries] = {
    "gdp_nominal": RawSeries("gdp", "地区生产总值", "亿元"),
    "va_tertiary": RawSeries("gdp", "第三产业增加值", "亿元"),
    "gdp_index": RawSeries("gdp_index", "地区生产总值指数", "上年=100"),
    "gdp_income": RawSeries("gdp_income", "收入法生产总值", "亿元"),
    "labour_compensation": RawSeries("gdp_income", "劳动者报酬", "亿元"),
    "gfcf": RawSeries("gdp_expenditure", "固定资本形成总额", "亿元"),
    "pop_yearend": RawSeries("population", "年末常住人口", "万人"),
    "pop_urban": RawSeries("population", "城镇人口", "万人"),
    "survey_pop": RawSeries("survey_age", "人口数(人口抽样调查)", "人"),
    "survey_15_64": RawSeries("survey_age", "15-64岁人口数(人口抽样调查)", "人"),
    "survey_0_14": RawSeries("survey_age", "0-14岁人口数(人口抽样调查)", "人"),
    "survey_pop6": RawSeries("survey_edu", _SURVEY_EDU.format(""), "人"),
    "survey_none": RawSeries("survey_edu", _SURVEY_EDU.format("未上过学"), "人"),
    "survey_primary": RawSeries("survey_edu", _SURVEY_EDU.format("小学"), "人"),
    "survey_junior": RawSeries("survey_edu", _SURVEY_EDU.format("初中"), "人"),
    "survey_senior": RawSeries("survey_edu", _SURVEY_EDU.format("高中"), "人"),
    "survey_tertiary": RawSeries("survey_edu", _SURVEY_EDU.format("大专及以上"), "人"),
    "he_enrolment": RawSeries("higher_edu", "普通高等学校在校学生数", "万人"),
    "he_graduates": RawSeries("higher_edu", "普通高等学校毕(结)业生数", "万人"),
    "he_expected_grad_ug": RawSeries("higher_edu", "普通高等学校本科预计毕业生数", "万人"),
    "he_expected_grad_jc": RawSeries("higher_edu", "普通高等学校专科预计毕业生数", "万人"),
    "patents_granted": RawSeries("patents", "国内专利申请授权量", "项"),
    "trade_usd": RawSeries("trade", "经营单位所在地进出口总额", "千美元"),
    "fiscal_exp": RawSeries("fiscal", "地方财政一般预算支出", "亿元"),
    "emp_urban_units": RawSeries("emp_urban_units", "城镇单位就业人员", "万人"),
    "emp_private": RawSeries("emp_private", "私营企业就业人数", "万人"),
    "emp_individual": RawSeries("emp_individual", "个体就业人数", "万人"),
    "inv_price_index": RawSeries("inv_price", "固定资产投资价格指数", "上年=100"),
    "rd_fte": RawSeries("rd_labour", "合计", "人年"),
    "rd_researchers_fte": RawSeries("rd_labour", "研究人员", "人年"),
    "rd_expenditure": RawSeries("rd_activity", "合计", "万元"),
}

#: National series (no province): the exchange rate, yuan per 100 US dollars.
USD_RATE = RawSeries("exchange_rate", "人民币对美元汇率", "美元=100")

#: Cross-check series from the NBS web exports: alias -> (export series, panel alias or sum of aliases).
CROSS_CHECKS: dict[str, tuple[RawSeries, tuple[str, ...], float]] = {
    "gdp_nominal": (RawSeries("x_gdp_export", "地区生产总值", "亿元"), ("gdp_nominal",), 0.05),
    "emp_urban_units": (
        RawSeries("x_emp_urban_units_export", "城镇单位就业人员", "万人"),
        ("emp_urban_units",),
        0.05,
    ),
    "emp_private_individual": (
        RawSeries("x_emp_private_individual_export", "私营企业和个体就业人员", "万人"),
        ("emp_private", "emp_individual"),
        0.051,
    ),
}

#: Published national total used in validation: regular higher-education enrolment 2019, 万人.
#: The NBS national figure for 2019 (3031.5 万 in the 2019 Statistical Communiqué; 3031.53 万 as
#: quoted in the project's foundation issue). Not in the shipped raw files (no 全国 row).
NATIONAL_HE_ENROLMENT = {2019: 3031.53}

#: Survey-share variables that data.impute_survey_gaps may interpolate, and the variables derived from them.
SURVEY_SHARES: tuple[str, ...] = (
    "working_age_share",
    "edu_none_share",
    "edu_primary_share",
    "edu_junior_share",
    "edu_senior_share",
    "edu_tertiary_share",
    "tertiary_share_15plus",
)
IMPUTATION_DEPENDENTS: dict[str, tuple[str, ...]] = {
    "tertiary_share": ("edu_tertiary_share",),
    "avg_school_years": (
        "edu_none_share",
        "edu_primary_share",
        "edu_junior_share",
        "edu_senior_share",
        "edu_tertiary_share",
    ),
    "working_age_pop": ("working_age_share",),
    "rd_fte_per10k_wap": ("working_age_share",),
}

#: Years of schooling by attainment (Barro-Lee style weights used in the Chinese literature).
SCHOOL_YEARS: dict[str, int] = {
    "edu_none_share": 0,
    "edu_primary_share": 6,
    "edu_junior_share": 9,
    "edu_senior_share": 12,
    "edu_tertiary_share": 16,
}


@dataclass(frozen=True)
class Variable:
    """One column of ``data/processed/panel.parquet``, as the codebook shows it.

    Attributes
    ----------
    name
        Column name in the panel.
    label_en, label_zh
        English and Chinese labels.
    unit
        Unit of the values (``share`` for 0-1 shares, ``ratio``, ``years``, or the NBS unit).
    inputs
        :data:`RAW_SERIES` aliases the column is built from; ``'registry'`` (province registry) and
        ``'usd_rate'`` (:data:`USD_RATE`) stand for the two inputs that are not raw series.
    derivation
        The formula in words, as the codebook prints it.
    kind
        ``key``, ``label``, ``level`` (default), ``share`` (checked in [0, 1]; labour_share in
        (0, 1)), ``index`` or ``ratio``.
    """

    name: str
    label_en: str
    label_zh: str
    unit: str
    inputs: tuple[str, ...]  # RAW_SERIES aliases (or 'registry', 'usd_rate')
    derivation: str
    kind: str = "level"  # key | label | level | share | index | ratio


_EDU = "share of the 6+ sample population (人口抽样调查, 1‰; 1% in 2005/2015) whose highest attainment is {}; {} / (sum of the five attainment counts); survey tables empty for 2000, 2001, 2010"

# fmt: off
# one variable a row, as in the codebook (data/processed/codebook.csv)
VARIABLES: tuple[Variable, ...] = (
    Variable("province_code", "Province code (GB/T 2260)", "省份编码", "", ("registry",), "6-digit code from tfp_talent.data.provinces", "key"),
    Variable("year", "Year", "年份", "", ("registry",), "calendar year, config years.start..years.end", "key"),
    Variable("province", "Province (short name)", "省份", "", ("registry",), "short Chinese name from the registry", "label"),
    Variable("province_en", "Province (English)", "省份(英文)", "", ("registry",), "English name from the registry", "label"),
    Variable("region3", "NBS three-region label", "三大地区", "", ("registry",), "East (11) / Central (8) / West (12)", "label"),
    Variable("region4", "NBS four-region label", "四大地区", "", ("registry",), "East (10) / Central (6) / West (12) / Northeast (3)", "label"),
    Variable("gdp_nominal", "Nominal GDP", "地区生产总值", "亿元", ("gdp_nominal",), "as published (post-2018-census vintage)"),
    Variable("gdp_index", "GDP index, previous year = 100", "地区生产总值指数(上年=100)", "上年=100", ("gdp_index",), "as published; stops in 2019", "index"),
    Variable("gdp_real", "Real GDP at constant prices of years.start", "实际地区生产总值(基期价格)", "亿元 (base-year prices)", ("gdp_nominal", "gdp_index"), "gdp_nominal[base] x prod_{s=base+1..t} gdp_index[s]/100, base = years.start; NaN after the last published index (2019)"),
    Variable("gdp_deflator", "GDP deflator (base year = 1)", "地区生产总值平减指数", "base year = 1", ("gdp_nominal", "gdp_index"), "gdp_nominal / gdp_real", "index"),
    Variable("pop_yearend", "Year-end resident population", "年末常住人口", "万人", ("pop_yearend",), "as published, pre-2020-census vintage (总人口.csv)"),
    Variable("working_age_share", "Share of population aged 15-64 (sample survey)", "15-64岁人口比重(抽样调查)", "share", ("survey_15_64", "survey_pop"), "15-64岁人口数 / 人口数 of the population sample survey (sample counts, so shares only); empty 2000, 2001, 2010", "share"),
    Variable("working_age_pop", "Working-age population 15-64", "15-64岁人口", "万人", ("survey_15_64", "survey_pop", "pop_yearend"), "working_age_share x pop_yearend"),
    Variable("emp_urban_units", "Employment in urban units", "城镇单位就业人员", "万人", ("emp_urban_units",), "as published; 2008-2019 for all provinces, 2004 for 12 provinces; excludes private units"),
    Variable("emp_private", "Private-enterprise employment", "私营企业就业人数", "万人", ("emp_private",), "as published (urban + rural); Beijing 2000-2001 values look out of scope (see log)"),
    Variable("emp_individual", "Individual (self-employed) employment", "个体就业人数", "万人", ("emp_individual",), "as published (urban + rural)"),
    Variable("emp_nonfarm", "Non-farm employment proxy", "非农就业代理变量", "万人", ("emp_urban_units", "emp_private", "emp_individual"), "emp_urban_units + emp_private + emp_individual; NaN where any part is missing; a proxy, not total employment (就业人员), which the shipped data lack"),
    Variable("labour_share", "Labour compensation share of income-approach GDP", "劳动者报酬占收入法GDP比重", "share", ("labour_compensation", "gdp_income"), "劳动者报酬 / 收入法生产总值; published 2000-2017", "share"),
    Variable("gfcf", "Gross fixed capital formation (expenditure approach)", "固定资本形成总额", "亿元", ("gfcf",), "as published; 2000-2017"),
    Variable("inv_price_index", "Fixed-asset investment price index, previous year = 100", "固定资产投资价格指数(上年=100)", "上年=100", ("inv_price_index",), "as published (Tibet not published; Guangdong missing in 2000)", "index"),
    Variable("edu_none_share", "Share with no schooling (6+)", "未上过学人口比重", "share", ("survey_none", "survey_primary", "survey_junior", "survey_senior", "survey_tertiary"), _EDU.format("none (未上过学)", "未上过学"), "share"),
    Variable("edu_primary_share", "Share with primary schooling (6+)", "小学人口比重", "share", ("survey_none", "survey_primary", "survey_junior", "survey_senior", "survey_tertiary"), _EDU.format("primary (小学)", "小学"), "share"),
    Variable("edu_junior_share", "Share with junior secondary schooling (6+)", "初中人口比重", "share", ("survey_none", "survey_primary", "survey_junior", "survey_senior", "survey_tertiary"), _EDU.format("junior secondary (初中)", "初中"), "share"),
    Variable("edu_senior_share", "Share with senior secondary schooling (6+)", "高中人口比重", "share", ("survey_none", "survey_primary", "survey_junior", "survey_senior", "survey_tertiary"), _EDU.format("senior secondary (高中)", "高中"), "share"),
    Variable("edu_tertiary_share", "Share with tertiary education (6+)", "大专及以上人口比重", "share", ("survey_none", "survey_primary", "survey_junior", "survey_senior", "survey_tertiary"), _EDU.format("college or above (大专及以上)", "大专及以上"), "share"),
    Variable("tertiary_share", "Talent stock: tertiary-educated share (6+)", "人才存量:大专及以上人口比重", "share", ("survey_none", "survey_primary", "survey_junior", "survey_senior", "survey_tertiary"), "= edu_tertiary_share", "share"),
    Variable("avg_school_years", "Talent quality: average years of schooling (6+)", "人才质量:平均受教育年限", "years", ("survey_none", "survey_primary", "survey_junior", "survey_senior", "survey_tertiary"), "sum of share x years with none 0, primary 6, junior 9, senior 12, tertiary 16"),
    Variable("tertiary_share_15plus", "Talent stock: tertiary-educated share of the population aged 15+", "人才存量:15岁及以上人口中大专及以上比重", "share", ("survey_tertiary", "survey_pop", "survey_0_14"), "6岁及6岁以上大专及以上人口数 / (人口数 - 0-14岁人口数) of the same population sample survey; exact on the 15+ base if nobody aged 6-14 has tertiary attainment; the survey tables do not cross attainment with age, so a 15-64 or 25-64 base cannot be built; empty 2000, 2001, 2010", "share"),
    Variable("he_enrolment_per10k", "Regular higher-education enrolment per 10,000 people", "每万人普通高等学校在校学生数", "per 10,000 people", ("he_enrolment", "pop_yearend"), "普通高等学校在校学生数(万人) / pop_yearend(万人) x 10,000", "ratio"),
    Variable("he_graduates_per10k", "Regular higher-education graduates per 10,000 people", "每万人普通高等学校毕(结)业生数", "per 10,000 people", ("he_graduates", "pop_yearend"), "普通高等学校毕(结)业生数(万人) / pop_yearend(万人) x 10,000; totals only (the Beijing 2012 undergraduate/junior-college split of expected graduates is swapped in the source, totals unaffected)", "ratio"),
    Variable("rd_fte", "R&D personnel full-time equivalent", "R&D人员全时当量", "人年", ("rd_fte",), "S&T Yearbook RDLaborHour 合计; 2010+"),
    Variable("rd_researchers_fte", "R&D researchers full-time equivalent", "R&D研究人员全时当量", "人年", ("rd_researchers_fte",), "S&T Yearbook RDLaborHour 研究人员; 2010+"),
    Variable("rd_fte_per10k_wap", "R&D personnel FTE per 10,000 working-age people", "每万名劳动年龄人口R&D人员全时当量", "人年 per 10,000 people 15-64", ("rd_fte", "survey_15_64", "survey_pop", "pop_yearend"), "rd_fte / working_age_pop(万人)", "ratio"),
    Variable("researcher_share", "Researchers' share of R&D personnel FTE", "研究人员占R&D人员全时当量比重", "share", ("rd_researchers_fte", "rd_fte"), "rd_researchers_fte / rd_fte", "share"),
    Variable("rd_expenditure", "Intramural R&D expenditure", "R&D经费内部支出", "万元", ("rd_expenditure",), "S&T Yearbook RDActivity 合计; 2010+"),
    Variable("patents_granted", "Domestic patents granted", "国内专利申请授权量", "项", ("patents_granted",), "as published (invention + utility model + design)"),
    Variable("trade_gdp", "Trade openness: goods imports + exports / GDP", "进出口总额占GDP比重", "ratio", ("trade_usd", "usd_rate", "gdp_nominal"), "经营单位所在地进出口总额(千美元) x 1000 x (人民币对美元汇率 / 100) / (gdp_nominal x 1e8); annual-average rate, yuan per 100 USD", "ratio"),
    Variable("fiscal_exp_gdp", "Local general budget expenditure / GDP", "地方财政一般预算支出占GDP比重", "ratio", ("fiscal_exp", "gdp_nominal"), "地方财政一般预算支出(亿元) / gdp_nominal(亿元)", "ratio"),
    Variable("tertiary_va_share", "Tertiary-sector value added / GDP", "第三产业增加值占GDP比重", "share", ("va_tertiary", "gdp_nominal"), "第三产业增加值 / 地区生产总值", "share"),
    Variable("urbanisation_rate", "Urbanisation rate", "城镇化率", "share", ("pop_urban", "pop_yearend"), "城镇人口 / 年末常住人口; urban population published from 2005 (some values carry long decimals, kept as published)", "share"),
)
# fmt: on

PANEL_COLUMNS: tuple[str, ...] = tuple(v.name for v in VARIABLES)
KEYS: tuple[str, str] = ("province_code", "year")

#: Variables that must be strictly positive where present (logs are taken of them downstream).
POSITIVE: tuple[str, ...] = (
    "gdp_nominal",
    "gdp_index",
    "gdp_real",
    "gdp_deflator",
    "pop_yearend",
    "working_age_pop",
    "emp_urban_units",
    "emp_private",
    "emp_individual",
    "emp_nonfarm",
    "gfcf",
    "inv_price_index",
    "avg_school_years",
    "he_enrolment_per10k",
    "he_graduates_per10k",
    "rd_fte",
    "rd_researchers_fte",
    "rd_fte_per10k_wap",
    "rd_expenditure",
    "patents_granted",
    "trade_gdp",
    "fiscal_exp_gdp",
)
SHARES: tuple[str, ...] = tuple(v.name for v in VARIABLES if v.kind == "share")


def variable(name: str) -> Variable:
    """The definition of panel column ``name`` (a :class:`Variable`); KeyError if there is none.

    E.g. ``variable('trade_gdp').inputs`` is ``('trade_usd', 'usd_rate', 'gdp_nominal')``.
    """
    for v in VARIABLES:
        if v.name == name:
            return v
    raise KeyError(name)


def source_paths(var: Variable) -> list[str]:
    """Raw files (relative to data/raw) a panel variable is built from, in definition order.

    Each file once; ``'registry'`` adds none and ``'usd_rate'`` adds the exchange-rate table. E.g.
    ``trade_gdp`` -> the trade table, the exchange-rate table and 地区生产总值.csv. An empty list
    means the column comes from :mod:`tfp_talent.data.provinces` only.
    """
    paths: list[str] = []
    for alias in var.inputs:
        if alias == "registry":
            continue
        series = USD_RATE if alias == "usd_rate" else RAW_SERIES[alias]
        if series.path not in paths:
            paths.append(series.path)
    return paths


def panel_source_paths() -> list[str]:
    """Every raw file the panel build reads (relative to data/raw), sorted; the rule's inputs.

    All of :data:`SOURCES`, the cross-check exports included: they are read (and checked) too.
    """
    return sorted(path for path, _ in SOURCES.values())
