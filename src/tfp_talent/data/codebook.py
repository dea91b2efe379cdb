"""The codebook of the clean panel, built from the one definition table.

Labels, units, source files and derivations come from
:data:`tfp_talent.data.definitions.VARIABLES`; coverage (non-missing count and
years with at least one value) is measured on the built panel.

Columns (:data:`CODEBOOK_COLUMNS`): ``variable``, ``label_en``, ``label_zh``, ``unit``,
``source_files`` (raw files under ``data/raw``, ``; ``-separated, or ``tfp_talent.data.provinces``
for keys and labels), ``derivation`` (the formula text of the definition), ``n_nonmissing``
(non-missing province-years) and ``years_covered`` (:func:`year_ranges` of the years with at
least one non-missing value, e.g. ``2002-2009, 2011-2019`` for the survey shares). The workflow
writes it as ``data/processed/codebook.csv`` and, through :func:`codebook_markdown`, ``codebook.md``.
Nothing here is typed twice: a label, unit or derivation changes in
:mod:`tfp_talent.data.definitions` and the codebook follows on the next build.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from tfp_talent.data.definitions import VARIABLES, Variable, source_paths

CODEBOOK_COLUMNS: list[str] = [
    "variable",
    "label_en",
    "label_zh",
    "unit",
    "source_files",
    "derivation",
    "n_nonmissing",
    "years_covered",
]


def year_ranges(years: Iterable[int], *, dash: str = "–") -> str:
    """Compact text of a set of years: ``[2002, ..., 2009, 2011]`` -> ``'2002–2009, 2011'``.

    Runs of consecutive years are joined by ``dash`` (the codebook files use ASCII ``-``, the
    report the default en dash); a single year stands alone; duplicates and order do not matter;
    no year gives ``'none'``. Years are converted with ``int``. E.g.
    ``year_ranges([2004, *range(2008, 2020)], dash='-')`` -> ``'2004, 2008-2019'``.
    """
    ys = sorted({int(y) for y in years})
    if not ys:
        return "none"
    runs: list[list[int]] = [[ys[0], ys[0]]]
    for y in ys[1:]:
        if y == runs[-1][1] + 1:
            runs[-1][1] = y
        else:
            runs.append([y, y])
    return ", ".join(str(lo) if lo == hi else f"{lo}{dash}{hi}" for lo, hi in runs)


def _row(var: Variable, panel: pd.DataFrame, raw_dir: str) -> dict[str, object]:
    """The codebook row of one defined variable; a boolean column counts every row as present."""
    col = panel[var.name]
    present = col.notna() if col.dtype != bool else pd.Series(True, index=col.index)
    return {
        "variable": var.name,
        "label_en": var.label_en,
        "label_zh": var.label_zh,
        "unit": var.unit,
        "source_files": "; ".join(f"{raw_dir}/{p}" for p in source_paths(var)) or "tfp_talent.data.provinces",
        "derivation": var.derivation,
        "n_nonmissing": int(present.sum()),
        "years_covered": year_ranges(panel.loc[present, "year"], dash="-"),
    }


def build_codebook(panel: pd.DataFrame, *, raw_dir: str = "data/raw") -> pd.DataFrame:
    """One row per panel column (definition order), with measured coverage.

    Rows follow :data:`~tfp_talent.data.definitions.VARIABLES` for the columns ``panel`` has, then
    one row per ``<variable>_imputed`` flag, whose ``n_nonmissing`` and ``years_covered`` count the
    True values (the interpolated province-years). ``raw_dir`` is the prefix written before each
    source path (``data/raw``, the repository layout, whatever folder the build read). Returns a
    frame with the columns :data:`CODEBOOK_COLUMNS`.

    ``panel``: the built panel (:func:`tfp_talent.data.build.build_panel`), or any frame with a
    ``year`` column and some of the defined columns; columns it lacks get no row. Coverage is
    counted over the rows given, so a subset of the panel gives its own codebook. E.g. on the
    shipped panel the row of ``tertiary_share`` has ``years_covered`` ``'2002-2009, 2011-2019'``
    and ``n_nonmissing`` 527 (17 survey years x 31 provinces).
    """
    rows = [_row(v, panel, raw_dir) for v in VARIABLES if v.name in panel.columns]
    for col in panel.columns:
        if col.endswith("_imputed"):
            base = col[: -len("_imputed")]
            rows.append(
                {
                    "variable": col,
                    "label_en": f"{base} was linearly interpolated (or derived from an interpolated share)",
                    "label_zh": f"{base} 插补标记",
                    "unit": "bool",
                    "source_files": "config data.impute_survey_gaps = linear",
                    "derivation": "True where the survey share was missing and filled by linear interpolation between adjacent survey years (for this flag n_nonmissing and years_covered count the True values)",
                    "n_nonmissing": int(panel[col].sum()),
                    "years_covered": year_ranges(panel.loc[panel[col].astype(bool), "year"], dash="-"),
                }
            )
    return pd.DataFrame(rows, columns=CODEBOOK_COLUMNS)


def _md_cell(value: object) -> str:
    """A table cell for Markdown: ``|`` escaped, newlines flattened."""
    return str(value).replace("|", "\\|").replace("\n", " ")


def codebook_markdown(codebook: pd.DataFrame) -> str:
    """The codebook as a GitHub-flavoured markdown table (for the README or docs).

    A title and a paragraph on how the table is made, then one table row per codebook row in the
    order of :data:`CODEBOOK_COLUMNS`; returns the text with a trailing newline. Cell text is
    escaped (:func:`_md_cell`), so a ``|`` in a derivation does not break the table.
    """
    header = "| " + " | ".join(CODEBOOK_COLUMNS) + " |"
    rule = "|" + "|".join("---" for _ in CODEBOOK_COLUMNS) + "|"
    lines = [header, rule]
    for row in codebook.itertuples(index=False):
        lines.append("| " + " | ".join(_md_cell(v) for v in row) + " |")
    intro = (
        "# Codebook of data/processed/panel.parquet\n\n"
        "One row per (province_code, year). Generated from `tfp_talent.data.definitions.VARIABLES` "
        "by the `panel` rule; `n_nonmissing` and `years_covered` are measured on the built panel "
        "(`years_covered` lists years with at least one non-missing value).\n\n"
    )
    return intro + "\n".join(lines) + "\n"
