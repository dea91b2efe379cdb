"""The report as a PDF through the typst package: Markdown conversion, CJK text, determinism."""

from __future__ import annotations

import pytest

from tfp_talent.errors import InputError
from tfp_talent.report.pdf import escape, inline, markdown_to_typst, write_pdf

pypdf = pytest.importorskip("pypdf")


def test_escape_sets_typst_markup_literally():
    assert escape("#a $b$ @c <d> [e] *f* _g_ `h`") == r"\#a \$b\$ \@c \<d\> \[e\] \*f\* \_g\_ \`h\`"


def test_inline_markup():
    assert inline("**bold** and *it* and `x_1`") == '#strong[bold] and #emph[it] and #raw("x_1")'
    assert inline("a <sup>2</sup> &amp; b") == "a 2 & b"
    assert inline("[PWT](https://x.org/a)") == '#link("https://x.org/a")[PWT]'


def test_pipe_table_and_lists():
    md = "# T\n\n| a | b \\| c |\n|:---|---:|\n| 1 | 2 |\n\n1. one\n2. two\n\n- x\n"
    typ = markdown_to_typst(md)
    assert "#table(columns: 2, align: (left, right,)" in typ
    assert "[#strong[b | c]]" in typ and "[1], [2]" in typ
    assert "+ one\n+ two" in typ and "- x" in typ


def _text(pdf):
    return "".join(page.extract_text() for page in pypdf.PdfReader(str(pdf)).pages)


def test_pdf_renders_cjk_and_tables_deterministically(tmp_path):
    md = tmp_path / "r.md"
    md.write_text(
        "# 人才与全要素生产率 Talent and TFP\n\nProvince 北京 (Beijing) leads.\n\n"
        "| Province | Share |\n|:---|---:|\n| 新疆 Xinjiang | 0.12 |\n",
        encoding="utf-8",
    )
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    write_pdf(md, a)
    write_pdf(md, b)
    assert a.read_bytes() == b.read_bytes()
    text = _text(a)
    if "北京" not in text:
        pytest.skip("no CJK font on this machine (install fonts-wqy-microhei); CJK rendering not checked")
    for needle in ("人才与全要素生产率", "北京", "新疆", "Xinjiang", "0.12"):
        assert needle in text


def test_missing_markdown_is_one_line_error(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        write_pdf(tmp_path / "none.md", tmp_path / "x.pdf")
