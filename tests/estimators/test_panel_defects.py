"""Regression tests for defects found by using the estimators as a new user would (issue 11)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tfp_talent.cli import main
from tfp_talent.errors import InputError
from tfp_talent.estimators.panel import fit_panel


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n, t = 30, 6
    f = pd.DataFrame({"id": np.repeat(np.arange(n), t), "yr": np.tile(np.arange(2000, 2000 + t), n)})
    for c in ["a", "b", "c", "d"]:
        f[c] = rng.normal(size=len(f))
    f["e"] = f["b"] + 2 * f["c"]
    f["y"] = f["a"] + np.repeat(rng.normal(size=n), t) + rng.normal(size=len(f))
    return f


def test_string_regressor_is_one_regressor(panel):
    """Defect 5: x="a" used to be read letter by letter."""
    res = fit_panel(panel, "y", "a", entity="id", time="yr")
    assert list(res.params.index) == ["a"]
    assert res.params["a"] == pytest.approx(fit_panel(panel, "y", ["a"], entity="id", time="yr").params["a"], rel=1e-14)


def test_between_model_runs_with_default_covariance(panel, tmp_path):
    """Defect 6: the between model failed with the default cov (clustered); its default is robust."""
    res = fit_panel(panel, "y", ["a", "b"], entity="id", time="yr", model="between")
    assert res.cov_type == "robust"
    path = tmp_path / "p.csv"
    panel.to_csv(path, index=False)
    out = tmp_path / "b.json"
    code = main(["panel", "--data", str(path), "--entity", "id", "--time", "yr", "--y", "y", "--x", "a", "b",
                 "--model", "between", "--out", str(out)])
    assert code == 0 and out.exists()
    # asking for clustered explicitly still says why not, in one line
    with pytest.raises(InputError, match="between"):
        fit_panel(panel, "y", ["a"], entity="id", time="yr", model="between", cov="clustered")


@pytest.mark.parametrize("model", ["fe", "pooled", "re", "fd", "between"])
def test_collinearity_error_names_the_regressors_involved(panel, model):
    """Defect 7: with e = b + 2c the FE error named a and d as partners too."""
    with pytest.raises(InputError) as err:
        fit_panel(panel, "y", ["a", "b", "c", "d", "e"], entity="id", time="yr", model=model, cov="robust")
    msg = str(err.value)
    involved = {"b", "c", "e"}
    named = {v for v in "abcde" if f"'{v}'" in msg}
    assert named == involved, msg
