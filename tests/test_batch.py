"""``ldenrich batch``: one reference, many traits; the same bytes whatever runs them.

Nine traits: the real chr22 height statistics and eight simulated in the bundled panel's own
378 people (Z = X'y / sqrt(n) with standardised genotypes X, so the panel's LD is in them;
four null, four with 20 causal SNPs), plus one corrupt file. They run through one process, a
local pool of two, a real ``distributed.LocalCluster``, a ``dask scheduler`` and two ``dask
worker`` processes on 127.0.0.1, and three shards plus ``gather``. Every per-trait file must
be byte-identical in all of them and to a single ``ldenrich run`` of that trait (the log
aside, and the report aside from its command line); the corrupt trait must fail alone; and a
batch killed with SIGKILL half-way must, resumed, recompute only what it had not finished.
"""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ldenrich
from ldenrich.batch import REFERENCE_LOADS, Trait, gather, read_manifest, run_batch
from ldenrich.cli import main
from ldenrich.pipeline import Options, ReferenceInputs, SumStatsOptions

EX = ldenrich.example_data()
OPTIONS = Options(permutations=300, figures=False, threads=1)
REFERENCE = ReferenceInputs(bfile=EX.bfile, gene_loc=EX.gene_loc, gene_sets=[EX.gene_sets])
N_GOOD = 9
# The report is reproducible with it (its date); every process of the tests inherits it.
EPOCH = "1780000000"


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("traits")
    height = pd.read_csv(EX.sumstats, sep="\t")
    rng = np.random.default_rng(20261207)
    rows = ["trait\tsumstats\tn\tcohort"]
    rows.append(f"height\t{EX.sumstats}\t\tukb")
    # Z of a trait measured in the panel's own people: X'e / sqrt(n) has the panel's LD.
    from scipy import stats

    bim = ldenrich.read_bim(EX.bim).to_frame()
    row = dict(zip(bim.snp, range(len(bim)), strict=True))
    x = ldenrich._native.read_dosages(str(EX.bfile), [row[s] for s in height.SNP])
    sd = x.std(axis=0)
    x = (x - x.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    people = x.shape[0]
    for k in range(1, N_GOOD):
        trait = height.copy()
        phenotype = rng.standard_normal(people)
        if k % 2 == 0:
            # Odd traits are null; even ones get 20 causal SNPs explaining a share k/20.
            causal = rng.choice(x.shape[1], size=20, replace=False)
            genetic = x[:, causal] @ rng.standard_normal(20)
            genetic *= np.sqrt(k / 20) / genetic.std()
            phenotype = genetic + np.sqrt(1 - k / 20) * phenotype
        z = x.T @ phenotype / np.sqrt(people)
        trait["P"] = 2 * stats.norm.sf(np.abs(z))
        trait = trait.drop(columns=["N"]) if k == 3 else trait
        trait.to_csv(d / f"sim{k}.tsv.gz", sep="\t", index=False)
        n = "250000" if k == 3 else ""
        rows.append(f"sim{k}\tsim{k}.tsv.gz\t{n}\tsim")
    (d / "corrupt.tsv.gz").write_bytes(b"\x1f\x8b\x08\x00 this is not gzip")
    rows.append("corrupt\tcorrupt.tsv.gz\t\tbroken")
    path = d / "manifest.tsv"
    path.write_text("\n".join(rows) + "\n")
    return path


def _trait_files(out: Path) -> dict[str, bytes]:
    """Every per-trait file but the log (timestamps), by relative path."""
    files = {}
    for p in sorted((out / "traits").rglob("*")):
        if p.is_file() and p.suffix != ".log" and p.name not in ("done.json", "failed.json"):
            files[str(p.relative_to(out))] = p.read_bytes()
    return files


def _same_trait_files(a: Path, b: Path) -> None:
    fa, fb = _trait_files(a), _trait_files(b)
    assert sorted(fa) == sorted(fb)
    differing = [k for k in fa if fa[k] != fb[k]]
    assert not differing, differing


@pytest.fixture(scope="module")
def serial(manifest: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("serial")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    before = REFERENCE_LOADS["count"]
    res = run_batch(manifest, REFERENCE, out, OPTIONS, SumStatsOptions())
    # One process ran every trait: the reference was read once for all of them.
    assert REFERENCE_LOADS["count"] - before == 1
    assert res.n_failed == 1
    return out


def test_each_trait_succeeds_but_the_corrupt_one(serial: Path) -> None:
    status = pd.read_csv(serial / "status.tsv", sep="\t", keep_default_na=False)
    assert status.set_index("trait").status.to_dict() == {
        **{"height": "ok"},
        **{f"sim{k}": "ok" for k in range(1, N_GOOD)},
        "corrupt": "failed",
    }
    error = status.set_index("trait").error["corrupt"]
    assert "corrupt.tsv.gz" in error and "[" in error
    assert json.loads((serial / "traits/corrupt/failed.json").read_text())["status"] == "failed"
    # Metadata columns of the manifest are carried into the tables.
    assert set(status.cohort) == {"ukb", "sim", "broken"}
    qc = pd.read_csv(serial / "batch.qc.tsv", sep="\t")
    assert len(qc) == N_GOOD and (qc.n_snps_used == 15935).all()
    assert qc.set_index("trait").n["sim3"] == 250000


def test_batch_tables_hold_every_trait_with_batch_wide_corrections(serial: Path) -> None:
    from ldenrich._pvalues import benjamini_hochberg

    long = pd.read_csv(serial / "batch.enrichment.tsv", sep="\t")
    assert set(long.trait) == {"height", *(f"sim{k}" for k in range(1, N_GOOD))}
    # Each trait's rows are its own enrichment.tsv.
    own = pd.read_csv(serial / "traits/sim2/sim2.enrichment.tsv", sep="\t")
    mine = long[long.trait == "sim2"].drop(columns=["trait"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(mine[own.columns], own)
    p = long.enrichment_p_perm.to_numpy(dtype=float)
    tested = np.isfinite(p)
    assert np.allclose(long.batch_p_bonferroni[tested], np.minimum(p[tested] * tested.sum(), 1))
    assert np.allclose(long.batch_q_bh[tested], benjamini_hochberg(p[tested]))
    wide = pd.read_csv(serial / "batch.enrichment.wide.tsv", sep="\t").set_index("category")
    row = long[(long.trait == "height")].set_index("category")
    assert np.allclose(
        wide["height.enrichment"], row.enrichment.reindex(wide.index), equal_nan=True
    )
    sets = pd.read_csv(serial / "batch.sets.tsv", sep="\t")
    assert set(sets.trait) == set(long.trait)
    report = (serial / "batch.report.html").read_text()
    assert (
        "data:image/png;base64," in report and 'href="traits/height/height.report.html"' in report
    )


def test_a_trait_is_byte_identical_to_a_single_run(
    serial: Path, manifest: Path, tmp_path: Path
) -> None:
    out = tmp_path / "single" / "sim4"
    args = [
        "run",
        "--sumstats",
        str(manifest.parent / "sim4.tsv.gz"),
        "--bfile",
        str(EX.bfile),
        "--gene-loc",
        str(EX.gene_loc),
        "--gene-sets",
        str(EX.gene_sets),
        "--permutations",
        "300",
        "--no-figures",
        "--out",
        str(out),
    ]
    before = ldenrich._native.universes_built()
    assert main(args) == 0
    # The screen and the gene analysis shared one SNP universe.
    assert ldenrich._native.universes_built() - before == 1
    assert "not built again" in out.with_name("sim4.log").read_text()
    batch = serial / "traits" / "sim4"
    names = sorted(p.name for p in out.parent.iterdir() if p.suffix != ".log")
    assert names == sorted(p.name for p in batch.iterdir() if p.suffix not in (".log", ".json"))
    for name in names:
        a, b = (out.parent / name).read_bytes(), (batch / name).read_bytes()
        if name.endswith(".report.html"):
            # The report records its command line: the batch's is the equivalent `run`.
            a, b = (_without_command(x) for x in (a, b))
        assert a == b, name


def _without_command(html: bytes) -> bytes:
    text = html.decode()
    start = text.index("<dt>Command</dt>")
    end = text.index("</dd>", start)
    date = text.index("<dt>Date</dt>")
    return (text[:start] + text[end:date]).encode()


def test_a_local_pool_gives_the_same_files(serial: Path, manifest: Path, tmp_path: Path) -> None:
    res = run_batch(manifest, REFERENCE, tmp_path, OPTIONS, workers=2)
    assert res.n_failed == 1
    _same_trait_files(serial, tmp_path)
    assert filecmp.cmp(serial / "batch.enrichment.tsv", tmp_path / "batch.enrichment.tsv", False)


def test_batch_composition_does_not_change_a_trait(
    serial: Path, manifest: Path, tmp_path: Path
) -> None:
    traits = read_manifest(manifest)
    subset = [t for t in traits if t.name in ("sim5", "height")][::-1]
    run_batch(subset, REFERENCE, tmp_path, OPTIONS)
    for name in ("sim5", "height"):
        for p in (tmp_path / "traits" / name).iterdir():
            if p.suffix not in (".log", ".json"):
                assert p.read_bytes() == (serial / "traits" / name / p.name).read_bytes(), p


@pytest.mark.slow
def test_a_dask_local_cluster_gives_the_same_files(
    serial: Path, manifest: Path, tmp_path: Path
) -> None:
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, dashboard_address=None, processes=True
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        res = run_batch(manifest, REFERENCE, tmp_path, OPTIONS, scheduler=c)
    assert res.n_failed == 1
    _same_trait_files(serial, tmp_path)


def batch_command(manifest: Path, out: Path, *extra: str) -> list[str]:
    """``ldenrich batch`` with the options of :data:`OPTIONS`, as a separate process."""
    return [
        sys.executable, "-m", "ldenrich", "batch", "--manifest", str(manifest),
        "--bfile", str(EX.bfile), "--gene-loc", str(EX.gene_loc), "--gene-sets", str(EX.gene_sets),
        "--permutations", "300", "--no-figures", "--threads", "1", *extra, "--out", str(out),
    ]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_a_scheduler_and_two_worker_processes_give_the_same_files(
    serial: Path, manifest: Path, tmp_path: Path
) -> None:
    pytest.importorskip("distributed")
    dask = Path(sys.executable).with_name("dask")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    log = open(tmp_path / "cluster.log", "w")
    procs = [
        subprocess.Popen(
            [str(dask), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            stdout=log,
            stderr=log,
            env=env,
        )
    ]
    try:
        time.sleep(2)
        for _ in range(2):
            procs.append(
                subprocess.Popen(
                    [str(dask), "worker", address, "--nthreads", "1", "--no-dashboard"],
                    stdout=log,
                    stderr=log,
                    env=env,
                )
            )
        out = tmp_path / "out"
        cli = batch_command(manifest, out, "--scheduler", address)
        done = subprocess.run(cli, env=env, capture_output=True, text=True, timeout=300)
        # Exit status: the number of failed traits.
        assert done.returncode == 1, done.stderr
        assert "8 ok" not in done.stderr and f"{N_GOOD} ok, 0 reused" in done.stderr
        _same_trait_files(serial, out)
    finally:
        for p in procs[::-1]:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
        log.close()


def test_shards_and_gather_give_the_same_files_and_tables(
    serial: Path, manifest: Path, tmp_path: Path
) -> None:
    for i in (1, 2, 3):
        res = run_batch(manifest, REFERENCE, tmp_path, OPTIONS, shard=(i, 3))
        assert res.tables == {}
        assert len(res.statuses) in (3, 4)
    written = gather(tmp_path)
    _same_trait_files(serial, tmp_path)
    for name in (
        "batch.enrichment.tsv",
        "batch.enrichment.wide.tsv",
        "batch.sets.tsv",
        "batch.qc.tsv",
    ):
        assert filecmp.cmp(serial / name, written[name], shallow=False), name
    # The CLI's gather: exit status is the number of traits not ok.
    assert main(["gather", str(tmp_path)]) == 1


def test_a_rerun_reuses_finished_traits_and_redoes_changed_ones(
    serial: Path, manifest: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    shutil.copytree(serial, out)
    traits = read_manifest(manifest)
    # Outputs of the copy live elsewhere: the fingerprint is of inputs and options, not paths.
    res = run_batch(traits, REFERENCE, out, OPTIONS)
    assert {s["status"] for s in res.statuses if s["trait"] != "corrupt"} == {"reused"}
    changed = Options(permutations=301, figures=False, threads=1)
    res = run_batch(traits[:2], REFERENCE, out, changed)
    assert [s["status"] for s in res.statuses] == ["ok", "ok"]


@pytest.mark.slow
def test_a_batch_killed_half_way_resumes_and_recomputes_only_the_rest(
    serial: Path, manifest: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    cli = batch_command(manifest, out)
    proc = subprocess.Popen(
        cli, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    deadline = time.monotonic() + 120
    while len(list(out.glob("traits/*/done.json"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    finished = {p.parent.name for p in out.glob("traits/*/done.json")}
    assert 3 <= len(finished) < N_GOOD
    # Nothing the killed run left looks complete: no batch tables, no half-written trait.
    assert not (out / "batch.enrichment.tsv").exists()
    for d in (out / "traits").iterdir():
        if d.name not in finished:
            assert not (d / "done.json").exists()
    done = subprocess.run(cli, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stderr
    status = {}
    for line in done.stderr.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1] in ("ok", "reused", "failed"):
            status[parts[0]] = parts[1]
    assert {t for t, s in status.items() if s == "reused"} == finished, done.stderr
    assert {t for t, s in status.items() if s == "ok"} == (
        {"height", *(f"sim{k}" for k in range(1, N_GOOD))} - finished
    ), done.stderr
    assert {"height", *(f"sim{k}" for k in range(1, N_GOOD))} - finished
    _same_trait_files(serial, out)


def test_manifest_errors_name_file_line_and_column(tmp_path: Path) -> None:
    cases = {
        "trait\tfile\nx\ty.tsv\n": "no 'sumstats' column",
        "trait\tsumstats\nx\ta.tsv\nx\tb.tsv\n": ":3:1: trait 'x' repeats line 2",
        "trait\tsumstats\tn\nx\ta.tsv\tmany\n": ":2:3: n 'many' is not a number",
        "trait\tsumstats\tn\nx\ta.tsv\t-4\n": ":2:3: n must be a positive number",
        "trait\tsumstats\nx/../y\ta.tsv\n": ":2:1: trait 'x/../y' must be",
        "trait\tsumstats\nx\ta.tsv\textra\n": ":2: 3 fields where the header has 2",
        "trait\tsumstats\n": "has a header but no trait",
        "": "the manifest is empty",
    }
    for i, (text, message) in enumerate(cases.items()):
        path = tmp_path / f"m{i}.tsv"
        path.write_text(text)
        with pytest.raises(ldenrich.ParseError, match=None) as caught:
            read_manifest(path)
        assert message in str(caught.value) and str(path) in str(caught.value)


def test_case_control_counts_give_the_sample_size() -> None:
    trait = Trait("t", Path("x"), ncase=1000.0, ncontrol=3000.0)
    assert trait.sumstats_options(SumStatsOptions()).n == 4000
    assert trait.sumstats_options(SumStatsOptions(n_effective=True)).n == pytest.approx(3000)
    assert Trait("t", Path("x"), n=10.0).sumstats_options(SumStatsOptions(n=5)).n == 10


def test_one_multi_trait_vcf_serves_several_rows(tmp_path: Path) -> None:
    path = tmp_path / "m.tsv"
    path.write_text("trait\tsumstats\tvcf_sample\tcohort\nA\topengwas.vcf.gz\tieu-a-2\tx\n"
                    "B\topengwas.vcf.gz\tieu-b-7\ty\nC\tother.tsv\t\tz\n")  # fmt: skip
    a, b, c = read_manifest(path)
    assert (a.sumstats, b.sumstats) == (tmp_path / "opengwas.vcf.gz",) * 2
    assert [t.sumstats_options(SumStatsOptions()).vcf_sample for t in (a, b, c)] == [
        "ieu-a-2", "ieu-b-7", None,
    ]  # fmt: skip
    assert a.metadata == {"cohort": "x"}
    base = SumStatsOptions(vcf_sample="ieu-a-9")
    assert c.sumstats_options(base).vcf_sample == "ieu-a-9"


def test_a_touched_file_is_reused_and_a_changed_one_recomputed(
    manifest: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "trait.tsv.gz"
    shutil.copy(manifest.parent / "sim1.tsv.gz", copy)
    options = Options(analyses=("screen",), permutations=0, threads=1)
    ref = ReferenceInputs(bim=EX.bim, gene_loc=EX.gene_loc, gene_sets=[EX.gene_sets])
    traits = [Trait("x", copy)]
    assert run_batch(traits, ref, tmp_path / "out", options).statuses[0]["status"] == "ok"
    os.utime(copy, ns=(1, 1))  # same bytes, another time: the digest decides
    assert run_batch(traits, ref, tmp_path / "out", options).statuses[0]["status"] == "reused"
    shutil.copy(manifest.parent / "sim2.tsv.gz", copy)
    # other bytes: recomputed
    assert run_batch(traits, ref, tmp_path / "out", options).statuses[0]["status"] == "ok"


def test_sldsc_in_the_batch_is_ldenrich_h2_on_each_trait(manifest: Path, tmp_path: Path) -> None:
    # LD scores of two annotations of the bundled panel (a base and the gene windows).
    ld = tmp_path / "ld"
    ld.mkdir()
    bim = ldenrich.read_bim(EX.bim).to_frame()
    genes = pd.read_csv(EX.gene_loc, sep=r"\s+", header=None)
    genes = genes[genes[1].astype(str) == "22"]
    bp = bim.bp.to_numpy()
    inside = np.zeros(len(bp))
    for start, end in zip(genes[2], genes[3], strict=True):
        inside[(bp >= start) & (bp <= end)] = 1
    annot = pd.DataFrame({"base": np.ones(len(bp)), "genes": inside})
    ldenrich.write_ldscore(ldenrich.ldscore(EX.bfile, annot, ld_wind_cm=1.0), ld / "ref.22")
    ldenrich.write_ldscore(ldenrich.ldscore(EX.bfile, ld_wind_cm=1.0), ld / "w.22")
    traits = [t for t in read_manifest(manifest) if t.name in ("height", "sim2")]
    ref = ReferenceInputs(
        bim=EX.bim, gene_loc=EX.gene_loc, gene_sets=[EX.gene_sets],
        ref_ld_chr=str(ld / "ref."), w_ld_chr=str(ld / "w."),
    )  # fmt: skip
    options = Options(analyses=("screen", "h2"), permutations=0, threads=1)
    res = run_batch(traits, ref, tmp_path / "out", options)
    assert res.n_failed == 0
    table = pd.read_csv(tmp_path / "out" / "batch.h2.tsv", sep="\t")
    assert set(table.trait) == {"height", "sim2"}
    qc = pd.read_csv(tmp_path / "out" / "batch.qc.tsv", sep="\t").set_index("trait")
    for trait in traits:
        single = tmp_path / "single" / trait.name
        args = ["h2", "--h2", str(trait.sumstats), "--ref-ld-chr", str(ld / "ref."),
                "--w-ld-chr", str(ld / "w."), "--threads", "1", "--out", str(single)]  # fmt: skip
        assert main(args) == 0
        batch = tmp_path / "out" / "traits" / trait.name / f"{trait.name}.h2.results"
        assert batch.read_bytes() == single.with_name(trait.name + ".results").read_bytes()
        fit = ldenrich.partitioned_h2(trait.sumstats, str(ld / "ref."), str(ld / "w."))
        assert qc.h2[trait.name] == pytest.approx(fit.summary["h2"], rel=1e-12)
