"""tfp_talent: talent stock, talent quality and TFP across China's provinces.

Sub-packages by stage: ``data`` (raw readers, province registry, clean panel),
``tfp`` (capital stock, labour input, TFP measures), ``estimators`` (panel
models, Hausman, IV, Hansen threshold), ``report`` (tables, figures, report).

Also: ``spatial`` (spatial weights and exploratory spatial statistics), ``indices``
(entropy-weight, coupling-coordination and NQPF indices), ``study`` (the specifications the
workflow estimates) and ``cli`` (the ``tfp-talent`` command for any user panel). Shared by all:
:mod:`tfp_talent.errors` (the one bad-input error, exit code 2), :mod:`tfp_talent.io` (atomic,
deterministic outputs; reading user panels), :mod:`tfp_talent.logs` (logging of workflow scripts),
:mod:`tfp_talent.config` (cross-field config checks) and :mod:`tfp_talent.within` (lags, leads and
cumulated changes within provinces). The Snakemake workflow (``Snakefile``, ``workflow/``) calls
these functions through thin adapter scripts; every function is usable without it.
"""

__version__ = "0.1.0"
