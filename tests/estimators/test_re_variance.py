"""Random effects with R plm's Swamy–Arora variance components (issue 11, defect 4).

Reference: R plm 2.6-2 (Debian r-cran-plm 2.6-2+dfsg-1), recorded here so the tests need no R:

    P <- Produc[(seq_len(nrow(Produc)) %% 10) != 0, ]          # unbalanced: every 10th row dropped
    re <- plm(log(gsp) ~ log(pcap) + log(pc) + log(emp) + unemp, P, index = c("state", "year"),
              model = "random", random.method = "swar")
    coef(re); sqrt(diag(vcov(re))); ercomp(re)$sigma2; phtest(fe, re)

Tolerances: coefficients and variance components 1e-9 relative, SEs 1e-8, Hausman 1e-8.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tfp_talent.errors import InputError
from tfp_talent.estimators.hausman import hausman
from tfp_talent.estimators.panel import fit_panel

PRODUC = Path(__file__).resolve().parents[2] / "data" / "raw" / "reference-panels" / "Produc.rda"
X = ["lpcap", "lpc", "lemp", "unemp"]

PLM = {
    "balanced": {
        "nobs": 816,
        "coef": [
            2.13541100210705315,
            0.00443858846776414,
            0.31054843420415579,
            0.72967053258608017,
            -0.00617247301315137,
        ],
        "se": [
            0.133461488499059561,
            0.023417316981298980,
            0.019804747775854135,
            0.024920219152938745,
            0.000907282019981921,
        ],
        "sigma2": (0.00145443522088413, 0.00683771932131413),
        "hausman": (9.52541563499339, 4),
    },
    "unbalanced": {
        "nobs": 735,
        "coef": [
            2.11931374630288527,
            0.00784002580116780,
            0.30662424458681531,
            0.73332983526606343,
            -0.00635759219223739,
        ],
        "se": [
            0.137909544351802221,
            0.024424321553681488,
            0.020348106349634274,
            0.025918003615811900,
            0.000946862056697488,
        ],
        "sigma2": (0.00144653084130777, 0.00670740977928832),
        "hausman": (9.18632901487048, 4),
    },
}


def _produc(which: str) -> pd.DataFrame:
    import pyreadr

    d = pyreadr.read_r(str(PRODUC))["Produc"]
    if which == "unbalanced":
        d = d[(np.arange(len(d)) + 1) % 10 != 0]
    return d.assign(
        lgsp=np.log(d["gsp"]), lpcap=np.log(d["pcap"]), lpc=np.log(d["pc"]), lemp=np.log(d["emp"])
    )


@pytest.mark.parametrize("which", ["balanced", "unbalanced"])
def test_plm_swamy_arora_reproduces_plm(which):
    ref = PLM[which]
    d = _produc(which)
    res = fit_panel(
        d, "lgsp", X, entity="state", time="year", model="re", cov="unadjusted", re_variance="plm"
    )
    assert res.nobs == ref["nobs"]
    np.testing.assert_allclose(res.params[["const", *X]].to_numpy(), ref["coef"], rtol=1e-9)
    np.testing.assert_allclose(res.std_errors[["const", *X]].to_numpy(), ref["se"], rtol=1e-8)
    assert res.extra["sigma2_idiosyncratic"] == pytest.approx(ref["sigma2"][0], rel=1e-9)
    assert res.extra["sigma2_effects"] == pytest.approx(ref["sigma2"][1], rel=1e-9)
    h = hausman(d, "lgsp", X, entity="state", time="year", effects="entity", re_variance="plm")
    assert (h.statistic, h.df) == (pytest.approx(ref["hausman"][0], rel=1e-8), ref["hausman"][1])


def test_stata_and_plm_agree_on_balanced_and_differ_on_unbalanced():
    for which, same in (("balanced", True), ("unbalanced", False)):
        d = _produc(which)
        a = fit_panel(d, "lgsp", X, entity="state", time="year", model="re", cov="unadjusted")
        b = fit_panel(
            d, "lgsp", X, entity="state", time="year", model="re", cov="unadjusted", re_variance="plm"
        )
        close = np.allclose(a.params.to_numpy(), b.params.to_numpy(), rtol=1e-9)
        assert close is same, which


def test_re_variance_only_for_random_effects():
    d = _produc("balanced")
    with pytest.raises(InputError, match="re_variance"):
        fit_panel(d, "lgsp", X, entity="state", time="year", model="fe", re_variance="plm")
    with pytest.raises(InputError, match="unknown re_variance"):
        fit_panel(d, "lgsp", X, entity="state", time="year", model="re", re_variance="sas")
