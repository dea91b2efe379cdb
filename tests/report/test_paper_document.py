"""The paper's structure (tfp_talent.report.document): tables and figures numbered in order of first
appearance in the template, ``$ref_table_x`` / ``$ref_figure_x`` resolved to "Table n" / "Figure n",
unknown references refused; sections numbered; and the appendix material (tfp_talent.report.appendix):
the codebook table and the folded checksum block.

References: the numbers are counted by hand from the templates written here; the codebook's coverage
is counted by hand on a four-row panel; HTML structure is read back with html.parser.
"""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser
from pathlib import Path

import multimark
import numpy as np
import pandas as pd
import pytest

from tfp_talent.data.codebook import build_codebook
from tfp_talent.errors import InputError
from tfp_talent.report.appendix import CODEBOOK_COLUMNS, codebook_table, details_block
from tfp_talent.report.document import (
    FigureRef,
    check_report,
    float_numbers,
    number_sections,
    render_html,
    render_markdown,
)
from tfp_talent.report.render import to_markdown
from tfp_talent.report.tables import Section, Table

PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)

# refs before and after their floats; table b first referenced before table a appears, but numbered by
# the position of $table_<name>: a = 1 (first), b = 2; figures y = 1, x = 2.
TEMPLATE = """# Paper

## Introduction

$ref_table_b lists the regions and $ref_figure_x maps them.

$table_a

Some text, then $ref_table_a again and $ref_figure_y.

$figure_y

$table_b

$figure_x

## Appendix: Extra
"""


def _table(title: str) -> Table:
    return Table(title=title, header=[[("(1)", 1)]], sections=[Section(rows=[["x", "1.000"]])])


@pytest.fixture
def floats(tmp_path):
    paths = {}
    for name in ("x", "y"):
        paths[name] = tmp_path / "figures" / f"{name}.png"
        paths[name].parent.mkdir(exist_ok=True)
        paths[name].write_bytes(PNG_1PX)
    tables = {"a": _table("Talent and TFP"), "b": _table("East and West")}
    figures = {"x": FigureRef(paths["x"], "A map"), "y": FigureRef(paths["y"], "Talent over time")}
    return tables, figures, tmp_path


def test_float_numbers_count_first_appearance_of_the_float_not_of_its_reference():
    assert float_numbers(TEMPLATE) == ({"a": 1, "b": 2}, {"y": 1, "x": 2})
    # a table inserted first moves every later one up by one
    assert float_numbers("$table_new\n" + TEMPLATE)[0] == {"new": 1, "a": 2, "b": 3}
    # a float placed twice keeps the number of its first place
    assert float_numbers("$table_b $table_a $table_b")[0] == {"b": 1, "a": 2}


def test_markdown_numbers_and_references(floats):
    tables, figures, base = floats
    md = render_markdown(TEMPLATE, {}, tables=tables, figures=figures, base_dir=base)
    check_report(md)
    assert "Table 2 lists the regions and Figure 2 maps them." in md
    assert "then Table 1 again and Figure 1." in md
    titles = re.findall(r"Table (\d): (Talent and TFP|East and West)", md)
    assert titles == [("1", "Talent and TFP"), ("2", "East and West")]
    captions = re.findall(r"\*Figure (\d): ([^*]+)\*", md)
    assert captions == [("1", "Talent over time"), ("2", "A map")]
    assert "![A map](figures/x.png)" in md
    assert "## 1. Introduction" in md and "## Appendix A: Extra" in md
    assert " reports " not in md and " shows " not in md  # every float is referenced: no lead-in


def test_an_unreferenced_float_gets_a_lead_in_sentence(floats):
    tables, figures, base = floats
    md = render_markdown("$table_b\n\n$figure_y\n", {}, tables=tables, figures=figures, base_dir=base)
    assert "Table 1 reports East and West.\n\n" in md  # "East" keeps its capital
    assert "Figure 1 shows talent over time.\n\n" in md


