"""The study: talent measures, model terms, estimation samples and the specification runner.

A one-way stack (each module imports only from those above it):

``common``      panel keys, the ``specs.<name>`` error context, JSON conversion;
``transforms``  pure panel operations (lags, frontier distance, winsorising, interactions);
``terms``       the term grammar (``L<k>.x``, ``D.x``, ``ln.x``, ``cum.x``, ``dist_frontier``, ``a×b``);
``runners``     one module per spec kind: its normalisation and its estimation;
``spec``        spec defaults, normalisation and the ``KINDS`` registry;
``sample``      filter -> complete -> balance -> interact: the estimation sample of a spec;
``run``         a spec -> a JSON-ready result dict;
``labels``      term labels, sample notes, model and covariance names;
``results``     picking results out of the results files;
``tables``, ``figures``, ``report_context``  the study's tables (``TABLE_KINDS``), figures
                (``FIGURE_KINDS``) and the report's numbers.

Cross-field checks of the config (specs named by tables, ...) are in :mod:`tfp_talent.config`.
"""
