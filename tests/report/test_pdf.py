"""The report as a PDF through the typst package: Markdown conversion, CJK text, determinism."""

from __future__ import annotations

import pytest

from tfp_talent.errors import InputError
from tfp_talent.report import pdf as pdf_module
from tfp_talent.report.pdf import available_font_dirs, cjk_font, escape, inline, markdown_to_typst, write_pdf

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


def test_markdown_backslash_escapes_are_the_characters_themselves():
    # CommonMark: a backslash before ASCII punctuation is that character; Typst then sets it literally
    assert inline(r"\[-0.39, 0.50\] 0.06\*\*\* w\_ij 1/\|g\|") == r"\[\-0.39, 0.50\] 0.06\*\*\* w\_ij 1\/|g|"
    assert inline(r"\`x\` `a\b`") == r"\`x\` " + '#raw("a\\\\b")'  # a code span keeps its backslash


def test_pdf_text_is_the_rendered_markdown(tmp_path):
    """What a reader of the Markdown sees (escapes resolved, emphasis dropped) is the PDF's text."""
    md = tmp_path / "r.md"
    md.write_text(
        "# Title\n\n**Table 3: Talent and TFP**\n\n| | (1) |\n|:---|:---:|\n| Stock | -1.021\\*\\*\\* |\n"
        "|  | \\[-1.457, -0.615\\] |\n\nNote: \\* p \\< 0.10; w\\_ij = d\\_ij^-2.\n",
        encoding="utf-8",
    )
    out = write_pdf(md, tmp_path / "r.pdf")
    text = _text(out)
    for needle in ("Table 3: Talent and TFP", "-1.021***", "[-1.457, -0.615]", "* p < 0.10; w_ij = d_ij^-2."):
        assert needle in text
    assert "\\" not in text


def test_pdf_renders_cjk_and_tables_deterministically(tmp_path):
    if cjk_font(available_font_dirs()) is None:
        pytest.skip("no CJK font on this machine (install fonts-wqy-microhei); CJK rendering not checked")
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
    for needle in ("人才与全要素生产率", "北京", "新疆", "Xinjiang", "0.12"):
        assert needle in text


def test_missing_markdown_is_one_line_error(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        write_pdf(tmp_path / "none.md", tmp_path / "x.pdf")


def test_chinese_text_without_a_cjk_font_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf_module, "CJK_FONTS", ("No Such CJK Font",))
    md = tmp_path / "r.md"
    md.write_text("# T\n\n北京\n", encoding="utf-8")
    with pytest.raises(InputError, match="No Such CJK Font"):
        write_pdf(md, tmp_path / "r.pdf")
    assert not (tmp_path / "r.pdf").exists()
    md.write_text("# T\n\nBeijing only\n", encoding="utf-8")  # no Chinese text: no CJK font needed
    assert write_pdf(md, tmp_path / "r.pdf").stat().st_size > 0
