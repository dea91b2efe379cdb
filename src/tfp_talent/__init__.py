"""tfp_talent: talent stock, talent quality and TFP across China's provinces.

Sub-packages by stage: ``data`` (raw readers, province registry, clean panel),
``tfp`` (capital stock, labour input, TFP measures), ``estimators`` (panel
models, Hausman, IV, Hansen threshold), ``report`` (tables, figures, report).
"""

__version__ = "0.1.0"
