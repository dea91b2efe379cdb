"""One module per spec kind: how the kind completes a spec (``normalise``), adds terms (``design``)
and estimates its sample (``run``). They are registered in :data:`tfp_talent.study.spec.KINDS`."""
