"""The codebook of the clean panel, built from the one definition table.

Labels, units, source files and derivations come from
:data:`tfp_talent.data.definitions.VARIABLES`; coverage (non-missing count and
years with at least one value) is measured on the built panel.
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
    """Compact text of a set of years: ``[2002, ..., 2009, 2011]`` -> ``'2002–2009, 2011'`` (``'none'`` if empty).

    Runs of consecutive years are joined by ``dash`` (the codebook files use ASCII ``-``).
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
    """One row per panel column (definition order), with measured coverage."""
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
    return str(value).replace("|", "\\|").replace("\n", " ")


def codebook_markdown(codebook: pd.DataFrame) -> str:
    """The codebook as a GitHub-flavoured markdown table (for the README or docs)."""
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
