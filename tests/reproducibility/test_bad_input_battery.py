"""Bad-input battery (issue 6, item 3): a catalogue of broken inputs fed to the CLI and to the workflow.

For every case the contract of :class:`tfp_talent.errors.InputError` is checked end to end,
in a subprocess as a user would run it:

* the exit code is non-zero (2 for the CLI, Snakemake's 1 for the workflow);
* exactly one line ``error: ...`` names the file and the column / rows concerned (for the
  workflow, that line is in Snakemake's stderr and in the rule's log; config errors found
  while Snakemake parses the workflow are reported by Snakemake itself, one
  ``WorkflowError`` naming the config key);
* no Python traceback (``Traceback (most recent call last)``) anywhere on stderr;
* no output file, complete or partial (no ``.<name>.*.tmp`` leftovers of atomic writes);
* the input files are byte-identical afterwards, and the checkout's ``data/raw`` too.

The workflow cases run Snakemake on copies of the project (see ``repro_helpers``) and
target only the job that must fail (``data/processed/panel.parquet`` for broken raw files).
Subprocesses run two at a time (:class:`repro_helpers.Batch`) to keep the wall time low.
Reference for the simulated CLI panel: a seeded draw (numpy default_rng(2026)).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from repro_helpers import (
    RAW,
    SNAKEMAKE,
    TRACEBACK,
    Batch,
    error_lines,
    leftovers,
    load_config,
    make_project,
    run_cli,
    save_config,
    selected_params,
    sha256,
    snakemake,
    tree_digests,
    update_checksum,
)

from tfp_talent.data.provinces import PROVINCES


@pytest.fixture(scope="module", autouse=True)
def checkout_raw_untouched():
    """The checkout's data/raw is byte-identical before and after the whole battery."""
    before = tree_digests(RAW)
    yield
    assert tree_digests(RAW) == before


# =============================================================================== CLI

ENTITIES = [p.name_short for p in PROVINCES[:30]]  # Chinese names: the encoding case needs non-ASCII text
YEARS = list(range(2000, 2012))


def sim_panel() -> pd.DataFrame:
    """Balanced 30 x 12 panel: y with a threshold in q, positive Y, K, L for the TFP methods."""
    rng = np.random.default_rng(2026)
    n = len(ENTITIES) * len(YEARS)
    x1, x2, q = rng.normal(size=n), rng.normal(size=n), rng.uniform(size=n)
    return pd.DataFrame(
        {
            "province": np.repeat(ENTITIES, len(YEARS)),
            "year": np.tile(YEARS, len(ENTITIES)),
            "y": 0.5 * x1 + np.where(q > 0.5, 1.0, 0.2) * x2 + rng.normal(size=n),
            "x1": x1,
            "x2": x2,
            "q": q,
            "Y": np.exp(1.0 + 0.3 * x1),
            "K": np.exp(2.0 + 0.5 * x2),
            "L": np.exp(1.0 + 0.1 * x1),
            "s": rng.uniform(0.4, 0.6, size=n),
        }
    )


def _csv(frame: pd.DataFrame, path: Path, **kw) -> Path:
    frame.to_csv(path, index=False, **kw)
    return path


def _row(frame: pd.DataFrame, province: str, year: int) -> int:
    return int(frame.index[(frame["province"] == province) & (frame["year"] == year)][0])


def ok_file(f, d):
    return _csv(f, d / "panel.csv")


def gbk(f, d):
    return _csv(f, d / "panel.csv", encoding="gbk")


def truncated(keep: int):
    """The file cut inside its last line, after ``keep`` fields (as an interrupted copy leaves it)."""

    def make(f, d):
        path = _csv(f, d / "panel.csv")
        data = path.read_bytes().rstrip(b"\n")
        start = data.rindex(b"\n") + 1
        cut = start
        for _ in range(keep):
            cut = data.index(b",", cut) + 1
        path.write_bytes(data[: cut + 2])  # two characters into the next field
        return path

    return make


