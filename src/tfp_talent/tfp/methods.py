"""The registry of TFP methods: one entry per method, used by the CLI, the API and the workflow.

A new method is its own module with two adapters (``measure_<name>`` for any panel and
``<name>_from_settings`` for the workflow), one entry here, its name in the ``tfp.methods`` enum of
``config/schema.yaml`` and its tests; nothing else dispatches on method names.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from tfp_talent.tfp.malmquist import DEA_KEYS, malmquist_from_settings, measure_malmquist
from tfp_talent.tfp.solow import measure_solow, solow_from_settings
from tfp_talent.tfp.tornqvist import measure_tornqvist, tornqvist_from_settings


@dataclass(frozen=True)
class TFPMethod:
    """How one TFP method is computed.

    ``measure(frame, entity=, time=, output=, capital=, labour=, hc=, alpha=, labour_share=, frontier=, vrs=,
    source=, stats=, workers=)`` on any panel; ``from_settings(data, params, entity=, time=, output=, capital=,
    labour=, source=)`` in the workflow with ``params`` = the method's ``settings`` from config ``tfp:``
    (its Snakemake params, so other changes do not re-run it); ``chained``: an index over consecutive
    periods (the workflow keeps each entity's longest run of complete consecutive years).

    ``settings`` names the ``tfp:`` keys the method depends on (:func:`method_params`);
    ``description`` is the method's one-line formula and source (documentation of the registry;
    no code reads it). ``options``: the DEA options (:data:`tfp_talent.tfp.malmquist.DEA_KEYS`) its
    ``measure`` uses; :func:`tfp_talent.tfp.measure.measure_tfp` refuses the others when they are set
    to anything but their default.
    """

    measure: Callable[..., pd.DataFrame]
    from_settings: Callable[..., pd.DataFrame]
    settings: tuple[str, ...]
    chained: bool
    description: str
    options: tuple[str, ...] = ()


METHODS: dict[str, TFPMethod] = {
    "solow": TFPMethod(
        measure_solow,
        solow_from_settings,
        ("alpha",),
        False,
        "Solow residual ln A = ln Y − α ln K − (1 − α) ln(hL) (Solow 1957)",
    ),
    "tornqvist": TFPMethod(
        measure_tornqvist,
        tornqvist_from_settings,
        ("share_rule",),
        True,
        "Törnqvist index with two-period mean labour shares (Diewert 1976)",
    ),
    "malmquist": TFPMethod(
        measure_malmquist,
        malmquist_from_settings,
        ("frontier", "vrs"),
        True,
        "output-oriented DEA-Malmquist index M = EC × TC (Färe et al. 1994)",
        options=DEA_KEYS,
    ),
}


def method_settings(method: str) -> tuple[str, ...]:
    """The ``tfp:`` settings that ``method`` depends on (e.g. ``("frontier", "vrs")`` for malmquist).

    Raises KeyError for a name not in :data:`METHODS`.
    """
    return METHODS[method].settings


def method_params(settings: Mapping[str, Any], method: str) -> dict[str, Any]:
    """The settings ``method`` depends on, from resolved settings (nothing else, so other changes do
    not re-run it).

    ``settings`` is the output of :func:`tfp_talent.tfp.pipeline.resolve_settings`; the result is
    the ``params`` of the method's ``from_settings`` adapter, e.g. ``{"alpha": 0.4}`` for solow.
    """
    return {k: settings["tfp"][k] for k in METHODS[method].settings}
