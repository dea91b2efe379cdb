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
