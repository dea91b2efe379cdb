"""The LR figure of the study shows the curve of the model it headlines, with the test that selects it.

Reference: Hansen (1999, §3.2-3.3): each estimation stage has its own LR(γ); a threshold is selected
only if the bootstrap test of k − 1 against k thresholds rejects (here at 10%).
"""

from __future__ import annotations

from tfp_talent.study.results import lr_curves, lr_note, lr_titles


def _thr(p1: float, p2: float) -> dict:
    single = {"stage": "1", "estimate": 9.6, "gamma": [9.5, 9.6, 9.7], "lr": [8.0, 0.0, 9.0]}
    refined = {"stage": "2r", "estimate": 9.6, "gamma": [9.5, 9.6, 9.8], "lr": [5.0, 0.0, 6.0]}
    second = {"stage": "2", "estimate": 8.1, "gamma": [8.0, 8.1, 8.2], "lr": [3.0, 0.0, 4.0]}
    return {
        "p_value": {"1": p1, "2": p2},
        "models": {"1": {"thresholds": [9.6]}, "2": {"thresholds": [9.6, 8.1]}},
        "lr": {"1": single, "2r": refined, "2": second},
        "bootstrap": {"replications": {"1": 300, "2": 300}},
    }


def test_insignificant_single_threshold_shows_its_own_stage_and_says_so():
    thr = _thr(0.12, 0.78)
    curves, gammas = lr_curves(thr)
    assert gammas == [9.6]
    assert curves == [([9.5, 9.6, 9.7], [8.0, 0.0, 9.0])]  # stage "1", not the refined "2r"
    assert lr_titles(thr, 1) == ["Single threshold, p = 0.120 (n.s.)"]
    assert "300 reps" in lr_note(thr) and "not significant at 10%" in lr_note(thr)


def test_two_selected_thresholds_show_two_panels_without_ns():
    thr = _thr(0.01, 0.04)
    curves, gammas = lr_curves(thr)
    assert gammas == [9.6, 8.1] and len(curves) == 2
    assert curves[1] == ([8.0, 8.1, 8.2], [3.0, 0.0, 4.0])
    assert lr_titles(thr, 2) == ["Threshold 1 of 2, p = 0.010", "Threshold 2 of 2, p = 0.040"]
