"""The README's reuse example (section "Reusing the estimators") runs as written.

The code block after ``<!-- readme-example -->`` is extracted from README.md and executed from
the repository root; its results are then checked against the keyword API on the same data
(identical estimates, atol 1e-12) and against R plm's EmplUK dimensions (1,031 rows, 140 firms,
9 years 1976-1984); its wild bootstrap t equals the clustered t of the fit (rel. 1e-8).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from tfp_talent.estimators.panel import fit_panel

ROOT = Path(__file__).resolve().parents[2]


def readme_example() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"<!-- readme-example -->\s*```python\n(.*?)```", text, flags=re.S)
    assert m, "README.md has no '<!-- readme-example -->' python block"
    return m.group(1)


def test_readme_example_runs(monkeypatch, capsys):
    code = readme_example()
    assert len(code.strip().splitlines()) <= 22  # "a 20-line example" (imports included)
    assert "fe.wildboottest(" in code
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    exec(compile(code, "README.md example", "exec"), namespace)
    printed = capsys.readouterr().out
    fe, dyn, firms = namespace["fe"], namespace["dyn"], namespace["firms"]
    assert (fe.nobs, fe.n_entities, fe.n_periods) == (1031, 140, 9)
    wb = namespace["wb"]  # the wild cluster bootstrap of the firm-clustered t (140 clusters, 9,999 draws)
    assert (wb.reps, wb.n_clusters, wb.weights) == (9999, 140, "webb") and 0 <= wb.p_value <= 1
    assert wb.t_stat == pytest.approx(float(fe.tstats["log(wage)"]), rel=1e-8)
    assert "Observations (N)" in printed and "Firm fixed effects" in printed
    # the same model through the keyword API, on columns built by hand
    flat = firms.reset_index()
    for c in ("wage", "capital", "output"):
        flat[f"ln_{c}"] = np.log(flat[c])
    kw = fit_panel(
        flat, "ln_emp", ["ln_wage", "ln_capital", "ln_output"], entity="firm", time="year", cov="clustered"
    )
    np.testing.assert_allclose(fe.params.to_numpy(), kw.params.to_numpy(), atol=1e-12)
    np.testing.assert_allclose(fe.std_errors.to_numpy(), kw.std_errors.to_numpy(), atol=1e-12)
    # sector codes (stored as numbers in the .rda) became dummies through C(sector)
    assert sum(n.startswith("C(sector)[T.") for n in dyn.params.index) == flat["sector"].nunique() - 1
