"""The rule of the browser check that every numbered table and figure is referenced in the text
(tfp_talent.report.browser.float_references), as a pure function: runs without Chromium.

Reference: the rule as stated in the docstring, a mention is the whole label ("Table 1" is not
mentioned by "Table 12" or "Table 1.2") outside the float's own caption; cases constructed by hand.
"""

from __future__ import annotations

import pytest

from tfp_talent.report.browser import float_references

CAPTIONS = ["Table 1: Baseline", "Table 12: Robustness", "Figure 2: A map", "Notes: none"]


def _page(text: str) -> str:
    """The page text as innerText gives it: the prose plus every caption."""
    return text + "\n" + "\n".join(CAPTIONS)


def test_labels_in_caption_order_without_duplicates():
    labels, _ = float_references([*CAPTIONS, "Table 1: Baseline (continued)"], _page(""))
    assert labels == ["Table 1", "Table 12", "Figure 2"]


@pytest.mark.parametrize(
    ("text", "unreferenced"),
    [
        ("As Table 1, Table 12 and Figure 2 show.", []),
        ("Table 12 and Figure 2 only.", ["Table 1"]),  # 'Table 12' does not mention Table 1
        ("See Table 1.2 and Table 12, Figure 2.", ["Table 1"]),  # nor does a section-style 'Table 1.2'
        ("Table 1. Then Table\u00a012 and Figure\n2.", []),  # sentence end, non-breaking space, line break
        ("Figure 21, Table 1 and Table 12.", ["Figure 2"]),
        ("Figure 2a (panel a), Table 1 and Table 12.", []),  # a panel of Figure 2 refers to Figure 2
        ("SubTable 1 and Table 12 and Figure 2.", ["Table 1"]),
        ("", ["Table 1", "Table 12", "Figure 2"]),  # the captions alone are no reference
    ],
)
def test_mentions_are_whole_labels_outside_the_own_caption(text, unreferenced):
    assert float_references(CAPTIONS, _page(text))[1] == unreferenced


def test_a_mention_in_another_caption_counts():
    captions = ["Table 1: Baseline", "Figure 1: The estimates of Table 1"]
    assert float_references(captions, "\n".join(captions)) == (["Table 1", "Figure 1"], ["Figure 1"])
