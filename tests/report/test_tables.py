"""Tables: stars, SE parentheses, statistic rows, escaping, and the three renderings.

References: the AER star convention (* p < 0.10, ** p < 0.05, *** p < 0.01,
strict); the estimates of linearmodels PanelOLS and the statistics of pandas /
scipy as independent sources of the numbers shown; pdflatex for compilation.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser

import numpy as np
import pytest
from report_sim import make_result, simulate_panel, threshold_result_dict
from scipy import stats

from tfp_talent.errors import InputError
from tfp_talent.report.data_tables import correlation_table, descriptive_table
from tfp_talent.report.regression_table import regression_table
from tfp_talent.report.render import latex_document, latex_escape, to_html, to_latex, to_markdown, write_table
from tfp_talent.report.tables import Cell, stars_for
from tfp_talent.report.threshold_table import threshold_table

THRESHOLD_RESULT = {
    "params": {"tertiary_share_r1": 0.2, "tertiary_share_r2": 0.5, "trade_gdp": 0.1},
    "std_errors": {"tertiary_share_r1": 0.1, "tertiary_share_r2": 0.1, "trade_gdp": 0.5},
    "nobs": 620,
    "thresholds": [8.5, 9.7],
    "ci": [[8.3, 8.7], [9.5, 9.9]],
    "ssr": 1.0,
    "f_stat": [25.3, 8.1],
    "p_value": [0.01, 0.3],
    "crit_values": [[10.0, 12.0, 15.0], [9.0, 11.0, 16.0]],
}


def _row(table, label):
    rows = [r for r in table.rows() if r[0] == label]
    assert rows, f"no row {label!r}"
    return rows[0]


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        (0.0099, "***"),
        (0.01, "**"),
        (0.0499, "**"),
        (0.05, "*"),
        (0.0999, "*"),
        (0.1, ""),
        (0.5, ""),
        (None, ""),
        (float("nan"), ""),
    ],
)
def test_star_thresholds_are_strict(p, expected):
    """AER convention: stars for p strictly below 0.10 / 0.05 / 0.01."""
    assert stars_for(p) == expected


def test_regression_table_cells_from_result_dicts():
    """Simulated truth: the numbers in the dicts, rounded to 3 decimals, in journal layout."""
    r1, r2 = make_result("clustered"), make_result("driscoll-kraay")
    r2["pvalues"] = dict(r2["pvalues"], tertiary_share=0.07)
    t = regression_table(
        [r1, r2],
        column_labels=["Clustered", "Driscoll–Kraay"],
        variable_labels={"tertiary_share": "Talent stock"},
        units=("Province", "Provinces", "Year"),
    )
    body = t.rows()
    assert [r[0] for r in body[:6]] == ["Talent stock", "", "avg_school_years", "", "trade_gdp", ""]
    assert body[0][1:] == ["0.512***", "0.512*"]  # p = 0.0099 vs 0.07
    assert body[1][1:] == ["(0.100)", "(0.100)"]
    assert body[2][1:] == ["-0.023*", "-0.023*"]  # p = 0.05 exactly -> one star
    assert body[3][1:] == ["(0.012)", "(0.012)"]
    assert body[4][1:] == ["0.010*", "0.010*"]  # p = 0.0999
    assert _row(t, "Observations")[1:] == ["1,234", "1,234"]
    assert _row(t, "Provinces")[1:] == ["31", "31"]
    assert _row(t, "Within R²")[1:] == ["0.457", "0.457"]
    assert _row(t, "Province fixed effects")[1:] == ["Yes", "Yes"]
    assert _row(t, "Year fixed effects")[1:] == ["Yes", "Yes"]
    assert _row(t, "Standard errors")[1:] == ["Clustered by province", "Driscoll–Kraay"]
    assert all(r[0] != "const" for r in body)  # intercept dropped by default
    assert t.header[0] == [("ln_tfp_solow", 2)]  # same dependent variable spans both columns
    assert any("* p < 0.1, ** p < 0.05, *** p < 0.01" in n for n in t.notes)


def test_regression_table_keep_order_extra_rows_and_errors():
    r = make_result()
    t = regression_table(
        [r], keep=["trade_gdp", "tertiary_share"], order=["tertiary_share"], extra_rows={"Controls": ["Yes"]}
    )
    assert [row[0] for row in t.rows()[:4:2]] == ["tertiary_share", "trade_gdp"]
    assert _row(t, "Controls")[1:] == ["Yes"]
    with pytest.raises(InputError, match="not in any result"):
        regression_table([r], keep=["nonexistent"])
    with pytest.raises(InputError, match="extra row"):
        regression_table([r], extra_rows={"Controls": ["Yes", "No"]})
    with pytest.raises(InputError, match="no 'pvalues'"):
        regression_table([{k: v for k, v in r.items() if k != "pvalues"}])
    with pytest.raises(InputError, match="column labels"):
        regression_table([r], column_labels=["a", "b"])


def test_regression_table_matches_linearmodels_estimates():
    """Independent library: linearmodels PanelOLS two-way FE, clustered by entity."""
    from linearmodels.panel import PanelOLS

    df = simulate_panel(seed=3).set_index(["province_code", "year"])
    res = PanelOLS(df["ln_tfp"], df[["talent", "control"]], entity_effects=True, time_effects=True).fit(
        cov_type="clustered", cluster_entity=True
    )
    result = {
        "params": res.params.to_dict(),
        "std_errors": res.std_errors.to_dict(),
        "pvalues": res.pvalues.to_dict(),
        "nobs": int(res.nobs),
        "n_entities": int(res.entity_info["total"]),
        "rsquared_within": float(res.rsquared_within),
        "effects": ["entity", "time"],
        "cov_type": "clustered",
        "depvar": "ln_tfp",
    }
    t = regression_table([result])
    talent = _row(t, "talent")
    assert talent[1] == f"{res.params['talent']:.3f}" + stars_for(float(res.pvalues["talent"]))
    assert t.rows()[1][1] == f"({res.std_errors['talent']:.3f})"
    assert _row(t, "Observations")[1] == f"{int(res.nobs):,}"
    assert _row(t, "Within R²")[1] == f"{res.rsquared_within:.3f}"


def test_descriptive_table_matches_pandas():
    """Reference: pandas groupby count/mean/std(ddof=1)/min/max."""
    panel = simulate_panel(seed=5)
    panel.loc[panel.index[:7], "talent"] = np.nan
    t = descriptive_table(panel, ["talent", "ln_tfp"], by="region3")
    titles = [s.title for s in t.sections]
    assert titles == ["Panel A: East", "Panel B: Central", "Panel C: West", "Panel D: All provinces"]
    east = panel.loc[panel["region3"] == "East", "talent"].dropna()
    row = t.sections[0].rows[0]
    assert row == [
        "talent",
        f"{len(east):,}",
        f"{east.mean():.3f}",
        f"{east.std():.3f}",
        f"{east.min():.3f}",
        f"{east.max():.3f}",
    ]
    allrow = t.sections[3].rows[1]
    assert allrow[1] == f"{panel['ln_tfp'].notna().sum():,}" and allrow[2] == f"{panel['ln_tfp'].mean():.3f}"
    with pytest.raises(InputError, match="not numeric"):
        descriptive_table(panel, ["region3"])
    with pytest.raises(InputError, match="missing column"):
        descriptive_table(panel, ["nope"])


def test_correlation_table_matches_scipy():
    """Reference: scipy.stats.pearsonr (r and two-sided p) on pairwise-complete rows."""
    panel = simulate_panel(seed=9)
    panel.loc[panel.index[:11], "control"] = np.nan
    t = correlation_table(panel, ["talent", "control", "ln_tfp"])
    pair = panel[["talent", "control"]].dropna()
    r, p = stats.pearsonr(pair["talent"], pair["control"])
    cell = t.sections[0].rows[1][1]
    assert isinstance(cell, Cell)
    assert cell.text == f"{r:.2f}" and cell.stars == stars_for(p)
    assert t.sections[0].rows[0][2] == ""  # upper triangle empty
    assert t.sections[0].rows[2][3].text == "1.00"


def test_threshold_table_layout_and_stars():
    """Stars on F from the bootstrap p; slope stars from the normal p of b/se (z = 2 -> p = 0.0455)."""
    t = threshold_table(
        THRESHOLD_RESULT,
        variable_labels={"tertiary_share_r1": "Talent stock × (q ≤ γ₁)"},
        threshold_label="schooling",
    )
    a, b, c = t.sections
    assert a.rows[0][0] == "Single threshold" and _plainrow(a.rows[0]) == [
        "Single threshold",
        "25.300**",
        "0.010",
        "10.000",
        "12.000",
        "15.000",
    ]
    assert _plainrow(a.rows[1])[1] == "8.100"
    assert _plainrow(b.rows[0])[:3] == ["γ₁ (schooling)", "8.500", "[8.300, 8.700]"]
    assert _plainrow(c.rows[0])[:3] == ["Talent stock × (q ≤ γ₁)", "0.200**", "(0.100)"]
    assert _plainrow(c.rows[1])[1] == "0.500***"  # z = 5
    assert _plainrow(c.rows[-1])[:2] == ["Observations", "620"]
    # dict forms: tests keyed by number, critical values keyed by level
    alt = dict(
        THRESHOLD_RESULT,
        f_stat={"1": 25.3, "2": 8.1},
        p_value={"1": 0.01, "2": 0.3},
        crit_values={"1": {"10%": 10.0, "5%": 12.0, "1%": 15.0}, "2": {"10%": 9.0, "5%": 11.0, "1%": 16.0}},
    )
    assert (
        threshold_table(
            alt, variable_labels={"tertiary_share_r1": "Talent stock × (q ≤ γ₁)"}, threshold_label="schooling"
        ).rows()
        == t.rows()
    )
    with pytest.raises(InputError, match="disagree in length"):
        threshold_table(dict(THRESHOLD_RESULT, p_value=[0.01]))
    with pytest.raises(InputError, match="confidence intervals"):
        threshold_table(dict(THRESHOLD_RESULT, ci=[[1, 2]]))


def _plainrow(row):
    return [c.text + c.stars if isinstance(c, Cell) else c for c in row]


def test_latex_escaping():
    assert latex_escape("ln_tfp & 50% #1 $x {a}") == r"ln\_tfp \& 50\% \#1 \$x \{a\}"
    assert latex_escape("Driscoll–Kraay, R², γ₁") == r"Driscoll--Kraay, R$^{2}$, $\gamma_{1}$"
    with pytest.raises(InputError, match="Chinese"):
        latex_escape("北京")
    tex = to_latex(regression_table([make_result()], notes="Sample: 50% of x_y & z"))
    assert r"50\% of x\_y \& z" in tex and "$-$0.023" in tex and "0.512$^{***}$" in tex


def _cells(line: str) -> list[str]:
    return re.split(r"(?<!\\)\|", line.strip())[1:-1]


def test_markdown_pipe_table_shape():
    """GitHub pipe table: header, separator and body rows have the same number of cells."""
    for t in (
        regression_table([make_result(), make_result("driscoll-kraay")]),
        threshold_table(THRESHOLD_RESULT),
    ):
        md = to_markdown(t)
        lines = [ln for ln in md.splitlines() if ln.startswith("|")]
        assert all(ln.endswith("|") for ln in lines)
        widths = {len(_cells(ln)) for ln in lines}
        assert widths == {t.n_data_cols + 1}
        assert re.fullmatch(r"\|:---(\|:---:)+\|", lines[1])
        assert "0.512\\*\\*\\*" in md or "25.300\\*\\*" in md  # stars escaped, not emphasis


class _Balanced(HTMLParser):
    VOID = {"br", "img", "meta", "hr", "input", "link"}

    def __init__(self):
        super().__init__()
        self.stack: list[str] = []
        self.rows: list[int] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        self.stack.append(tag)
        if tag == "tr":
            self.rows.append(0)
        if tag in ("td", "th"):
            self.rows[-1] += int(dict(attrs).get("colspan", 1))

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> (open: {self.stack[-3:]})")
        else:
            self.stack.pop()


def test_html_fragment_well_formed():
    """html.parser: every tag closed in order; every row spans the same number of columns."""
    for t in (
        regression_table([make_result(), make_result("driscoll-kraay")], notes="a < b & c"),
        threshold_table(THRESHOLD_RESULT),
    ):
        parser = _Balanced()
        parser.feed(to_html(t))
        parser.close()
        assert not parser.errors and not parser.stack
        assert set(parser.rows) == {t.n_data_cols + 1}
        assert "\n\n" not in to_html(t)  # one raw-HTML block when embedded in Markdown
    assert "a &lt; b &amp; c" in to_html(regression_table([make_result()], notes="a < b & c"))


def test_write_table_three_files_deterministic(tmp_path):
    t = regression_table([make_result()])
    paths = write_table(t, tmp_path / "baseline")
    assert [p.name for p in paths] == ["baseline.tex", "baseline.html", "baseline.md"]
    first = [p.read_bytes() for p in paths]
    write_table(t, tmp_path / "baseline")
    assert [p.read_bytes() for p in paths] == first


def _tex_engine() -> list[str] | None:
    for cmd in (
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error"],
        ["tectonic"],
        ["latexmk", "-pdf", "-interaction=nonstopmode"],
    ):
        if shutil.which(cmd[0]):
            return cmd
    return None


def test_latex_tables_compile(tmp_path):
    """Every table type compiles with only booktabs (pdflatex/tectonic/latexmk)."""
    engine = _tex_engine()
    if engine is None:
        pytest.skip("no TeX engine (pdflatex, tectonic or latexmk) on PATH; LaTeX compilation not checked")
    panel = simulate_panel()
    tables = [
        regression_table(
            [make_result(), make_result("driscoll-kraay")],
            column_labels=["Clustered", "Driscoll–Kraay"],
            notes="Controls: trade_gdp & fiscal_exp_gdp; 1%/99% winsorised.",
            title="Baseline: ln_tfp",
            label="tab:baseline",
        ),
        descriptive_table(panel, ["talent", "ln_tfp"], title="Descriptive statistics"),
        correlation_table(panel, ["talent", "control", "ln_tfp"]),
        threshold_table(THRESHOLD_RESULT, threshold_label="avg_school_years"),
    ]
    body = (
        "".join(to_latex(t) for t in tables)
        + "\\begin{center}\n"
        + to_latex(tables[0], float_env=False)
        + "\\end{center}\n"
    )
    (tmp_path / "doc.tex").write_text(latex_document(body), encoding="utf-8")
    proc = subprocess.run([*engine, "doc.tex"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert (tmp_path / "doc.pdf").exists()


def test_threshold_table_reads_estimator_output():
    """Integration: ThresholdResult.to_dict() (keyed by k) -> largest model's thresholds, CIs and slopes."""
    d = threshold_result_dict()
    t = threshold_table(d)
    a, b, c = t.sections
    assert [_plainrow(r)[0] for r in a.rows] == ["Single threshold", "Double threshold"]
    for row, k in zip(a.rows, ("1", "2"), strict=True):
        plain = _plainrow(row)
        assert plain[1] == f"{d['f_stat'][k]:.3f}" + stars_for(d["p_value"][k])
        assert plain[3:] == [f"{d['crit_values'][k][lvl]:.3f}" for lvl in ("10%", "5%", "1%")]
    assert [_plainrow(r)[1] for r in b.rows] == [f"{g:.3f}" for g in d["thresholds"]["2"]]
    lo, hi = d["ci"]["2"][1]
    assert _plainrow(b.rows[1])[2] == f"[{lo:.3f}, {hi:.3f}]"
    assert list(d["params"]) == ["control", "talent_r1", "talent_r2", "talent_r3"]
    assert [r[0] for r in c.rows[:-1]] == [
        "control",
        "talent × (q ≤ γ₁)",
        "talent × (γ₁ < q ≤ γ₂)",
        "talent × (q > γ₂)",
    ]
    no_boot = dict(d, p_value={"1": None, "2": None}, crit_values={"1": None, "2": None})
    assert _plainrow(threshold_table(no_boot).sections[0].rows[0])[2:] == ["", "", "", ""]


