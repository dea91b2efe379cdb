"""Regression tests for defects found by using the estimators as a new user would (issue 11)."""

from __future__ import annotations

from pathlib import Path

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
    assert res.params["a"] == pytest.approx(
        fit_panel(panel, "y", ["a"], entity="id", time="yr").params["a"], rel=1e-14
    )


def test_between_model_runs_with_default_covariance(panel, tmp_path):
    """Defect 6: the between model failed with the default cov (clustered); its default is robust."""
    res = fit_panel(panel, "y", ["a", "b"], entity="id", time="yr", model="between")
    assert res.cov_type == "robust"
    path = tmp_path / "p.csv"
    panel.to_csv(path, index=False)
    out = tmp_path / "b.json"
    code = main(
        [
            "panel",
            "--data",
            str(path),
            "--entity",
            "id",
            "--time",
            "yr",
            "--y",
            "y",
            "--x",
            "a",
            "b",
            "--model",
            "between",
            "--out",
            str(out),
        ]
    )
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


PRODUC = Path(__file__).resolve().parents[2] / "data" / "raw" / "reference-panels" / "Produc.rda"


def _produc(drop_year=None) -> pd.DataFrame:
    import pyreadr

    d = pyreadr.read_r(str(PRODUC))["Produc"]
    if drop_year is not None:
        d = d[d["year"] != drop_year]
    return d.assign(
        lgsp=np.log(d["gsp"]), lpcap=np.log(d["pcap"]), lpc=np.log(d["pc"]), lemp=np.log(d["emp"])
    ).reset_index(drop=True)


def _hand_fd(d: pd.DataFrame, cols: list[str]) -> tuple[int, np.ndarray]:
    """OLS without constant on calendar first differences x_t - x_{t-1} (rows lacking t-1 dropped)."""
    prev = d.assign(year=d["year"] + 1)[["state", "year", *cols]]
    m = d[["state", "year", *cols]].merge(prev, on=["state", "year"], suffixes=("", "_lag"))
    dy = (m[cols[0]] - m[cols[0] + "_lag"]).to_numpy()
    dx = np.column_stack([(m[c] - m[c + "_lag"]).to_numpy() for c in cols[1:]])
    return len(m), np.linalg.lstsq(dx, dy, rcond=None)[0]


@pytest.mark.parametrize("drop_year", [None, 1975])
def test_first_differences_use_calendar_time(drop_year):
    """Defect 3: Produc without 1975 differenced 1976 against 1974 (720 rows, lpcap 0.158); calendar
    differences leave 1976 without one (672 rows, lpcap 0.0653), as Stata's D. and plm do."""
    d = _produc(drop_year)
    cols = ["lgsp", "lpcap", "lpc", "lemp", "unemp"]
    n, beta = _hand_fd(d, cols)
    res = fit_panel(d, "lgsp", cols[1:], entity="state", time="year", model="fd", cov="clustered")
    assert res.nobs == n == (672 if drop_year else 768)
    np.testing.assert_allclose(res.params[cols[1:]].to_numpy(), beta, rtol=1e-9)
    if drop_year:
        assert res.params["lpcap"] == pytest.approx(0.065331, abs=5e-7)
        assert res.extra["n_clusters"] == {"entity": 48}
