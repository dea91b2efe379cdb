"""DEA-Malmquist: a hand-worked example, identities, and agreement with a plain per-DMU LP."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from tfp_talent.errors import InputError
from tfp_talent.tfp.malmquist import malmquist_index, output_distances

# Hand-worked example: one input x, one output y, constant returns, three DMUs, two periods.
# With one input and one output the CRS output distance is D^s(x, y) = (y/x) / max_j (y_j/x_j in s).
#
#   period 1: A (x=2, y=2)  B (x=4, y=6)  C (x=5, y=5)    best ratio 1.5 (B)
#   period 2: A (x=2, y=3)  B (x=4, y=6)  C (x=5, y=10)   best ratio 2.0 (C)
#
#   D^1(t=1): A 1/1.5 = 2/3, B 1, C 2/3          D^2(t=2): A 1.5/2 = 3/4, B 3/4, C 1
#   D^1(t=2): A 1.5/1.5 = 1, B 1, C 2/1.5 = 4/3  D^2(t=1): A 1/2, B 1.5/2 = 3/4, C 1/2
#
#   M  = sqrt(D^1(2)/D^1(1) · D^2(2)/D^2(1)):  A sqrt(1.5 · 1.5) = 1.5,  B 1,  C 2
#        (= growth of y/x, as it must be with one input and one output under CRS)
#   EC = D^2(2)/D^1(1):                         A (3/4)/(2/3) = 9/8,  B 3/4,  C 3/2
#   TC = M/EC = frontier shift 2/1.5:           4/3 for all three
#
# VRS (Σλ = 1), same data: period 1 frontier A–B (C reaches y = 6 with B's x = 4 ≤ 5):
#   D_v^1: A 1, B 1, C 5/6. Period 2 frontier A–C: B's best is λ_C = 2/3 (x = 2 + 3·2/3 = 4),
#   y = 3 + 7·2/3 = 23/3, so D_v^2(B) = 6/(23/3) = 18/23; A 1, C 1.
#   PEC = D_v^2/D_v^1: A 1, B 18/23, C 6/5;  SEC = EC/PEC: A 9/8, B (3/4)(23/18) = 23/24, C (3/2)/(6/5) = 5/4.
TEXTBOOK = pd.DataFrame(
    {
        "dmu": ["A", "B", "C"] * 2,
        "t": [1, 1, 1, 2, 2, 2],
        "x": [2.0, 4.0, 5.0, 2.0, 4.0, 5.0],
        "y": [2.0, 6.0, 5.0, 3.0, 6.0, 10.0],
    }
)


def test_textbook_example():
    res = malmquist_index(TEXTBOOK, entity="dmu", time="t", outputs="y", inputs=["x"], vrs=True)
    r2 = res.loc[res["t"] == 2].set_index("dmu")
    np.testing.assert_allclose(r2["malmquist"], [1.5, 1.0, 2.0], rtol=1e-9)
    np.testing.assert_allclose(r2["efficiency_change"], [9 / 8, 3 / 4, 3 / 2], rtol=1e-9)
    np.testing.assert_allclose(r2["technical_change"], [4 / 3] * 3, rtol=1e-9)
    np.testing.assert_allclose(r2["pure_efficiency_change"], [1.0, 18 / 23, 6 / 5], rtol=1e-9)
    np.testing.assert_allclose(r2["scale_efficiency_change"], [9 / 8, 23 / 24, 5 / 4], rtol=1e-9)
    r1 = res.loc[res["t"] == 1].set_index("dmu")
    np.testing.assert_allclose(r1["efficiency"], [2 / 3, 1.0, 2 / 3], rtol=1e-9)
    np.testing.assert_allclose(r1["efficiency_vrs"], [1.0, 1.0, 5 / 6], rtol=1e-9)
    assert r1["malmquist"].isna().all() and (r1["ln_tfp"] == 0).all()
    np.testing.assert_allclose(r2["ln_tfp"], np.log([1.5, 1.0, 2.0]), rtol=1e-9)


def test_sequential_frontier_rules_out_regress():
    """Hand-worked: period 2 = (2,2), (4,4), (5,5), best ratio 1 < 1.5. Contemporaneous TC = 1/1.5 = 2/3;
    the sequential period-2 frontier still contains period 1's best ratio 1.5, so TC = 1. M = ratio growth."""
    df = TEXTBOOK.copy()
    df.loc[df["t"] == 2, "y"] = [2.0, 4.0, 5.0]
    con = malmquist_index(df, entity="dmu", time="t", outputs="y", inputs=["x"]).set_index(["dmu", "t"])
    seq = malmquist_index(
        df, entity="dmu", time="t", outputs="y", inputs=["x"], frontier="sequential"
    ).set_index(["dmu", "t"])
    np.testing.assert_allclose(con.xs(2, level="t")["technical_change"], [2 / 3] * 3, rtol=1e-9)
    np.testing.assert_allclose(seq.xs(2, level="t")["technical_change"], [1.0] * 3, rtol=1e-9)
    np.testing.assert_allclose(seq.xs(2, level="t")["malmquist"], [1.0, 1.0 / 1.5, 1.0], rtol=1e-9)