def renamed(old, new):
    return lambda f, d: _csv(f.rename(columns={old: new}), d / "panel.csv")


def duplicated(province, year):
    return lambda f, d: _csv(pd.concat([f, f.loc[[_row(f, province, year)]]]), d / "panel.csv")


def cell(column, province, year, value):
    def make(f, d):
        g = f.astype({column: object})
        g.loc[_row(g, province, year), column] = value
        return _csv(g, d / "panel.csv")

    return make


def dropped(*keys):
    return lambda f, d: _csv(f.drop(index=[_row(f, p, y) for p, y in keys]), d / "panel.csv")


def empty(f, d):
    path = d / "panel.csv"
    path.write_bytes(b"")
    return path


DATA = ["--data", "{data}", "--entity", "province", "--time", "year"]
PANEL = ["panel", *DATA, "--y", "y", "--x", "x1", "x2", "--model", "fe", "--effects", "twoway", "--cov", "clustered", "--out", "{out}"]
HAUSMAN = ["hausman", *DATA, "--y", "y", "--x", "x1", "x2", "--out", "{out}"]
IV = ["iv", *DATA, "--y", "y", "--x", "x1", "--endog", "x2", "--instruments", "L2.x9", "--out", "{out}"]
THRESHOLD = ["threshold", *DATA, "--y", "y", "--x", "x1", "--rx", "x2", "--qx", "q", "--grid", "40", "--trim", "0.1",
             "--bootstrap", "20", "--seed", "1", "--quiet", "--out", "{out}"]  # fmt: skip
TFP = ["tfp", "--method", "solow", *DATA, "--output", "Y", "--capital", "K", "--labor", "L", "--out", "{out}"]


def _swap(args, old, new):
    i = args.index(old)
    return [*args[:i], *new, *args[i + 1 :]] if isinstance(new, list) else [*args[:i], new, *args[i + 1 :]]


@dataclass(frozen=True)
class CliCase:
    id: str
    args: list[str]
    make: Callable[[pd.DataFrame, Path], Path]
    expect: tuple[str, ...]  # regexes, each found in the one `error:` line
    out_suffix: str = ".json"
    xfail: str | None = None


CLI_CASES = [
    CliCase("panel-wrong-encoding", PANEL, gbk, (r"panel\.csv: not valid UTF-8", r"save it as UTF-8")),
    CliCase("panel-truncated-file", PANEL, truncated(3), (r"panel\.csv", r"truncat|field")),
    CliCase("panel-header-renamed", PANEL, renamed("x2", "x_2"), (r"panel\.csv: column 'x2': missing column",)),
    CliCase("panel-duplicated-key", PANEL, duplicated("北京", 2005), (r"panel\.csv: columns 'province', 'year': duplicate", r"\(北京, 2005\)")),
    CliCase("panel-non-numeric-cell", PANEL, cell("x1", "天津", 2003, "…"), (r"panel\.csv: column 'x1': is not numeric", r"'…'")),
    CliCase("panel-empty-file", PANEL, empty, (r"panel\.csv: file is empty",)),
    CliCase("panel-option-out-of-range", _swap(PANEL, "clustered", "bogus"), ok_file, (r"argument --cov: invalid choice: 'bogus'",)),
    CliCase("hausman-duplicated-key", HAUSMAN, duplicated("上海", 2011), (r"duplicate keys", r"\(上海, 2011\)")),
    CliCase("iv-unknown-instrument", IV, ok_file, (r"panel\.csv: column 'x9': missing column",)),
    CliCase("threshold-unbalanced-panel", THRESHOLD, dropped(("北京", 2003), ("河北", 2007)),
            (r"panel\.csv: columns 'province', 'year': unbalanced panel", r"\(北京, 2003\), \(河北, 2007\)")),  # fmt: skip
    CliCase("threshold-truncated-file", THRESHOLD, truncated(4), (r"panel\.csv: the last line has 5 of 10 fields", r"truncated")),
    CliCase("threshold-trim-out-of-range", _swap(THRESHOLD, "0.1", "0.7"), ok_file, (r"column 'trim': trim must be in \[0, 0\.5\), got 0\.7",)),
    CliCase("threshold-non-numeric-cell", THRESHOLD, cell("q", "山西", 2001, "—"), (r"column 'q': is not numeric", r"\(山西, 2001\)")),
    CliCase("tfp-zero-before-logs", TFP, cell("K", "辽宁", 2004, 0.0), (r"column 'K': values must be > 0", r"\(辽宁, 2004\)"), ".csv"),
    CliCase("tfp-negative-before-lp", _swap(TFP, "solow", "malmquist"), cell("Y", "吉林", 2009, -1.5),
            (r"column 'Y': values must be > 0", r"\(吉林, 2009\)"), ".csv"),  # fmt: skip
    CliCase("tfp-wrong-encoding", TFP, gbk, (r"panel\.csv: not valid UTF-8",), ".csv"),
    CliCase("tfp-truncated-file", TFP, truncated(7), (r"panel\.csv: the last line has \d+ of \d+ fields", r"truncated"), ".csv"),
    CliCase("malmquist-missing-period", _swap(TFP, "solow", "malmquist"), dropped(("浙江", 2006)),
            (r"needs every period", r"\(浙江, 2006\)"), ".csv"),  # fmt: skip
    CliCase("tfp-labour-share-outside-0-1", _swap(_swap(TFP, "solow", "tornqvist"), "{out}", ["{out}", "--labor-share", "s"]),
            cell("s", "广东", 2008, 1.2), (r"column 's': labour share must lie strictly between 0 and 1", r"\(广东, 2008\)"), ".csv"),  # fmt: skip
]


