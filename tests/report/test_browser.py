"""The browser check of the HTML report (headless Chromium through Playwright) on small pages with
known defects: each defect is found, and a clean page passes."""

from __future__ import annotations

import pytest

from tfp_talent.report.browser import check_report_page, chromium_path

pytest.importorskip("playwright")
if chromium_path() is None:
    pytest.skip(
        "Chromium is not installed (Debian package 'chromium'; .ci/run installs it)", allow_module_level=True
    )

PNG_1PX = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="


def _page(tmp_path, body: str) -> str:
    path = tmp_path / "page.html"
    path.write_text(
        f"<!doctype html><html><head><meta charset='utf-8'></head><body>{body}</body></html>",
        encoding="utf-8",
    )
    return str(path)


def test_clean_page_passes(tmp_path):
    html = _page(
        tmp_path,
        f"<p>As Table 1 and Figure 1 show.</p><table><caption>Table 1. Results</caption><tr><td>1</td></tr></table>"
        f"<figure><img src='{PNG_1PX}'><figcaption>Figure 1. A dot</figcaption></figure>",
    )
    shot = tmp_path / "shot.png"
    c = check_report_page(html, width=1280, screenshot=shot)
    assert not c.overflows and c.console_errors == [] and c.broken_images == []
    assert c.labels == ["Table 1", "Figure 1"] and c.unreferenced == []
    assert shot.stat().st_size > 0


def test_defects_are_found(tmp_path):
    html = _page(
        tmp_path,
        "<table><caption>Table 1. Wide</caption><tr><td style='min-width:3000px'>x</td></tr></table>"
        "<figure><img src='missing.png'><figcaption>Figure 1. Broken</figcaption></figure>"
        "<script>console.error('boom')</script>",
    )
    c = check_report_page(html, width=1280)
    assert c.overflows and c.scroll_width > 1280
    assert c.broken_images == ["missing.png"]
    assert any("boom" in e for e in c.console_errors)
    assert c.unreferenced == ["Table 1", "Figure 1"]


def test_table_1_is_not_referenced_by_table_12(tmp_path):
    """Whole-label references: the text cites Table 12 only, so Table 1 is reported unreferenced."""
    tables = "".join(
        f"<table><caption>Table {n}: Results {n}</caption><tr><td>{n}</td></tr></table>" for n in (1, 12)
    )
    html = _page(tmp_path, f"<p>Table 12 gives the robustness checks.</p>{tables}")
    c = check_report_page(html, width=1280)
    assert c.labels == ["Table 1", "Table 12"]
    assert c.unreferenced == ["Table 1"]


def test_table_wider_than_the_column_is_found_inside_a_scroll_container(tmp_path):
    # the page itself does not overflow (the scroll container absorbs it), but the reader must scroll
    html = _page(
        tmp_path,
        "<main style='max-width:600px;margin:0 auto;padding:0 20px'><p>Table 1 and Table 2.</p>"
        "<div style='overflow-x:auto'><table><caption>Table 1. Wide</caption>"
        "<tr><td style='min-width:900px'>x</td></tr></table></div>"
        "<table><caption>Table 2. Narrow</caption><tr><td>y</td></tr></table></main>",
    )
    c = check_report_page(html, width=1280)
    assert not c.overflows and c.scroll_width == 1280
    assert c.column_width == 600
    assert len(c.wide_elements) == 1 and c.wide_elements[0].startswith("Table 1. Wide")
    assert c.problems() == [f"wider than the 600 px text column: {c.wide_elements[0]}"]


def test_a_reference_to_table_12_is_not_one_to_table_1(tmp_path):
    html = _page(
        tmp_path,
        "<p>See Table 12 and Figure 10.</p>"
        + "".join(f"<table><caption>Table {i}. T</caption><tr><td>1</td></tr></table>" for i in (1, 12))
        + f"<figure><img src='{PNG_1PX}'><figcaption>Figure 1. F</figcaption></figure>"
        + f"<figure><img src='{PNG_1PX}'><figcaption>Figure 10. G</figcaption></figure>",
    )
    c = check_report_page(html, width=1280)
    assert c.labels == ["Table 1", "Table 12", "Figure 1", "Figure 10"]
    assert c.unreferenced == ["Table 1", "Figure 1"]
    assert c.problems() == [
        "Table 1 is never referenced in the text",
        "Figure 1 is never referenced in the text",
    ]


def _wide_report_tables():
    """Two tables shaped like the report's widest: nine estimate columns, and one of prose cells."""
    from tfp_talent.report.tables import Cell, Section, Table

    names = ["Baseline", "No municipalities", "No Tibet", "Winsorised", "alpha = 0.5", "delta = 0.05"]
    names += ["Non-farm labour", "TFP with h", "2005-2019"]
    header = [[("ln TFP (Solow)", 9)], [(f"({i})", 1) for i in range(1, 10)], [(n, 1) for n in names]]
    est = [
        ["Talent stock (tertiary share)", *(Cell("-0.598", "***") for _ in names)],
        ["", *("[-1.651, 0.731]" for _ in names)],
        ["Standard errors", *("Clustered (province)" for _ in names)],
        ["Years", *("2002–2009, 2011–2019" for _ in names)],
    ]
    prose = [
        [
            "Talent stock raises TFP",
            "Talent stock (tertiary share) × within-province SD, Baseline",
            "-2.39% [-6.60%, 2.92%]",
            "p = 0.266 (wild cluster bootstrap, Webb weights, 9,999 reps)",
            "inconclusive",
        ]
    ] * 3
    return {
        "wide": Table(
            "Table 1: Robustness", header, [Section(est)], notes=["Standard errors in parentheses."]
        ),
        "prose": Table(
            "Table 2: Hypotheses and verdicts",
            [[("Evidence", 1), ("Estimate [95% CI]", 1), ("p-value (inference)", 1), ("Verdict", 1)]],
            [Section(prose)],
            stub_header="Claim",
        ),
    }


def test_report_css_keeps_wide_tables_inside_the_text_column(tmp_path):
    from tfp_talent.report.document import render_html

    page = render_html(
        "# Study\n\nTable 1 and Table 2 report it.\n\n$table_wide\n\n$table_prose\n",
        {},
        tables=_wide_report_tables(),
        figures={},
        title="Study",
    )
    path = tmp_path / "report.html"
    path.write_text(page, encoding="utf-8")
    c = check_report_page(path, width=1280)
    assert c.labels == ["Table 1", "Table 2"]
    assert c.problems() == [] and c.column_width > 700
    # the same tables with cells that may not wrap do not fit: the wrapping is what keeps them inside
    unwrapped = tmp_path / "unwrapped.html"
    unwrapped.write_text(page.replace("</head>", "<style>td,th{white-space:nowrap!important}</style></head>"))
    assert len(check_report_page(unwrapped, width=1280).wide_elements) == 2
