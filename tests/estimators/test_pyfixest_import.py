"""The trimmed pyfixest import (tfp_talent.estimators._pyfixest) changes speed only, never results.

Each case runs in a fresh interpreter, because the point is what a process has imported.
Reference: the same fits in a process where pyfixest was imported the ordinary way first
(``import pyfixest.report``, which loads matplotlib, seaborn, maketables and great_tables);
the estimates and standard errors must be equal to the bit (identical JSON text).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

TESTS = Path(__file__).resolve().parent

FIT = """
import json, sys
sys.path.insert(0, {tests!r})
from _panelsim import grunfeld10
from tfp_talent.estimators.panel import fit_panel
d = grunfeld10()
out = {{}}
for model, eff, cov, clu in [("fe", "twoway", "clustered", "entity"), ("fe", "entity", "robust", None),
                             ("fe", "twoway", "driscoll-kraay", None), ("pooled", "none", "unadjusted", None)]:
    r = fit_panel(d, "invest", ["value", "capital"], entity="firm", time="year", model=model,
                  effects=eff, cov=cov, cluster=clu)
    out[model + eff + cov] = {{"b": r.params.to_dict(), "se": r.std_errors.to_dict()}}
"""
PLOTTING = ["matplotlib", "matplotlib.pyplot", "seaborn", "maketables", "great_tables", "pyfixest.report"]


def _run(code: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_same_estimates_as_ordinary_import_without_loading_plotting_modules():
    fit = FIT.format(tests=str(TESTS))
    trimmed = _run(
        fit
        + textwrap.dedent(f"""
        print(json.dumps({{"fits": out, "loaded": [m for m in {PLOTTING!r} if m in sys.modules],
                          "placeholders": [m for m, v in sys.modules.items() if type(v).__name__ == "_Deferred"]}}))
    """)
    )
    ordinary = _run("import pyfixest.report\n" + fit + "print(json.dumps({'fits': out}))")
    assert trimmed["loaded"] == []
    assert trimmed["placeholders"] == []
    assert len(trimmed["fits"]) == 4
    assert json.dumps(trimmed["fits"], sort_keys=True) == json.dumps(ordinary["fits"], sort_keys=True)


def test_deferred_modules_are_real_when_used_after_a_fit():
    """pyfixest's report functions, its plotting references and a later matplotlib import all work."""
    out = _run(
        FIT.format(tests=str(TESTS))
        + textwrap.dedent("""
        from pyfixest.estimation.api.feols import feols
        from tfp_talent.estimators._pyfixest import trimmed_imports
        with trimmed_imports():
            fit = feols("invest ~ value + capital | firm", data=d)
        table = fit.summary()  # the stand-in loads pyfixest.report and prints the summary
        import matplotlib.pyplot as plt
        import pyfixest as pf
        import pyfixest.estimation.post_estimation.ritest as ritest
        print(json.dumps({"etable": callable(pf.etable), "ritest_plt": ritest.plt.figure is plt.figure,
                          "report_is_real": type(sys.modules["pyfixest.report"]).__name__ == "module"}))
    """)
    )
    assert out == {"etable": True, "ritest_plt": True, "report_is_real": True}