def _cli_job(case: CliCase, root: Path):
    def job():
        d = root / case.id
        d.mkdir(parents=True)
        data = case.make(sim_panel(), d)
        before = sha256(data) if data.exists() else None
        out = d / "out" / f"result{case.out_suffix}"
        out.parent.mkdir()
        args = [a.replace("{data}", str(data)).replace("{out}", str(out)) for a in case.args]
        proc = run_cli(args, cwd=d)
        return {"proc": proc, "data": data, "before": before, "out": out}

    return job


@pytest.fixture(scope="module")
def cli_batch(request, tmp_path_factory):
    root = tmp_path_factory.mktemp("cli")
    return Batch({c.id: _cli_job(c, root) for c in selected_params(request, "cli_case")})


@pytest.mark.parametrize(
    "cli_case",
    [pytest.param(c, id=c.id, marks=[pytest.mark.xfail(reason=c.xfail, strict=True)] if c.xfail else []) for c in CLI_CASES],
)
def test_cli_bad_input(cli_batch, cli_case):
    run = cli_batch.result(cli_case.id)
    proc = run["proc"]
    assert TRACEBACK not in proc.stderr, proc.stderr[-2000:]
    assert proc.returncode == 2, f"exit {proc.returncode}; stderr: {proc.stderr[-1000:]}"
    errors = error_lines(proc.stderr)
    assert len(errors) == 1, proc.stderr
    for pattern in cli_case.expect:
        assert re.search(pattern, errors[0]), f"{pattern!r} not in {errors[0]!r}"
    assert not run["out"].exists() and not list(run["out"].parent.iterdir())  # no output, no temp file
    if run["before"] is not None:
        assert sha256(run["data"]) == run["before"]  # input untouched


# =============================================================================== workflow

GDP = "nbs-provincial-2000-2019/国民经济核算/地区生产总值.csv"
GDP_INDEX = "nbs-provincial-2000-2019/国民经济核算/地区生产总值指数.csv"
POPULATION = "nbs-provincial-2000-2019/人口/总人口.csv"
FISCAL = "nbs-provincial-2000-2019/财政/地方财政支出.csv"
PANEL_OUT = ("data/processed/panel.parquet", "data/processed/panel.csv", "data/processed/codebook.csv", "data/processed/codebook.md")
PANEL_TARGET = "data/processed/panel.parquet"