def random_panel(n: int = 12, periods: int = 4, n_in: int = 2, n_out: int = 1, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"id": np.repeat(np.arange(n), periods), "t": np.tile(np.arange(periods), n)})
    for k in range(n_in):
        df[f"x{k}"] = rng.lognormal(2, 0.8, len(df))
    for m in range(n_out):
        df[f"y{m}"] = rng.lognormal(2, 0.8, len(df)) * df["x0"] ** 0.5
    return df


def _plain_distance(rx, ry, x0, y0, vrs=False):
    """Reference: one dense LP per evaluation, all reference units as columns (no batching, no pruning)."""
    n = len(rx)
    c = np.r_[-1.0, np.zeros(n)]
    a_ub = np.vstack([np.c_[y0[:, None], -ry.T], np.c_[np.zeros((rx.shape[1], 1)), rx.T]])
    b_ub = np.r_[np.zeros(ry.shape[1]), x0]
    extra = dict(A_eq=np.r_[0.0, np.ones(n)][None, :], b_eq=[1.0]) if vrs else {}
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs", **extra)
    return 1.0 / res.x[0]


def _plain_malmquist(df, xs, ys, frontier):
    out = []
    X, Y = df[xs].to_numpy(), df[ys].to_numpy()
    t = df["t"].to_numpy()
    ref = (lambda s: t == s) if frontier == "contemporaneous" else (lambda s: t <= s)
    for i in np.flatnonzero(t > 0):
        j = i - 1  # sorted by id, t; complete panel
        d = lambda s, o: _plain_distance(X[ref(s)], Y[ref(s)], X[o], Y[o])  # noqa: E731
        d11, d22, d12, d21 = d(t[j], j), d(t[i], i), d(t[j], i), d(t[i], j)
        dv = lambda s, o: _plain_distance(X[ref(s)], Y[ref(s)], X[o], Y[o], vrs=True)  # noqa: E731
        out.append(
            (
                np.sqrt(d12 / d11 * d22 / d21),
                d22 / d11,
                np.sqrt(d12 / d22 * d11 / d21),
                dv(t[i], i) / dv(t[j], j),
            )
        )
    return np.array(out)


@pytest.mark.parametrize("frontier", ["contemporaneous", "sequential"])
@pytest.mark.parametrize("n_in, n_out", [(2, 1), (3, 2)])
def test_agrees_with_plain_lp(frontier, n_in, n_out):
    """Batched column-generation LPs = one plain LP per distance (1e-8 relative) on random data."""
    df = random_panel(n_in=n_in, n_out=n_out, seed=n_in * 10 + n_out)
    xs, ys = [f"x{k}" for k in range(n_in)], [f"y{m}" for m in range(n_out)]
    res = malmquist_index(df, entity="id", time="t", outputs=ys, inputs=xs, frontier=frontier, vrs=True)
    got = res.loc[
        res["t"] > 0, ["malmquist", "efficiency_change", "technical_change", "pure_efficiency_change"]
    ]
    np.testing.assert_allclose(got.to_numpy(), _plain_malmquist(df, xs, ys, frontier), rtol=1e-8)


