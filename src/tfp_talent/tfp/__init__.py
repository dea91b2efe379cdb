"""Capital stock, labour input and TFP measures.

* :mod:`~tfp_talent.tfp.capital` -- perpetual inventory K_t = (1 − δ) K_{t−1} + I_t / P_t
  (Zhang, Wu & Zhang 2004; CHNCapitalStock rules for the provinces);
* :mod:`~tfp_talent.tfp.labour` -- labour proxies and PWT human capital h = exp(φ(s));
* :mod:`~tfp_talent.tfp.solow`, :mod:`~tfp_talent.tfp.tornqvist`, :mod:`~tfp_talent.tfp.malmquist`
  -- the three TFP measures, and :func:`~tfp_talent.tfp.measure.measure_tfp`, one entry point
  for any panel (used by ``tfp-talent tfp``);
* :mod:`~tfp_talent.tfp.prodfn` -- two-way FE production function, a diagnostic of α;
* :mod:`~tfp_talent.tfp.pipeline` -- the provincial workflow stage (settings, variants).
"""

from tfp_talent.tfp.capital import china_capital_stock, perpetual_inventory
from tfp_talent.tfp.labour import human_capital_index, labour_input, mincer_phi
from tfp_talent.tfp.malmquist import malmquist_index, output_distances
from tfp_talent.tfp.measure import measure_tfp
from tfp_talent.tfp.methods import METHODS
from tfp_talent.tfp.prodfn import production_function
from tfp_talent.tfp.solow import solow_residual
from tfp_talent.tfp.tornqvist import fill_labour_share, tornqvist_index

__all__ = [
    "METHODS",
    "china_capital_stock",
    "fill_labour_share",
    "human_capital_index",
    "labour_input",
    "malmquist_index",
    "measure_tfp",
    "mincer_phi",
    "output_distances",
    "perpetual_inventory",
    "production_function",
    "solow_residual",
    "tornqvist_index",
]
