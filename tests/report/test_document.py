"""Report assembly: placeholders, tables and figures in Markdown and self-contained HTML; hole checks.

References: importlib.metadata and hashlib (reproducibility facts), html.parser
(well-formedness), base64 round trip of the embedded PNG bytes.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import re
from html.parser import HTMLParser
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
from report_sim import make_result

from tfp_talent.errors import InputError
from tfp_talent.report.document import (
    FigureRef,
    check_report,
    checksums_markdown,
    describe_coef,
    flatten_numbers,
    render_html,
    render_markdown,
    reproducibility_info,
    reproducibility_markdown,
    template_fields,
    write_report,
)
from tfp_talent.report.figures import coef_plot
from tfp_talent.report.regression_table import regression_table
from tfp_talent.report.style import save_figure

TEMPLATE = Path(__file__).resolve().parents[2] / "reports" / "templates" / "report.md.tmpl"

MINI = """# Study

The talent-stock coefficient is $coef (N = $results__baseline__nobs); costs are $$5.

$table_baseline

$figure_coef
"""


@pytest.fixture(scope="module")
def figure_png(tmp_path_factory) -> Path:
    fig = coef_plot([make_result()], "tertiary_share", labels=["Baseline"])
    return save_figure(fig, tmp_path_factory.mktemp("figs") / "figures" / "coef", formats=("png",))[0]


def _context():
    results = {"baseline": make_result()}
    ctx = flatten_numbers(results, "results")
    ctx["coef"] = describe_coef(results["baseline"], "tertiary_share")
    return ctx


def test_flatten_numbers_and_describe_coef():
    flat = flatten_numbers(
        {"a": {"b": 0.123456, "n": 1234, "none": None, "lst": [1.5, float("nan")], "10%": 2.0}}, "r"
    )
    assert flat == {
        "r__a__b": "0.123",
        "r__a__n": "1,234",
        "r__a__none": "nan",
        "r__a__lst__0": "1.500",
        "r__a__lst__1": "nan",
        "r__a__10_": "2.000",
    }
    assert describe_coef(make_result(), "tertiary_share") == "0.512 (SE 0.100; p = 0.010, significant at 1%)"
    assert describe_coef(make_result(), "avg_school_years").endswith("significant at 10%)")
    with pytest.raises(InputError, match="no estimate"):
        describe_coef(make_result(), "nope")


def test_markdown_report_filled(tmp_path, figure_png):
    tables = {"baseline": regression_table([make_result()])}
    md = render_markdown(
        MINI,
        _context(),
        tables=tables,
        figures={"coef": FigureRef(figure_png, "Coefficients")},
        base_dir=figure_png.parents[1],
    )
    check_report(md)
    assert (
        "0.512 (SE 0.100; p = 0.010, significant at 1%)" in md and "N = 1,234" in md and "costs are $5." in md
    )
    assert "![Coefficients](figures/coef.png)" in md and "*Figure 1: Coefficients*" in md
    assert "| tertiary\\_share | 0.512\\*\\*\\* |" in md


class _Doc(HTMLParser):
    VOID = {"br", "img", "meta", "hr", "input", "link", "col"}

    def __init__(self):
        super().__init__()
        self.stack, self.errors, self.imgs = [], [], []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.imgs.append(dict(attrs)["src"])
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in self.VOID:
            return
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        else:
            self.errors.append(tag)


def test_html_report_self_contained(figure_png):
    tables = {"baseline": regression_table([make_result()])}
    page = render_html(
        MINI,
        _context(),
        tables=tables,
        figures={"coef": FigureRef(figure_png, "Coefficients")},
        title="Study",
    )
    check_report(page)
    parser = _Doc()
    parser.feed(page)
    assert not parser.errors and not parser.stack
    assert len(parser.imgs) == 1
    prefix = "data:image/png;base64,"
    assert parser.imgs[0].startswith(prefix)
    assert base64.b64decode(parser.imgs[0][len(prefix) :]) == figure_png.read_bytes()
    assert '<table class="tfp-table">' in page and "<sup>***</sup>" in page
    assert not re.search(r"https?://", page)


@pytest.mark.parametrize(
    "bad",
    [
        "value $coef here",
        "value ${coef} here",
        "TODO: write",
        "p = nan",
        "b = -inf",
        "N = None",
        "{{ x }}",
        "| 0.1 | nan |",
    ],
)
def test_check_report_flags_holes(bad):
    with pytest.raises(InputError, match="report is incomplete"):
        check_report(f"# R\n\n{bad}\n")


@pytest.mark.parametrize(
    "ok",
    [
        "costs US$5",
        "information and inflation in Nanjing",
        "None of the provinces",
        "Finance",
        "$\\alpha$ = 0.4",
        '<img src="data:image/png;base64,nan+nan/inf==">',
    ],
)
def test_check_report_accepts_clean_text(ok):
    check_report(f"# R\n\n{ok}\n")


def test_check_report_html_must_not_load_resources():
    with pytest.raises(InputError, match="not embedded"):
        check_report('<html><body><img src="figures/a.png"></body></html>')
    with pytest.raises(InputError, match="external resource"):
        check_report('<html><head><script src="data:x"></script></head></html>')


def test_missing_context_lists_every_missing_name():
    with pytest.raises(InputError, match="table_baseline, figure_coef"):
        render_markdown(MINI, _context())
    with pytest.raises(InputError, match="invalid placeholder"):
        render_markdown("cost $ 5", {})


def test_reproducibility_facts(tmp_path):
    cfg = tmp_path / "config.yaml"
    cfg.write_text("seed: 1\n", encoding="utf-8")
    info = reproducibility_info(config_path=cfg, seed=20241126, run_seconds=12.34)
    assert info["config_sha256"] == hashlib.sha256(b"seed: 1\n").hexdigest()
    for name in (
        "numpy",
        "pandas",
        "scipy",
        "statsmodels",
        "linearmodels",
        "pyfixest",
        "snakemake",
        "matplotlib",
    ):
        assert info["packages"][name] == importlib.metadata.version(name)
    md = reproducibility_markdown(info)
    assert info["config_sha256"] in md and "20241126" in md and "12.3 s" in md
    assert f"| pyfixest | {importlib.metadata.version('pyfixest')} |" in md


def test_checksums_markdown(tmp_path):
    sums = tmp_path / "SHA256SUMS"
    sums.write_text(f"{'a' * 64}  geo/x.json\n", encoding="utf-8")
    assert f"| `data/raw/geo/x.json` | `{'a' * 64}` |" in checksums_markdown(sums)
    sums.write_text("garbage\n", encoding="utf-8")
    with pytest.raises(InputError, match="sha256sum"):
        checksums_markdown(sums)


def test_write_report_checks_before_writing(tmp_path, figure_png):
    tpl = tmp_path / "t.md.tmpl"
    tpl.write_text(MINI, encoding="utf-8")
    md, page = tmp_path / "out" / "report.md", tmp_path / "out" / "report.html"
    kwargs = {
        "tables": {"baseline": regression_table([make_result()])},
        "figures": {"coef": FigureRef(figure_png, "Coefficients")},
    }
    write_report(tpl, _context(), md_path=md, html_path=page, **kwargs)
    before = (md.read_bytes(), page.read_bytes())
    write_report(tpl, _context(), md_path=md, html_path=page, **kwargs)
    assert (md.read_bytes(), page.read_bytes()) == before  # deterministic
    bad = dict(_context(), coef="nan")
    with pytest.raises(InputError, match="missing number"):
        write_report(tpl, bad, md_path=md, html_path=page, **kwargs)
    assert (md.read_bytes(), page.read_bytes()) == before  # untouched


def test_shipped_template_renders_without_holes(tmp_path, figure_png):
    """Every placeholder of reports/templates/report.md.tmpl can be filled; no TODO or stray '$' in it."""
    text = TEMPLATE.read_text(encoding="utf-8")
    fields = template_fields(text)
    tables = {f[len("table_") :]: regression_table([make_result()]) for f in fields if f.startswith("table_")}
    figures = {f[len("figure_") :]: FigureRef(figure_png, f) for f in fields if f.startswith("figure_")}
    context = {f: "1.000" for f in fields if not f.startswith(("table_", "figure_"))}
    md = render_markdown(text, context, tables=tables, figures=figures, base_dir=tmp_path)
    check_report(md)
    check_report(render_html(text, context, tables=tables, figures=figures))
    assert {"table_baseline", "table_threshold", "figure_threshold_lr", "reproducibility"} <= set(fields)
    plt.close("all")