class _Anchors(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None
        self.figcaptions: list[str] = []
        self._in_cap = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if tag == "a":
            self._href = a.get("href")
        self._in_cap = tag == "figcaption"

    def handle_data(self, data):
        if self._href is not None:
            self.links.append((self._href, data))
            self._href = None
        if self._in_cap:
            self.figcaptions.append(data)
            self._in_cap = False


def test_html_references_link_to_the_numbered_floats(floats):
    tables, figures, _ = floats
    page = render_html(TEMPLATE, {}, tables=tables, figures=figures, title="Paper")
    check_report(page)
    p = _Anchors()
    p.feed(page)
    assert p.links == [
        ("#table-b", "Table 2"),
        ("#figure-x", "Figure 2"),
        ("#table-a", "Table 1"),
        ("#figure-y", "Figure 1"),
    ]
    assert {"table-a", "table-b", "figure-x", "figure-y"} <= set(p.ids)
    assert p.figcaptions == ["Figure 1: Talent over time", "Figure 2: A map"]
    assert page.index("<caption>Table 1: Talent and TFP</caption>") < page.index(
        "<caption>Table 2: East and West"
    )


@pytest.mark.parametrize(
    ("template", "missing"),
    [
        ("See $ref_table_nope.\n\n$table_a\n", "ref_table_nope"),
        ("See $ref_figure_nope.\n\n$figure_x\n", "ref_figure_nope"),
        ("See $ref_table_b.\n\n$table_a\n", "ref_table_b"),  # b is built but not placed: no number
        ("See $ref_figure_y.\n\n$figure_x\n", "ref_figure_y"),  # y is drawn but not placed: no number
        ("$table_zzz\n", "table_zzz"),
    ],
)
def test_a_reference_to_a_float_the_page_lacks_raises(floats, template, missing):
    tables, figures, base = floats
    for render in (
        lambda: render_markdown(template, {}, tables=tables, figures=figures, base_dir=base),
        lambda: render_html(template, {}, tables=tables, figures=figures),
    ):
        with pytest.raises(InputError, match=missing):
            render()


def test_number_sections():
    md = "\n".join(
        [
            "## Abstract",
            "## 7. Introduction",
            "### Question",
            "### Data",
            "## Results",
            "```",
            "## not a heading",
            "```",
            "## Appendix: Codebook",
            "### Sources",
            "## Appendix. Checksums",
        ]
    )
    assert number_sections(md).split("\n") == [
        "## Abstract",
        "## 1. Introduction",
        "### 1.1 Question",
        "### 1.2 Data",
        "## 2. Results",
        "```",
        "## not a heading",
        "```",
        "## Appendix A: Codebook",
        "### A.1 Sources",
        "## Appendix B: Checksums",
    ]


# --------------------------------------------------------------------------- appendix


@pytest.fixture
def codebook_csv(tmp_path) -> Path:
    """build_codebook on a four-row panel: tertiary_share observed in 2002, 2003 and 2005 (by hand: N = 3)."""
    panel = pd.DataFrame(
        {
            "province_code": [11, 11, 11, 11],
            "year": [2002, 2003, 2004, 2005],
            "tertiary_share": [0.10, 0.11, np.nan, 0.13],
        }
    )
    path = tmp_path / "codebook.csv"
    build_codebook(panel).to_csv(path, index=False)
    return path


def test_codebook_table_has_one_row_per_variable_with_hand_counted_coverage(codebook_csv):
    table = codebook_table(codebook_csv)
    rows = {r[0]: r for r in table.rows()}
    assert list(rows) == ["province_code", "year", "tertiary_share"]
    stock = rows["tertiary_share"]
    assert stock[1].startswith("Talent stock") and "人才存量" in stock[2]
    assert stock[4:] == ["3", "2002-2003, 2005"]
    assert rows["year"][4:] == ["4", "2002-2005"]
    assert [h for h, _ in table.header[-1]] == [label for _, label in CODEBOOK_COLUMNS]
    assert table.stub_header == "Variable" and table.label == "tab:codebook"
    assert table.notes == [
        f"Source files and derivations of every variable: {codebook_csv.with_suffix('.md').as_posix()}."
    ]
    md = to_markdown(table)
    check_report(md)  # no 'nan' from empty cells
    assert "人才存量" in md


def test_codebook_keeps_na_like_text(tmp_path):
    """'NA' and empty cells are text, not missing values (keep_default_na=False)."""
    cols = ["variable", *(c for c, _ in CODEBOOK_COLUMNS)]
    path = tmp_path / "cb.csv"
    pd.DataFrame([["x", "NA", "", "", "0", "none"]], columns=cols).to_csv(path, index=False)
    assert codebook_table(path).rows() == [["x", "NA", "", "", "0", "none"]]


def test_codebook_errors_name_the_file_and_columns(tmp_path):
    with pytest.raises(InputError, match="codebook not found"):
        codebook_table(tmp_path / "none.csv")
    path = tmp_path / "cb.csv"
    pd.DataFrame({"variable": ["x"], "label_en": ["X"]}).to_csv(path, index=False)
    with pytest.raises(InputError) as err:
        codebook_table(path)
    assert str(path) in str(err.value) and "label_zh, unit, n_nonmissing, years_covered" in str(err.value)


def test_details_block_folds_a_markdown_table():
    table_md = "| File | SHA-256 |\n|:---|:---|\n| `data/raw/a.csv` | `" + "0" * 64 + "` |\n"
    block = details_block("SHA-256 of every raw file", table_md)
    assert block == (
        "<details>\n<summary>SHA-256 of every raw file</summary>\n\n" + table_md.rstrip() + "\n\n</details>"
    )
    page = multimark.markdown_to_html(f"Text.\n\n{block}\n\nAfter.\n", unsafe=True, extensions=["table"])
    start, end = page.index("<details>"), page.index("</details>")
    inner = page[start:end]
    assert "<summary>SHA-256 of every raw file</summary>" in inner
    assert "<table>" in inner and "<code>data/raw/a.csv</code>" in inner  # the Markdown inside is rendered
    assert "<p>After.</p>" in page[end:]
    assert details_block("R&D <raw>", "x").startswith("<details>\n<summary>R&amp;D &lt;raw&gt;</summary>")
