"""One module per spec kind: how the kind completes a spec (``normalise``), adds terms (``design``)
and estimates its sample (``run``). They are registered in :data:`tfp_talent.study.spec.KINDS`.

The protocol (the fields of :class:`tfp_talent.study.spec.Kind`), shared by every module here:

``normalise_<kind>(spec, where)``
    ``spec`` is the spec being normalised (a mutable dict with every default of
    :data:`~tfp_talent.study.spec.SPEC_DEFAULTS`, before ``effects`` is derived from the model);
    the function fills the kind's own block with its defaults, may set other keys (``cov``,
    ``sample.balance``) and raises :class:`~tfp_talent.errors.InputError` with ``file=where``
    (``specs.<name>``) and the offending key as ``column``.
``design_<kind>(spec, design)``
    adds the kind's terms to the :class:`~tfp_talent.study.terms.Design` in place (instruments, the
    threshold variable, the mediator, ``extra`` columns) before the sample is built.
``run_<kind>(spec, af, *, seed, workers)``
    ``spec`` is the normalised spec plus ``inference`` (the config's ``inference:`` block), ``af``
    the :class:`~tfp_talent.study.sample.AnalysisFrame` of the spec, ``seed`` the config's
    top-level ``seed`` (every bootstrap and simulation draws from it), ``workers`` the processes a
    kind may use (results never depend on it). Returns the kind's result blocks, JSON-ready, which
    :func:`tfp_talent.study.run.run_spec` adds to the common keys of the result; errors raised
    inside are prefixed with ``specs.<name>`` there.
"""