def _raw(work: Path, relative: str) -> Path:
    return work / "data" / "raw" / relative


def _edit(relative: str, old: str, new: str, *, sums: bool = True):
    """Replace text in a raw UTF-8 file of the copy (and, with ``sums``, re-record its checksum)."""

    def prepare(work: Path) -> None:
        path = _raw(work, relative)
        text = path.read_bytes().decode("utf-8")
        assert old in text, f"{old!r} not in {relative}"
        path.write_bytes(text.replace(old, new, 1).encode("utf-8"))
        if sums:
            update_checksum(work, relative)

    return prepare


def _bytes(relative: str, change: Callable[[bytes], bytes], *, sums: bool = True):
    def prepare(work: Path) -> None:
        path = _raw(work, relative)
        path.write_bytes(change(path.read_bytes()))
        if sums:
            update_checksum(work, relative)

    return prepare


def _cut_last_line(data: bytes) -> bytes:
    data = data.rstrip(b"\n")
    return data[: data.rindex(b",")]


def _fiscal_zero(work: Path) -> None:
    path = _raw(work, FISCAL)
    lines = path.read_bytes().decode("utf-8").split("\n")
    i = next(k for k, line in enumerate(lines) if line.startswith("110000,北京市,2019,"))
    fields = lines[i].split(",")
    lines[i] = ",".join([*fields[:3], "0", *fields[4:]])
    path.write_bytes("\n".join(lines).encode("utf-8"))
    update_checksum(work, FISCAL)


def _config(change: Callable[[dict], None]):
    def prepare(work: Path) -> None:
        config = load_config(work)
        change(config)
        save_config(work, config)

    return prepare


def _years(start: int) -> Callable[[dict], None]:
    return lambda c: c["years"].update(start=start)


@dataclass(frozen=True)
class WorkflowCase:
    id: str
    prepare: Callable[[Path], None] | None  # None: part of the shared downstream project
    target: str
    expect: tuple[str, ...]  # regexes, each found in the one `error:` line (or in Snakemake's message)
    absent: tuple[str, ...]
    log: str | None  # the failing rule's log, which must hold the message too
    snakemake_message: bool = False  # config errors at parse time: Snakemake's own WorkflowError