def test_regression_table_labels_come_from_the_data_not_provinces():
    """Defect 9 (issue 11): the builder hard-coded "Provinces" / "Province fixed effects" and showed a
    random-effects column as fixed effects."""
    fe = {
        "params": {"x": 1.0},
        "std_errors": {"x": 0.5},
        "pvalues": {"x": 0.04},
        "nobs": 100,
        "n_entities": 20,
        "effects": "twoway",
        "model": "fe",
        "cov_type": "clustered",
        "cluster": "entity",
    }
    re = {**fe, "effects": "entity", "model": "re", "cov_type": "clustered", "cluster": "both"}
    t = regression_table([fe, re], units=("Firm", "Firms", "Year"))
    assert _row(t, "Firms")[1:] == ["20", "20"]
    assert _row(t, "Firm fixed effects")[1:] == ["Yes", "No"]
    assert _row(t, "Year fixed effects")[1:] == ["Yes", "No"]
    assert _row(t, "Firm random effects")[1:] == ["No", "Yes"]
    assert _row(t, "Standard errors")[1:] == ["Clustered by firm", "Clustered by firm and year"]
    generic = regression_table([fe])
    assert _row(generic, "Entities")[1:] == ["20"]
    assert _row(generic, "Entity fixed effects")[1:] == ["Yes"]