def test_distances_agree_with_plain_lp_on_a_large_reference_set():
    """300 reference units, 2 inputs, 1 output: column generation gives the full-LP distances (1e-9)."""
    rng = np.random.default_rng(7)
    rx, ry = rng.lognormal(0, 1, (300, 2)), rng.lognormal(0, 1, (300, 1))
    ex, ey = rng.lognormal(0, 1, (40, 2)), rng.lognormal(0, 1, (40, 1))
    got = output_distances(rx, ry, ex, ey)
    ref = np.array([_plain_distance(rx, ry, ex[i], ey[i]) for i in range(40)])
    np.testing.assert_allclose(got, ref, rtol=1e-9)


def test_identity_unchanged_data():
    """Same data in both periods: M = EC = TC = 1 (1e-10)."""
    df = random_panel(periods=1)
    both = pd.concat([df, df.assign(t=1)]).sort_values(["id", "t"])
    res = malmquist_index(both, entity="id", time="t", outputs="y0", inputs=["x0", "x1"], vrs=True)
    r = res.loc[res["t"] == 1]
    for col in (
        "malmquist",
        "efficiency_change",
        "technical_change",
        "pure_efficiency_change",
        "scale_efficiency_change",
    ):
        np.testing.assert_allclose(r[col], 1.0, atol=1e-10)


@settings(max_examples=15, deadline=None)
@given(scale=st.floats(1e-4, 1e4), col=st.sampled_from(["x0", "x1", "y0"]), seed=st.integers(0, 500))
def test_units_invariance_and_decomposition(scale, col, seed):
    """Rescaling an input or the output leaves M, EC, TC unchanged (1e-8); M = EC × TC (1e-10)."""
    df = random_panel(n=8, periods=3, seed=seed)
    a = malmquist_index(df, entity="id", time="t", outputs="y0", inputs=["x0", "x1"])
    b = malmquist_index(
        df.assign(**{col: df[col] * scale}), entity="id", time="t", outputs="y0", inputs=["x0", "x1"]
    )
    for c in ("malmquist", "efficiency_change", "technical_change"):
        np.testing.assert_allclose(b[c], a[c], rtol=1e-8)
    m = a["malmquist"].dropna()
    np.testing.assert_allclose(m, (a["efficiency_change"] * a["technical_change"]).dropna(), rtol=1e-10)


def test_unbalanced_panel_entity_entering_later():
    """An entity observed only in later periods is fine: its first row has no index, others are computed."""
    df = random_panel(n=6, periods=4)
    df = df.loc[~((df["id"] == 2) & (df["t"] < 2))]
    res = malmquist_index(df, entity="id", time="t", outputs="y0", inputs=["x0", "x1"])
    late = res.loc[res["id"] == 2].set_index("t")
    assert np.isnan(late.loc[2, "malmquist"]) and np.isfinite(late.loc[3, "malmquist"])


@pytest.mark.parametrize(
    "mutate, pattern",
    [
        (lambda d: d.loc[~((d["id"] == 3) & (d["t"] == 2))], r"Malmquist.*missing.*\(3, 2\)"),
        (lambda d: d.assign(x1=np.where(d.index == 5, 0.0, d["x1"])), r"'x1'.*> 0.*\(1, 1\)"),
        (lambda d: d.assign(y0=np.where(d.index == 0, -1.0, d["y0"])), r"'y0'.*> 0.*\(0, 0\)"),
        (lambda d: pd.concat([d, d.iloc[[7]]]), r"duplicate keys.*\(1, 3\)"),
        (lambda d: d.loc[d["t"] == 0], r"at least two periods"),
    ],
)
def test_bad_input(mutate, pattern):
    df = random_panel(n=5, periods=4)
    with pytest.raises(InputError, match=pattern):
        malmquist_index(mutate(df), entity="id", time="t", outputs="y0", inputs=["x0", "x1"])


def test_process_pool_gives_identical_results():
    """workers=2 solves the same LPs in two processes: results identical to the serial run (bitwise)."""
    df = random_panel(n=10, periods=4, seed=11)
    kw = dict(entity="id", time="t", outputs="y0", inputs=["x0", "x1"], vrs=True)
    pd.testing.assert_frame_equal(malmquist_index(df, **kw, workers=2), malmquist_index(df, **kw))