WORKFLOW_CASES = [
    WorkflowCase("raw-wrong-encoding", _bytes(GDP, lambda b: b.decode("utf-8").encode("gbk")), PANEL_TARGET,
                 (re.escape(GDP) + r": not valid UTF-8", r"GBK"), PANEL_OUT, "logs/panel.log"),  # fmt: skip
    WorkflowCase("raw-truncated-file", _bytes(GDP_INDEX, _cut_last_line, sums=False), PANEL_TARGET,
                 (r"SHA256SUMS: checksum mismatch for " + re.escape(GDP_INDEX),),
                 ("data/processed/raw_verified.txt", *PANEL_OUT), "logs/verify_raw.log"),  # fmt: skip
    WorkflowCase("raw-header-renamed", _edit(GDP, "地区生产总值(亿元)", "地区GDP(亿元)"), PANEL_TARGET,
                 (re.escape(GDP) + r": column '地区生产总值\(亿元\)': expected column not found",), PANEL_OUT, "logs/panel.log"),  # fmt: skip
    WorkflowCase("raw-duplicated-province-year", _edit(GDP, "\n110000,北京市,2018,", "\n110000,北京市,2019,"), PANEL_TARGET,
                 (re.escape(GDP), r"duplicated province-year rows", r"\(110000, 2019\)"), PANEL_OUT, "logs/panel.log"),  # fmt: skip
    WorkflowCase("raw-unknown-province", _edit(GDP, "110000,北京市,2019,", "110000,北平市,2019,"), PANEL_TARGET,
                 (re.escape(GDP) + r": unknown province name\(s\): '北平市'",), PANEL_OUT, "logs/panel.log"),  # fmt: skip
    WorkflowCase("raw-non-numeric-cell", _edit(GDP, "110000,北京市,2019,35445.1", "110000,北京市,2019,3544S.1"), PANEL_TARGET,
                 (re.escape(GDP) + r": column '地区生产总值\(亿元\)': non-numeric cell\(s\) '3544S\.1' \(rows: line 2\)",),
                 PANEL_OUT, "logs/panel.log"),  # fmt: skip
    WorkflowCase("raw-missing-value-marker", _edit(GDP, "110000,北京市,2019,35445.1", "110000,北京市,2019,…"), PANEL_TARGET,
                 (re.escape(GDP) + r": missing-value marker\(s\) '…' x1 \(rows: line 2\)", r"data\.missing_markers"),
                 PANEL_OUT, "logs/panel.log"),  # fmt: skip
    WorkflowCase("raw-zero-before-logs", _fiscal_zero, PANEL_TARGET,
                 (re.escape(FISCAL), r"column 'fiscal_exp_gdp': value must be positive \(logs are taken of it\)",
                  r"\(110000, 2019, 0\.0\)"), PANEL_OUT, "logs/panel.log"),  # fmt: skip
    WorkflowCase("raw-empty-file", _bytes(GDP_INDEX, lambda b: b""), PANEL_TARGET,
                 (re.escape(GDP_INDEX) + r": raw file is empty",), PANEL_OUT, "logs/panel.log"),  # fmt: skip
    WorkflowCase("raw-checksum-mismatch", _edit(POPULATION, "110000,北京市,2019,2154", "110000,北京市,2019,2155", sums=False),
                 PANEL_TARGET, (r"checksum mismatch for " + re.escape(POPULATION), r"restore it"),
                 ("data/processed/raw_verified.txt", *PANEL_OUT), "logs/verify_raw.log"),  # fmt: skip
    WorkflowCase("config-out-of-schema", _config(_years(1900)), PANEL_TARGET,
                 (r"Error validating config file", r"1900 is less than the minimum of 1952", r"\['years'\]\['start'\]"),
                 ("data/processed",), None, snakemake_message=True),  # fmt: skip
    WorkflowCase("config-start-after-end", _config(_years(2020)), PANEL_TARGET,
                 (r"bad configuration: config/config\.yaml: column 'years': years\.start \(2020\) is after years\.end \(2019\)",),
                 ("data/processed",), None, snakemake_message=True),  # fmt: skip
    # --- downstream of a valid panel: one shared project, one Snakemake run with --keep-going
    WorkflowCase("threshold-unbalanced-panel", None, "reports/results/thr_unbalanced.json",
                 (r"specs\.thr_unbalanced: column 'sample\.balance': the spec requires a balanced panel",
                  r"19 province-years are missing", r"\(Hebei, 2004\)"),
                 ("reports/results/thr_unbalanced.json",), "logs/study/estimate_thr_unbalanced.log"),  # fmt: skip
    WorkflowCase("user-labour-missing-provinces", None, "data/processed/labour.parquet",
                 (r"user/labour\.csv: column 'value': incomplete", r"provinces with no rows: 宁夏, 新疆", r"\(宁夏, 2000\)"),
                 ("data/processed/labour.parquet",), "logs/labour_input.log"),  # fmt: skip
    WorkflowCase("user-series-unknown-province", lambda work: _prepare_user_series(work), "data/processed/user_series.parquet",
                 (r"user/employment\.csv: column 'province': unknown province name\(s\): '北平'", r"line 3"),
                 ("data/processed/user_series.parquet", "data/processed/user_series.json"), "logs/user_series.log"),  # fmt: skip
]


