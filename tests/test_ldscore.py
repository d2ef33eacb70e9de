"""LD scores (``ldenrich.ldscore``, ``ldenrich ldscore``) against pyldsc 0.1.0 (which agrees with
ldsc 2.0.1) for ldsc's window rule, and against a brute-force numpy double loop for the exact
rule, on a slice of the bundled 1000 Genomes chr22 panel with injected missing calls and
degenerate SNPs."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ldenrich
from ldenrich.cli import main

N_SNPS = 2500


def _write_panel(
    dst: Path, cm_scale: float = 1.0, zero_cm: bool = False, chroms: list[str] | None = None
) -> Path:
    """The first N_SNPS SNPs of the bundled panel, with ~2% missing calls, one monomorphic SNP,
    one all-heterozygous SNP and one with every call missing."""
    ex = ldenrich.example_data()
    n = len(Path(f"{ex.bfile}.fam").read_text().splitlines())
    width = (n + 3) // 4
    raw = np.frombuffer(Path(f"{ex.bfile}.bed").read_bytes()[3:], dtype=np.uint8)
    rows = raw.reshape(-1, width)[:N_SNPS].copy()
    rng = np.random.default_rng(22)
    codes = np.stack([(rows >> (2 * s)) & 3 for s in range(4)], axis=2).reshape(N_SNPS, -1)[:, :n]
    codes[rng.random(codes.shape) < 0.02] = 1
    codes[100] = 0
    codes[200] = 2
    codes[300] = 1
    padded = np.zeros((N_SNPS, width * 4), dtype=np.uint8)
    padded[:, :n] = codes
    packed = padded.reshape(N_SNPS, width, 4)
    rows = packed[:, :, 0] | packed[:, :, 1] << 2 | packed[:, :, 2] << 4 | packed[:, :, 3] << 6
    prefix = dst / "panel"
    Path(f"{prefix}.bed").write_bytes(bytes([0x6C, 0x1B, 0x01]) + rows.astype(np.uint8).tobytes())
    with gzip.open(ex.bim, "rt") as fh:
        bim = [line.split() for _, line in zip(range(N_SNPS), fh, strict=False)]
    for i, f in enumerate(bim):
        f[2] = "0" if zero_cm else repr(float(f[2]) * cm_scale)
        if chroms is not None:
            f[0] = chroms[i]
    Path(f"{prefix}.bim").write_text("".join("\t".join(f) + "\n" for f in bim))
    Path(f"{prefix}.fam").write_text(Path(f"{ex.bfile}.fam").read_text())
    return prefix


@pytest.fixture(scope="module")
def panel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write_panel(tmp_path_factory.mktemp("ldpanel"))


@pytest.fixture(scope="module")
def annot(panel: Path) -> pd.DataFrame:
    bim = pd.read_csv(f"{panel}.bim", sep="\t", header=None)
    rng = np.random.default_rng(5)
    bp = bim[3].to_numpy()
    return pd.DataFrame(
        {
            "sparse": (rng.random(len(bim)) < 0.05).astype(float),
            "interval": ((bp > bp[600]) & (bp < bp[1400])).astype(float),
            "cont": rng.normal(size=len(bim)),
        }
    )


def _standardized(prefix: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """numpy reimplementation of the SNP filter and standardisation: (X kept, kept rows, MAF)."""
    n_snps = len(Path(f"{prefix}.bim").read_text().splitlines())
    g = ldenrich._native.read_dosages(str(prefix), list(range(n_snps)))
    called = ~np.isnan(g)
    # ldsc takes min(f, 1 - f) of allele 2's frequency f: in floating point, a MAF of exactly
    # 0.05 is then above 0.05 when allele 1 is the minor one (and M_5_50 counts it).
    alleles = 2 * called.sum(axis=0)
    freq = (alleles - np.nansum(g, axis=0)) / np.maximum(alleles, 1)
    maf = np.minimum(freq, 1 - freq)
    het_or_missing = (np.isnan(g) | (g == 1)).sum(axis=0)
    keep = (maf > 0) & (het_or_missing < g.shape[0])
    g, called = g[:, keep], called[:, keep]
    x = np.where(called, g, np.nanmean(g, axis=0))
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    return x, np.flatnonzero(keep), maf[keep]


def test_exact_rule_matches_brute_force(panel: Path, annot: pd.DataFrame) -> None:
    x, kept, maf = _standardized(panel)
    n = x.shape[0]
    r = x.T @ x / n
    r2 = r**2 - (1 - r**2) / (n - 2)
    np.fill_diagonal(r2, 1.0)
    cm = pd.read_csv(f"{panel}.bim", sep="\t", header=None)[2].to_numpy()[kept]
    a = annot.to_numpy()[kept]
    got = ldenrich.ldscore(panel, annot, window_rule="exact")
    np.testing.assert_array_equal(
        got["SNP"].to_numpy(),
        pd.read_csv(f"{panel}.bim", sep="\t", header=None)[1].to_numpy()[kept],
    )
    np.testing.assert_allclose(got["MAF"], maf, rtol=1e-12)
    for w in (1.0,):
        want = (r2 * (np.abs(cm[:, None] - cm[None, :]) <= w)) @ a
        np.testing.assert_allclose(got[["sparseL2", "intervalL2", "contL2"]], want, atol=1e-9)
    assert got.attrs["M"]["sparseL2"] == a[:, 0].sum()
    assert got.attrs["M_5_50"]["contL2"] == pytest.approx(a[maf > 0.05, 2].sum(), abs=1e-9)
    assert got.attrs["dropped"] == {"monomorphic_or_het_only": 3, "maf": 0}
    # By SNP count and kb too; and a MAF filter.
    for kwargs, dist in (
        ({"ld_wind_snps": 37}, np.arange(len(kept), dtype=float)),
        (
            {"ld_wind_kb": 250},
            pd.read_csv(f"{panel}.bim", sep="\t", header=None)[3].to_numpy()[kept] / 1000.0,
        ),
    ):
        w = next(iter(kwargs.values()))
        got = ldenrich.ldscore(panel, annot.to_numpy(), window_rule="exact", **kwargs)
        want = (r2 * (np.abs(dist[:, None] - dist[None, :]) <= w)) @ a
        np.testing.assert_allclose(got.iloc[:, 5:], want, atol=1e-9)
    assert len(ldenrich.ldscore(panel, maf=0.2, ld_wind_snps=5)) == (maf > 0.2).sum()


def test_ldsc_rule_matches_pyldsc(panel: Path, annot: pd.DataFrame, tmp_path: Path) -> None:
    pyldsc = pytest.importorskip(
        "pyldsc", reason="the reference: pip install pyldsc==0.1.0 (test extra)"
    )
    ref = pyldsc.estimate_ldscore(
        str(panel), ld_wind_cm=1.0, annot=annot.to_numpy(), out=str(tmp_path / "ref")
    )
    got = ldenrich.ldscore(panel, annot)
    np.testing.assert_array_equal(got["SNP"].to_numpy(), ref["ldscore"]["SNP"].to_numpy())
    want = ref["ldscore"].iloc[:, 3:].to_numpy(dtype=float)
    np.testing.assert_allclose(got.iloc[:, 5:].to_numpy(), want, rtol=1e-10, atol=1e-9)
    # The printed files: identical values at ldsc's 3 decimals, identical M files.
    ldenrich.write_ldscore(got, tmp_path / "ours")
    ours = pd.read_csv(tmp_path / "ours.l2.ldscore.gz", sep="\t")
    theirs = pd.read_csv(tmp_path / "ref.l2.ldscore.gz", sep="\t")
    np.testing.assert_array_equal(ours.iloc[:, 3:].to_numpy(), theirs.iloc[:, 3:].to_numpy())
    for suffix in (".l2.M", ".l2.M_5_50"):
        assert (tmp_path / f"ours{suffix}").read_text() == (tmp_path / f"ref{suffix}").read_text()
    # ldsc's rule adds pairs to the exact window (each at least -1/(n-2) after bias correction).
    exact = ldenrich.ldscore(panel, annot[["sparse"]].to_numpy(), window_rule="exact")
    extra = got["sparseL2"].to_numpy() - exact["ANNOT0L2"].to_numpy()
    assert extra.max() > 0.05 and extra.mean() > 0


def test_threads_do_not_change_scores(panel: Path, annot: pd.DataFrame) -> None:
    one = ldenrich.ldscore(panel, annot, threads=1)
    two = ldenrich.ldscore(panel, annot, threads=2)
    pd.testing.assert_frame_equal(one, two, check_exact=True)


def test_cli_writes_ldsc_layout(panel: Path, annot: pd.DataFrame, tmp_path: Path) -> None:
    bim = pd.read_csv(f"{panel}.bim", sep="\t", header=None)
    full = pd.concat(
        [
            pd.DataFrame({"CHR": bim[0], "BP": bim[3], "SNP": bim[1], "CM": bim[2]}),
            annot[["sparse", "interval"]],
        ],
        axis=1,
    )
    full.to_csv(tmp_path / "a.annot.gz", sep="\t", index=False)
    annot[["cont"]].to_csv(tmp_path / "thin.annot", sep="\t", index=False)
    (tmp_path / "print.txt").write_text("".join(f"{s}\n" for s in bim[1][::7]))
    out = tmp_path / "out" / "chr22"
    assert (
        main(
            [
                "ldscore",
                "--bfile",
                str(panel),
                "--annot",
                str(tmp_path / "a.annot.gz"),
                "--annot",
                str(tmp_path / "thin.annot"),
                "--print-snps",
                str(tmp_path / "print.txt"),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    table = pd.read_csv(f"{out}.l2.ldscore.gz", sep="\t")
    assert list(table.columns) == ["CHR", "SNP", "BP", "sparseL2", "intervalL2", "contL2"]
    api = ldenrich.ldscore(panel, annot)
    printed = api[api["SNP"].isin(set(bim[1][::7]))]
    assert len(table) == len(printed) < len(api)
    np.testing.assert_allclose(table.iloc[:, 3:], printed.iloc[:, 5:], atol=5e-4 + 1e-12)
    m = Path(f"{out}.l2.M").read_text().split("\t")
    assert [float(v) for v in m] == pytest.approx(list(api.attrs["M"].values()), abs=1e-9)
    assert "sparseL2: M = " in Path(f"{out}.log").read_text()


def test_bad_maps_and_annotations_are_refused(
    tmp_path: Path, annot: pd.DataFrame, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "z").mkdir()
    morgans = _write_panel(tmp_path / "m", cm_scale=0.01)
    with pytest.raises(ldenrich.InconsistentInputError, match="Morgans"):
        ldenrich.ldscore(morgans)
    assert len(ldenrich.ldscore(morgans, ld_wind_kb=100)) == N_SNPS - 3
    zero = _write_panel(tmp_path / "z", zero_cm=True)
    with pytest.raises(ldenrich.InconsistentInputError, match="every cM"):
        ldenrich.ldscore(zero)
    assert main(["ldscore", "--bfile", str(zero), "--out", str(tmp_path / "o")]) == 1
    assert "every cM (column 3) of chromosome 22 is 0" in capsys.readouterr().err
    with pytest.raises(ldenrich.InvalidArgumentError, match="rows"):
        ldenrich.ldscore(morgans, np.ones((5, 1)), ld_wind_snps=3)
    bad = annot.copy()
    bad.iloc[7, 1] = np.nan
    with pytest.raises(ldenrich.InvalidArgumentError, match=r"line 8\), column 2"):
        ldenrich.ldscore(morgans, bad, ld_wind_snps=3)
    (tmp_path / "x.annot").write_text("A\n" + "1\n" * 5)
    with pytest.raises(ldenrich.InconsistentInputError, match=r"x\.annot: 5 rows"):
        ldenrich.ldscore(morgans, tmp_path / "x.annot", ld_wind_snps=3)
    with pytest.raises(ldenrich.InvalidArgumentError, match="window rule"):
        ldenrich.ldscore(morgans, ld_wind_snps=3, window_rule="ldcs")  # type: ignore[arg-type]
    with pytest.raises(ldenrich.InconsistentInputError, match="none of the 1 --print-snps"):
        ldenrich.ldscore(morgans, ld_wind_snps=3, print_snps=["rsNOPE"])


def test_windows_stop_at_chromosome_ends(tmp_path: Path, annot: pd.DataFrame) -> None:
    (tmp_path / "two").mkdir()
    (tmp_path / "one").mkdir()
    split = 1300
    two = _write_panel(tmp_path / "two", chroms=["21"] * split + ["22"] * (N_SNPS - split))
    one = _write_panel(tmp_path / "one")
    both = ldenrich.ldscore(two, annot, window_rule="exact")
    whole = ldenrich.ldscore(one, annot, window_rule="exact")
    assert list(both["CHR"].unique()) == ["21", "22"]
    # Within a chromosome nothing changes where no window crosses the split; at the split, the
    # two-chromosome scores lose exactly the cross pairs.
    far = both["BP"].to_numpy() < both["BP"].iloc[0] + 1e6
    np.testing.assert_allclose(both.iloc[:, 5:][far], whole.iloc[:, 5:][far], atol=1e-9)
    at_split = both.index[both["CHR"] == "22"][0]
    assert both["sparseL2"].iloc[at_split] != whole["sparseL2"].iloc[at_split]
    # A chromosome split into two runs of the .bim is refused.
    (tmp_path / "bad").mkdir()
    bad = _write_panel(tmp_path / "bad", chroms=(["21"] * 10 + ["22"] * 10) * (N_SNPS // 20))
    with pytest.raises(ldenrich.ParseError, match="chromosome 21 starts again"):
        ldenrich.ldscore(bad, ld_wind_snps=3)


def _brute_force_annotation(
    bp: np.ndarray, chrom: np.ndarray, genes: pd.DataFrame, sets: dict, up: float, down: float
) -> pd.DataFrame:
    """Each set's SNPs inside the window of any of its genes (MAGMA's strand-aware rule: up kb
    before the transcription start, down after the end), by direct comparison."""
    out = {}
    by_id = genes.set_index("gene")
    for name, members in sets.items():
        inside = np.zeros(len(bp), dtype=bool)
        for g in members:
            if g not in by_id.index:
                continue
            row = by_id.loc[g]
            before, after = (up, down) if row.strand == "+" else (down, up)
            lo, hi = max(int(row.start) - int(before * 1000), 0), int(row.stop) + int(after * 1000)
            inside |= (chrom == row.chrom) & (bp >= lo) & (bp <= hi)
        out[name] = inside.astype(float)
    return pd.DataFrame(out)


@pytest.mark.parametrize("window", [(100.0, 100.0), (35.0, 10.0), (0.0, 0.0)])
def test_gene_set_annotations_match_brute_force(window: tuple[float, float]) -> None:
    ex = ldenrich.example_data()
    genes = ldenrich.read_gene_loc(ex.gene_loc).to_frame()
    on22 = genes[genes.chrom == 22].gene.tolist()
    rng = np.random.default_rng(3)
    sets = {
        f"set {i}": [
            *rng.choice(on22, size=int(rng.integers(1, 40)), replace=False),
            "not-a-gene",
            genes.gene.iloc[0],
        ]
        for i in range(25)
    }
    sets["none"] = ["not-a-gene"]
    bim = ldenrich.read_bim(ex.bim).to_frame()
    made = ldenrich.make_annot(ex.bim, ex.gene_loc, sets, window=window)
    want = _brute_force_annotation(bim.bp.to_numpy(), bim.chrom.to_numpy(), genes, sets, *window)
    want.columns = [c.replace(" ", "_") for c in want.columns]
    pd.testing.assert_frame_equal(made, want)
    categories = pd.DataFrame(made.attrs["categories"]).set_index("name")
    assert categories.loc["none", "n_snps"] == 0 and categories.loc["none", "n_genes_found"] == 0
    assert made.attrs["missing_genes"]["set 0"] == ["not-a-gene"]


def test_bed_annotations_use_half_open_zero_based_intervals() -> None:
    ex = ldenrich.example_data()
    bim = ldenrich.read_bim(ex.bim).to_frame()
    bp = bim.bp.to_numpy()
    lo, hi = int(np.quantile(bp, 0.2)), int(np.quantile(bp, 0.3))
    frame = pd.DataFrame({"chrom": ["chr22", "chr21"], "start": [lo, 0], "end": [hi, 10**9]})
    made = ldenrich.make_annot(ex.bim, beds={"region": frame})
    # BED start is 0-based: the SNP at `lo` is outside, the one at `hi` inside.
    np.testing.assert_array_equal(made["region"], ((bp > lo) & (bp <= hi)).astype(float))


def test_cli_gene_set_ld_scores_in_one_pass(tmp_path: Path) -> None:
    ex = ldenrich.example_data()
    out = tmp_path / "sets.22"
    args = [
        "ldscore", "--bfile", str(ex.bfile), "--gene-sets", str(ex.gene_sets),
        "--gene-loc", str(ex.gene_loc), "--window", "35,10", "--ld-wind-snps", "200",
        "--write-annot", "--out", str(out),
    ]  # fmt: skip
    assert main(args) == 0
    made = ldenrich.make_annot(ex.bim, ex.gene_loc, ex.gene_sets, window=(35.0, 10.0))
    want = ldenrich.ldscore(ex.bfile, made, ld_wind_snps=200)
    ldenrich.write_ldscore(want, tmp_path / "want.22")
    for suffix in (".l2.ldscore.gz", ".l2.M", ".l2.M_5_50"):
        got, expected = (
            Path(f"{out}{suffix}").read_bytes(),
            (tmp_path / f"want.22{suffix}").read_bytes(),
        )
        if suffix.endswith(".gz"):
            got, expected = gzip.decompress(got), gzip.decompress(expected)
        assert got == expected, suffix
    back = ldenrich.read_annot(f"{out}.annot.gz", ldenrich.read_bim(ex.bim).to_frame().snp)
    pd.testing.assert_frame_equal(back.astype(float), made, check_dtype=False)
    log = Path(f"{out}.log").read_text()
    assert f"{made.shape[1]} annotations ({made.shape[1]} gene sets" in log
    assert "hold no SNP of the panel" in log
    # Gene sets without gene locations: one clear error.
    code = main(["ldscore", "--bfile", str(ex.bfile), "--gene-sets", str(ex.gene_sets),
                 "--out", str(tmp_path / "bad")])  # fmt: skip
    assert code != 0
    assert "--gene-loc" in (tmp_path / "bad.log").read_text()


def test_write_annot_with_annot_files_alone(tmp_path: Path) -> None:
    ex = ldenrich.example_data()
    made = ldenrich.make_annot(ex.bim, ex.gene_loc, ex.gene_sets)[["monoaminergic"]]
    thin = tmp_path / "thin.annot.gz"
    with gzip.open(thin, "wt") as fh:
        made.astype(int).to_csv(fh, sep="\t", index=False)
    out = tmp_path / "a.22"
    args = ["ldscore", "--bfile", str(ex.bfile), "--annot", str(thin), "--ld-wind-snps", "50",
            "--write-annot", "--out", str(out)]  # fmt: skip
    assert main(args) == 0
    back = ldenrich.read_annot(f"{out}.annot.gz", ldenrich.read_bim(ex.bim).to_frame().snp)
    np.testing.assert_array_equal(back["monoaminergic"], made["monoaminergic"])
    with pytest.raises(ldenrich.InvalidArgumentError, match="window"):
        ldenrich.make_annot(ex.bim, ex.gene_loc, ex.gene_sets, window=("a", 1))


def test_gene_sets_as_runs_give_the_matrix_scores(tmp_path: Path) -> None:
    """``ldscore(gene_sets=..., beds=...)`` (runs of SNPs, never a matrix) gives what the
    ``make_annot`` matrix gives, beside dense columns too; ``print_snps`` keeps exactly those
    rows (LD and M still over every SNP); the command line without ``--write-annot`` writes
    the same files as with it."""
    ex = ldenrich.example_data()
    bed = tmp_path / "peaks.bed"
    bed.write_text("chr22\t17000000\t17400000\nchr22\t30000000\t30250000\n")
    made = ldenrich.make_annot(ex.bim, ex.gene_loc, ex.gene_sets, [bed], window=(35.0, 10.0))
    want = ldenrich.ldscore(ex.bfile, made, ld_wind_cm=1.0)
    got = ldenrich.ldscore(ex.bfile, gene_sets=ex.gene_sets, beds=[bed], gene_loc=ex.gene_loc,
                           window=(35.0, 10.0), ld_wind_cm=1.0)  # fmt: skip
    assert list(got.columns) == list(want.columns)
    np.testing.assert_allclose(got.iloc[:, 5:].to_numpy(), want.iloc[:, 5:].to_numpy(),
                               rtol=1e-12, atol=1e-10)  # fmt: skip
    assert got.attrs["M"] == want.attrs["M"] and got.attrs["M_5_50"] == want.attrs["M_5_50"]
    assert got.attrs["categories"] == made.attrs["categories"]
    # Beside a dense continuous column.
    rng = np.random.default_rng(3)
    extra = pd.DataFrame({"cont": rng.normal(size=len(made))})
    both = ldenrich.ldscore(ex.bfile, extra, gene_sets=ex.gene_sets, beds=[bed],
                            gene_loc=ex.gene_loc, window=(35.0, 10.0), ld_wind_cm=1.0)  # fmt: skip
    dense = ldenrich.ldscore(ex.bfile, pd.concat([extra, made], axis=1), ld_wind_cm=1.0)
    np.testing.assert_allclose(both.iloc[:, 5:].to_numpy(), dense.iloc[:, 5:].to_numpy(),
                               rtol=1e-12, atol=1e-10)  # fmt: skip
    # Printed rows: exactly the subset, with the same M.
    wanted = want["SNP"].iloc[::7].tolist()
    part = ldenrich.ldscore(ex.bfile, gene_sets=ex.gene_sets, gene_loc=ex.gene_loc,
                            window=(35.0, 10.0), ld_wind_cm=1.0, print_snps=wanted)  # fmt: skip
    sub = want[want["SNP"].isin(wanted)].reset_index(drop=True)
    assert part["SNP"].tolist() == sub["SNP"].tolist()
    np.testing.assert_allclose(part.iloc[:, 5:].to_numpy(), sub[part.columns[5:]].to_numpy(),
                               rtol=1e-12, atol=1e-10)  # fmt: skip
    assert part.attrs["M"] == {k: v for k, v in want.attrs["M"].items() if k in part.columns}
    with pytest.raises(ldenrich.InconsistentInputError, match="none of the 1 --print-snps"):
        ldenrich.ldscore(ex.bfile, print_snps=["rs_not_in_panel"])
    # The command line: the same files with and without --write-annot.
    common = ["ldscore", "--bfile", str(ex.bfile), "--gene-sets", str(ex.gene_sets),
              "--bed", str(bed), "--build", "37", "--ld-wind-cm", "1"]  # fmt: skip
    assert main([*common, "--out", str(tmp_path / "runs.22")]) == 0
    assert main([*common, "--write-annot", "--out", str(tmp_path / "dense.22")]) == 0
    for suffix in (".l2.ldscore.gz", ".l2.M", ".l2.M_5_50"):
        a = (tmp_path / f"runs.22{suffix}").read_bytes()
        b = (tmp_path / f"dense.22{suffix}").read_bytes()
        if suffix.endswith(".gz"):
            a, b = gzip.decompress(a), gzip.decompress(b)
        assert a == b, suffix
    assert "hold no SNP of the panel" in (tmp_path / "runs.22.log").read_text()
