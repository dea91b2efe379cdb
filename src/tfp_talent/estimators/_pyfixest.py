"""Call pyfixest's ``feols`` without loading the plotting and table packages it never uses here.

Why: importing ``pyfixest.estimation`` imports ``matplotlib.pyplot`` and ``seaborn``
(randomisation-inference plots), and every ``feols`` call imports ``pyfixest.report``
(maketables, great_tables, matplotlib) only to attach ``summary``, ``coefplot``, ``iplot``
and ``etable`` to the fitted model. In a workflow job that is about 1 of the job's
2.5 CPU seconds (pyfixest 0.60; ``benchmarks/README.md``, *Workflow*).

How: while pyfixest is imported and while ``feols`` runs (inside :func:`trimmed_imports`),
``sys.modules`` holds placeholders for those modules. A placeholder loads the real module the
first time one of its attributes is used, except the four report functions, which become
stand-ins that load ``pyfixest.report`` when called. On leaving the block the placeholders
are removed, so a later ``import matplotlib.pyplot`` or ``pf.etable`` gets the real module,
and ``fit.summary()`` / ``fit.etable()`` still work. Estimates are unaffected (tested to the
bit in ``tests/estimators/test_pyfixest_import.py``). If a pyfixest version uses one of the
modules while importing, :func:`load_feols` falls back to the ordinary import. (A thread
that imports matplotlib while another thread is inside ``feols`` gets a placeholder, which
still forwards every attribute to the real module.)
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import sys
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

DEFERRED = ("pyfixest.report", "matplotlib", "matplotlib.pyplot", "seaborn")
REPORT_FUNCTIONS = frozenset({"summary", "coefplot", "iplot", "etable"})


def _report_function(name: str) -> Callable[..., Any]:
    """A stand-in for ``pyfixest.report.<name>`` that imports the real module when called."""

    def call(*args: Any, **kwargs: Any) -> Any:
        """Forward to the real ``pyfixest.report`` function of the same name."""
        return getattr(importlib.import_module("pyfixest.report"), name)(*args, **kwargs)

    call.__name__ = name
    return call


class _Deferred(types.ModuleType):
    """Placeholder module: the real module is imported on first attribute access."""

    def __init__(self, name: str, placeholders: dict[str, _Deferred], path: list[str] | None) -> None:
        """A placeholder for module ``name``; ``placeholders`` are all of this block (for submodules).

        ``path`` is the package's search path (only for ``pyfixest.report``), so that its light
        submodules can be imported while the package itself stays a placeholder.
        """
        super().__init__(name)
        self._placeholders = placeholders
        if path is not None:
            self.__path__ = path  # lets light submodules (pyfixest.report.utils) import for real

    def __getattr__(self, attr: str) -> Any:
        """The attribute of the real module, imported now (dunder names raise ``AttributeError``).

        A report function of ``pyfixest.report`` is answered by its stand-in and a deferred
        submodule by its placeholder, neither importing anything; any other attribute removes
        the placeholder from ``sys.modules`` and imports the real module.
        """
        if attr.startswith("__"):
            raise AttributeError(attr)
        if self.__name__ == "pyfixest.report" and attr in REPORT_FUNCTIONS:
            return _report_function(attr)
        sub = self._placeholders.get(f"{self.__name__}.{attr}")
        if sub is not None and sys.modules.get(sub.__name__) is sub:
            return sub
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), attr)


@contextmanager
def trimmed_imports() -> Iterator[None]:
    """Placeholders for :data:`DEFERRED` modules not yet imported, removed on exit.

    Modules already in ``sys.modules`` are left alone; on exit only the placeholders still in
    place are removed (a placeholder already replaced by the real module leaves that module).
    """
    placeholders: dict[str, _Deferred] = {}
    for name in DEFERRED:
        if name in sys.modules:
            continue
        path = None
        if name == "pyfixest.report":
            spec = importlib.util.find_spec(name)
            path = list(spec.submodule_search_locations or []) if spec else None
        placeholders[name] = _Deferred(name, placeholders, path)
        sys.modules[name] = placeholders[name]
    try:
        yield
    finally:
        for name, stub in placeholders.items():
            if sys.modules.get(name) is stub:
                del sys.modules[name]


def load_feols() -> tuple[Callable[..., Any], Callable[..., Any], str]:
    """pyfixest's ``feols`` (to be called inside :func:`trimmed_imports`), ``ssc`` and version.

    The returned ``feols`` is wrapped so that every call runs inside :func:`trimmed_imports`.
    The first call imports ``pyfixest.estimation.api.feols`` with the placeholders in place; if
    that fails, every ``pyfixest`` module is removed and imported again the ordinary way.
    """
    if "pyfixest.estimation.api.feols" not in sys.modules:
        try:
            with trimmed_imports():
                importlib.import_module("pyfixest.estimation.api.feols")
        except Exception:
            for name in [m for m in sys.modules if m == "pyfixest" or m.startswith("pyfixest.")]:
                del sys.modules[name]
            importlib.import_module("pyfixest.estimation.api.feols")
    import pyfixest
    from pyfixest.estimation.api.feols import feols
    from pyfixest.utils.utils import ssc

    return functools.partial(_feols_trimmed, feols), ssc, pyfixest.__version__


def _feols_trimmed(feols: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``feols(*args, **kwargs)`` inside :func:`trimmed_imports`."""
    with trimmed_imports():
        return feols(*args, **kwargs)