def _user_file(path: Path, provinces, *, first: str | None = None) -> None:
    lines = ["# unit: 万人", "province,year,value"]
    if first:
        lines.append(first)
    lines += [f"{p.name_full},{y},{100 + i + (y - 2000) / 10:.1f}" for i, p in enumerate(provinces) for y in range(2000, 2020)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _prepare_user_series(work: Path) -> None:
    """A user series with an unknown province (its own copy: every study job takes the user series as input)."""
    _user_file(work / "user" / "employment.csv", PROVINCES, first="北平,2019,1.0")
    config = load_config(work)
    config["user_series"] = {"employment": {"file": "user/employment.csv", "unit": "万人", "positive": True}}
    save_config(work, config)


def _prepare_downstream(work: Path) -> None:
    """One copy holding two downstream cases: threshold spec on an unbalanced sample, and a labour CSV
    without Ningxia and Xinjiang."""
    _user_file(work / "user" / "labour.csv", PROVINCES[:-2])
    config = load_config(work)
    config["labour"].update(source="csv", file="user/labour.csv")
    spec = copy.deepcopy(config["specs"]["threshold"])
    # emp_nonfarm: 12 provinces only in 2004 -> the complete-case sample 2004-2019 is unbalanced
    spec.update(tfp=None, y="ln.gdp_real", controls=["emp_nonfarm"], label="Unbalanced")
    spec["sample"] = {"years": [2004, 2019], "balance": "require"}
    spec["threshold"] = {**spec["threshold"], "bootstrap": 0}
    config["specs"]["thr_unbalanced"] = spec
    save_config(work, config)


DOWNSTREAM = [c for c in WORKFLOW_CASES if c.prepare is None]


def _workflow_job(case: WorkflowCase | None, root: Path):
    """A job: copy the project, break it, run Snakemake on the target(s)."""

    def job():
        work = make_project(root / (case.id if case else "downstream"))
        if case is None:
            _prepare_downstream(work)
            targets = ["--keep-going", *[c.target for c in DOWNSTREAM]]
        else:
            case.prepare(work)
            targets = [case.target]
        before = tree_digests(work / "data" / "raw")
        proc = snakemake(work, *targets)
        return {"proc": proc, "work": work, "raw_before": before, "raw_after": tree_digests(work / "data" / "raw")}

    return job


@pytest.fixture(scope="module")
def workflow_batch(request, tmp_path_factory):
    root = tmp_path_factory.mktemp("workflow")
    selected = selected_params(request, "wf_case")
    jobs = {c.id: _workflow_job(c, root) for c in selected if c.prepare is not None}
    if any(c.prepare is None for c in selected):
        jobs["downstream"] = _workflow_job(None, root)
    return Batch(jobs)


@pytest.mark.slow
@pytest.mark.skipif(not SNAKEMAKE.exists(), reason="snakemake not installed in this environment")
@pytest.mark.parametrize("wf_case", WORKFLOW_CASES, ids=[c.id for c in WORKFLOW_CASES])
def test_workflow_bad_input(workflow_batch, wf_case):
    run = workflow_batch.result(wf_case.id if wf_case.prepare is not None else "downstream")
    proc, work = run["proc"], run["work"]
    assert proc.returncode != 0, proc.stderr[-3000:]
    assert TRACEBACK not in proc.stderr and TRACEBACK not in proc.stdout, proc.stderr[-3000:]
    if wf_case.snakemake_message:
        message = proc.stderr
        assert "WorkflowError" in message and not error_lines(message), message[-2000:]
    else:
        ours = [line for line in error_lines(proc.stderr) if all(re.search(p, line) for p in wf_case.expect)]
        assert len(ours) == 1, f"expected one error line matching {wf_case.expect}; stderr:\n{proc.stderr[-4000:]}"
        message = ours[0]
        assert "Error in rule" in proc.stderr  # Snakemake's own block follows our line
        log = (work / wf_case.log).read_text(encoding="utf-8")
        assert message.removeprefix("error: ") in log and TRACEBACK not in log
    for pattern in wf_case.expect:
        assert re.search(pattern, message), f"{pattern!r} not in {message!r}"
    for name in wf_case.absent:
        assert not (work / name).exists(), f"{name} exists after a failed run"
    assert not leftovers(work / "data") and not leftovers(work / "reports")
    assert run["raw_after"] == run["raw_before"]  # the workflow never writes into data/raw
