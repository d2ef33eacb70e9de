"""Calibration of every p-value the enrichment screen and the gene-set step report, on nulls.

    python3 benches/bench_calibration.py [--quick] [--out DIR] [--permutations K] [--seed S]

Measures, for categories of k = 1, 2, 3, 5, 10, 20, 50 genes, the fraction of null p-values
below 0.05 and 0.001 of ``enrichment_p`` (the study's jackknife normal p), ``enrichment_p_t``
(Student t, df = blocks holding the category - 1), ``enrichment_p_perm`` (circular shifts
within chromosomes), ``welch_p`` and ``mwu_p``, with the binomial SE, on

(a) an iid null: 1,000,000 iid chi-square(1) SNPs on 22 synthetic chromosomes, categories of k
    random 40-SNP "genes", chi-squares re-drawn in every replicate;
(b) a null with real LD: z ~ MVN(0, R) from the bundled 1000 Genomes EUR chr22 panel
    (independent blocks of >= 300 SNPs that never cut a gene window), chi-square = z^2,
    categories = unions of k random real chr22 MAGMA gene windows;
(c) power: the same with the chi-squares of a k-gene category's SNPs multiplied by a fold;
(d) the gene-set step: null gene Z from ``ldenrich.gene_analysis`` (with gene-gene
    correlations) on null z with real LD, then ``ldenrich.gene_set_analysis`` on random sets of
    k genes and on sets of k adjacent genes: p_one_sample, p_welch, p_competitive;

and times the permutation step (1,000 categories x 1,000 permutations on a few-million SNP
universe). Writes ``calibration.md`` (the tables) and ``calibration_qq_*.png`` into ``--out``
and prints the tables. ``--quick`` runs a smaller version of everything in about a minute.
"""

from __future__ import annotations

import argparse
import datetime
import inspect
import math
import os
import platform
import sys
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parent))

import calibration_sim as cs

import ldenrich

KS = (1, 2, 3, 5, 10, 20, 50)
SET_KS = (2, 3, 5, 10, 20, 50)  # the gene-set regression needs >= 2 genes
ALPHAS = (0.05, 0.001)
SET_ALPHAS = (0.05, 0.01, 0.001)
P_COLUMNS = (
    "enrichment_p", "enrichment_p_t", "enrichment_p_perm", "welch_p", "mwu_p", "p_t_kish",
)  # fmt: skip
P_LABELS = {
    "enrichment_p": "enrichment_p (study)",
    "enrichment_p_t": "enrichment_p_t",
    "enrichment_p_perm": "enrichment_p_perm",
    "welch_p": "welch_p",
    "mwu_p": "mwu_p",
    "p_t_kish": "p_t_kish (diagnostic)",
    "p_perm_random_place": "p_perm, random place (control)",
}
LD_COLUMNS = (*P_COLUMNS, "p_perm_random_place")
SET_P = ("p_one_sample", "p_welch", "p_competitive")
BLOCKS = 200

_PARAMS = inspect.signature(ldenrich.enrichment_arrays).parameters
HAS_PERM = "permutations" in _PARAMS
HAS_STOP = "perm_stop" in _PARAMS
PERM_STOP: int | None = None  # None: ldenrich's default (set from --perm-stop in main)


def screen(
    chisq: np.ndarray,
    cats: Mapping[str, np.ndarray],
    chrom: np.ndarray | None,
    permutations: int,
    seed: int,
    blocks: int = BLOCKS,
) -> pd.DataFrame:
    """The screen with the calibrated p's when this ldenrich has them; missing p's are NaN.

    Adds ``p_t_kish``, computed here and not by ldenrich: the study's z against Student t with
    df = (Kish's effective number of blocks, from the category's SNP counts per block) - 1, a
    candidate for blocks holding very unequal shares of the category.
    """
    kw: dict = {"blocks": blocks}
    if HAS_PERM:
        kw.update(permutations=permutations, seed=seed, chrom=chrom)
    if HAS_STOP and PERM_STOP is not None:
        kw["perm_stop"] = PERM_STOP
    table = ldenrich.enrichment_arrays(chisq, cats, **kw)
    for c in P_COLUMNS:
        if c not in table:
            table[c] = np.nan
    m = chisq.size
    sep = np.floor(np.linspace(0, m, min(blocks, m) + 1)).astype(np.int64)
    eff = []
    for name in table.category:
        counts = np.diff(np.searchsorted(np.flatnonzero(cats[name]), sep))
        eff.append(counts.sum() ** 2 / max(np.sum(counts.astype(np.float64) ** 2), 1))
    df = np.asarray(eff) - 1
    z = table.enrichment_z.to_numpy(dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        table["p_t_kish"] = np.where(
            df > 0, 2 * stats.t.sf(np.abs(z), np.maximum(df, 1e-9)), np.nan
        )
    table["kish_blocks"] = eff
    return table


# ---------------------------------------------------------------------------------------------
# Summaries


def rejection(rows: pd.DataFrame, columns: tuple[str, ...], alphas: tuple[float, ...], by: list):
    """Fraction of finite p below each alpha, per group, with binomial and replicate SEs."""
    out = []
    for key, g in rows.groupby(by, sort=False):
        rec = dict(zip(by, key if isinstance(key, tuple) else (key,), strict=True))
        rec["n"] = len(g)
        for c in columns:
            p = g[c].to_numpy(dtype=np.float64)
            ok = np.isfinite(p)
            rec[f"{c}:defined"] = ok.mean() if len(p) else np.nan
            for a in alphas:
                hit = (p < a) & ok
                n_ok = int(ok.sum())
                frac = hit.sum() / n_ok if n_ok else np.nan
                rec[f"{c}:{a}"] = frac
                rec[f"{c}:{a}:se"] = cs.binom_se(a, n_ok)
                # Categories of one replicate share a draw of chi-squares: the spread of the
                # per-replicate fractions says how much that correlation widens the error.
                per = g.assign(_h=hit, _ok=ok).groupby("rep")[["_h", "_ok"]].sum()
                per = per[per._ok > 0]
                if len(per) > 1 and n_ok:
                    fr = per._h / per._ok
                    w = per._ok / per._ok.sum()
                    var = np.sum(w**2 * (fr - frac) ** 2) * len(per) / (len(per) - 1)
                    rec[f"{c}:{a}:rse"] = math.sqrt(var)
                else:
                    rec[f"{c}:{a}:rse"] = np.nan
        out.append(rec)
    return pd.DataFrame(out)


def _cell(rec: Mapping, c: str, alphas: tuple[float, ...], flag: bool = True) -> str:
    parts = []
    for a in alphas:
        v = rec[f"{c}:{a}"]
        if not np.isfinite(v):
            parts.append("n/a")
            continue
        text = f"{v:.3f}" if a >= 0.01 else f"{v:.4f}"
        se = max(rec[f"{c}:{a}:se"], np.nan_to_num(rec[f"{c}:{a}:rse"]))
        if flag and v > a + 3 * se:
            text = f"**{text}**↑"
        elif flag and v < a - 3 * se:
            text += "↓"
        parts.append(text)
    return " / ".join(parts)


def null_table(
    summary: pd.DataFrame, alphas: tuple[float, ...] = ALPHAS, columns: tuple = P_COLUMNS
) -> str:
    head = ["k", "n", "SE@0.05", "SE@0.001", *(P_LABELS[c] for c in columns)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for rec in summary.to_dict("records"):
        n_ok = round(rec["n"] * rec["enrichment_p_perm:defined"]) or rec["n"]
        cells = [
            str(rec["k"]), str(rec["n"]),
            f"{cs.binom_se(alphas[0], n_ok):.4f}", f"{cs.binom_se(alphas[1], n_ok):.4f}",
            *(_cell(rec, c, alphas) for c in columns),
        ]  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    undefined = [
        f"k={rec['k']}: {c} {1 - rec[f'{c}:defined']:.1%}"
        for rec in summary.to_dict("records")
        for c in columns
        if np.isfinite(rec[f"{c}:defined"]) and 0 < rec[f"{c}:defined"] < 1
    ]
    if undefined:
        lines.append("")
        lines.append("Undefined (NaN, e.g. jackknife_ok False), excluded: " + "; ".join(undefined))
    return "\n".join(lines)


def power_table(summary: pd.DataFrame) -> str:
    head = ["null", "k", "fold", "n", *(P_LABELS[c] for c in P_COLUMNS)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for rec in summary.to_dict("records"):
        cells = [rec["null"], str(rec["k"]), f"{rec['fold']:g}", str(rec["n"])]
        cells += [
            "n/a" if not np.isfinite(rec[f"{c}:0.05"]) else f"{rec[f'{c}:0.05']:.3f}"
            for c in P_COLUMNS
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def set_table(summary: pd.DataFrame) -> str:
    head = ["k", "sets", "n", "SE@0.05", *SET_P]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for rec in summary.to_dict("records"):
        cells = [str(rec["k"]), rec["sets"], str(rec["n"]), f"{cs.binom_se(0.05, rec['n']):.4f}"]
        cells += [_cell(rec, c, SET_ALPHAS) for c in SET_P]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def qq_plot(rows: pd.DataFrame, columns: tuple[str, ...], by: str, title: str, path: Path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = list(dict.fromkeys(rows[by]))
    ncol = 4
    nrow = math.ceil(len(groups) / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(3.2 * ncol, 3.0 * nrow), squeeze=False)
    for ax, key in zip(axes.ravel(), groups, strict=False):
        g = rows[rows[by] == key]
        top = 0.0
        for c in columns:
            p = np.sort(g[c].to_numpy(dtype=np.float64))
            p = p[np.isfinite(p)]
            if not p.size:
                continue
            e = -np.log10((np.arange(1, p.size + 1) - 0.5) / p.size)
            o = -np.log10(np.maximum(p, 1e-300))
            ax.plot(e, o, lw=1.2, label=P_LABELS.get(c, c))
            top = max(top, e[0])
        n = len(g)
        i = np.arange(1, n + 1)
        e = -np.log10((i - 0.5) / n)
        ax.fill_between(
            e, -np.log10(stats.beta.ppf(0.975, i, n - i + 1)),
            -np.log10(stats.beta.ppf(0.025, i, n - i + 1)), color="0.85", lw=0,
        )  # fmt: skip
        ax.plot([0, top], [0, top], color="k", lw=0.6)
        ax.set_ylim(0, max(top * 2.2, 4))
        ax.set_title(f"{by} = {key} (n = {n})", fontsize=9)
        ax.set_xlabel("expected -log10 p", fontsize=8)
        ax.set_ylabel("observed -log10 p", fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in axes.ravel()[len(groups) :]:
        ax.axis("off")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.suptitle(title, fontsize=10, y=0.995)
    fig.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.97), fontsize=8,
               frameon=False, ncol=min(len(labels), 4))  # fmt: skip
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.55 / fig.get_figheight()))
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ---------------------------------------------------------------------------------------------
# (a) iid null and (c) power on it


def iid_rows(
    m: int, reps: int, per_k: int, permutations: int, seed: int, plant: tuple[int, float] | None
) -> pd.DataFrame:
    """One row per category; ``plant=(k, fold)`` multiplies each category's chi-squares by fold.

    With ``plant`` every category is tested in its own draw (a planted category must not raise
    the others' background), so ``per_k`` is then the number of draws.
    """
    rng = np.random.default_rng(seed)
    chrom = cs.iid_chromosomes(m)
    rows = []
    for rep in range(reps):
        chisq = rng.chisquare(1, m)
        if plant is None:
            cats, ks = {}, {}
            for k in KS:
                for j in range(per_k):
                    name = f"k{k}_{j}"
                    cats[name], ks[name] = cs.iid_gene_mask(rng, chrom, k), k
            table = screen(chisq, cats, chrom, permutations, seed + rep)
            table["k"] = table.category.map(ks)
            table["rep"] = rep
            rows.append(table)
        else:
            k, fold = plant
            mask = cs.iid_gene_mask(rng, chrom, k)
            planted = np.where(mask, chisq * fold, chisq)
            table = screen(planted, {"planted": mask}, chrom, permutations, seed + rep)
            table["k"], table["rep"], table["fold"], table["null"] = k, rep, fold, "iid"
            rows.append(table)
    return pd.concat(rows, ignore_index=True)


# ---------------------------------------------------------------------------------------------
# (b) real-LD null and (c) power on it


def ld_rows(
    panel: cs.LdPanel,
    reps: int,
    per_k: int,
    permutations: int,
    seed: int,
    plant: tuple[int, float] | None = None,
    blocks: int = BLOCKS,
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    z_all = panel.simulate_z(rng, reps)
    n_genes = len(panel.genes)
    rows = []
    for rep in range(reps):
        z = z_all[rep]
        if plant is None:
            cats, ks, moved = {}, {}, {}
            for k in KS:
                for j in range(per_k):
                    name = f"k{k}_{j}"
                    genes = rng.choice(n_genes, size=k, replace=False)
                    cats[name], ks[name] = panel.mask(genes), k
                    # Control: the same shape at a uniformly random place, where the shift null
                    # is exact even though LD is not stationary along chr22.
                    moved[name] = np.roll(cats[name], int(rng.integers(panel.m)))
            table = screen(z**2, cats, None, permutations, seed + rep, blocks)
            table["k"] = table.category.map(ks)
            control = screen(z**2, moved, None, permutations, seed + rep, blocks)
            table["p_perm_random_place"] = control.enrichment_p_perm.to_numpy()
            table["ld_score_in"] = [panel.ld_score[cats[c]].mean() for c in table.category]
        else:
            k, fold = plant
            mask = panel.mask(rng.choice(n_genes, size=k, replace=False))
            zz = np.where(mask, z * math.sqrt(fold), z)
            table = screen(zz**2, {"planted": mask}, None, permutations, seed + rep, blocks)
            table["k"], table["fold"], table["null"] = k, fold, "chr22 LD"
        table["rep"] = rep
        rows.append(table)
    return pd.concat(rows, ignore_index=True)


# ---------------------------------------------------------------------------------------------
# (d) the gene-set step on null gene Z with real LD


def gene_set_rows(panel: cs.LdPanel, reps: int, per_k: int, seed: int) -> pd.DataFrame:
    ex = ldenrich.example_data()
    gene_loc = ldenrich.read_gene_loc(ex.gene_loc)
    bim = ldenrich.read_bim(f"{ex.bfile}.bim.gz")
    rng = np.random.default_rng(seed)
    z_all = panel.simulate_z(rng, reps)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for rep in range(reps):
            path = Path(tmp) / f"null{rep}.tsv"
            pd.DataFrame({"SNP": panel.snp, "Z": z_all[rep]}).to_csv(path, sep="\t", index=False)
            genes = ldenrich.gene_analysis(
                ldenrich.read_sumstats(path), ex.bfile, gene_loc, n=10000, correlations=True,
                bim=bim, sanity_checks=False,
            )  # fmt: skip
            t = genes.table.sort_values(["START", "STOP"], kind="stable")
            ids = t.GENE.to_numpy()
            sets, meta = {}, {}
            for k in SET_KS:
                for j in range(per_k):
                    sets[f"r{k}_{j}"] = list(rng.choice(ids, size=k, replace=False))
                    meta[f"r{k}_{j}"] = (k, "random")
                    s = int(rng.integers(0, len(ids) - k + 1))
                    sets[f"a{k}_{j}"] = list(ids[s : s + k])
                    meta[f"a{k}_{j}"] = (k, "adjacent")
            res = ldenrich.gene_set_analysis(genes, sets)
            if res.model.get("method") != "GLS":
                raise RuntimeError(f"expected the GLS on .genes.raw correlations: {res.model}")
            table = res.sets[["set", *SET_P, "status"]].copy()
            table = table[table.status == "ok"]
            table["k"] = [meta[s][0] for s in table.set]
            table["sets"] = [meta[s][1] for s in table.set]
            table["rep"] = rep
            rows.append(table)
    return pd.concat(rows, ignore_index=True)


# ---------------------------------------------------------------------------------------------
# Timing of the permutation step


def time_permutations(m: int, n_cats: int, permutations: int, seed: int) -> list[tuple]:
    """Wall and CPU time (best of 3) of the screen with and without permutations.

    The categories' ranges are computed once and the native screen is called on them directly
    (``ldenrich._native.enrichment_ranges``, private): through ``enrichment_arrays`` the
    conversion of 1,000 boolean masks of m SNPs into ranges costs more than the permutations,
    and its noise on a shared machine would hide them.
    """
    from ldenrich import _native
    from ldenrich.enrichment_screen import _ranges_of

    rng = np.random.default_rng(seed)
    chrom = cs.iid_chromosomes(m)
    chisq = rng.chisquare(1, m)
    sizes = (1, 2, 3, 5, 10, 20, 50, 100, 200)
    cats = {f"c{i}": cs.iid_gene_mask(rng, chrom, sizes[i % len(sizes)]) for i in range(n_cats)}
    pairs = [_ranges_of(v, m, n) for n, v in cats.items()]
    starts, ends = [p[0] for p in pairs], [p[1] for p in pairs]
    n_ranges = sum(len(p[0]) for p in pairs)
    labels = np.ascontiguousarray(chrom, dtype=np.int64)
    settings: list[tuple[int, int]] = [(0, 0), (1000, 0)]
    if permutations != 1000 or PERM_STOP:
        settings.append((permutations, PERM_STOP or 0))
    out = []
    for k, stop in settings:
        label = f"K = {k}" + (f", perm_stop = {stop}" if stop else " (all K drawn)" if k else "")

        def run(k: int = k, stop: int = stop) -> None:
            _native.enrichment_ranges(chisq, labels, starts, ends, BLOCKS, 1, k, stop, seed, None)

        wall = cpu = math.inf
        for _ in range(3):
            t0, c0 = time.perf_counter(), time.process_time()
            run()
            wall = min(wall, time.perf_counter() - t0)
            cpu = min(cpu, time.process_time() - c0)
        out.append((label, m, n_cats, n_ranges, wall, cpu))
    t0 = time.perf_counter()
    ldenrich.enrichment_arrays(chisq, cats, blocks=BLOCKS, permutations=1000, perm_stop=0,
                               seed=seed, chrom=chrom)  # fmt: skip
    out.append(("enrichment_arrays, K = 1000 (all drawn), masks in", m, n_cats, n_ranges,
                time.perf_counter() - t0, math.nan))  # fmt: skip
    return out


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small version (about a minute)")
    ap.add_argument("--out", type=Path, default=Path("calibration-out"))
    ap.add_argument(
        "--permutations",
        type=int,
        default=_PARAMS["permutations"].default if HAS_PERM else 0,
        help="most permutations per category (default: ldenrich's)",
    )
    ap.add_argument(
        "--perm-stop",
        type=int,
        default=_PARAMS["perm_stop"].default if HAS_STOP else None,
        help="stop after this many shifts reach the observed sum (default: ldenrich's)",
    )
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument(
        "--ld-blocks", type=lambda s: [int(v) for v in s.split(",")], default=[200, 20],
        help="jackknife block counts of the real-LD null (comma-separated; first one plotted)",
    )  # fmt: skip
    args = ap.parse_args(argv)
    q = args.quick
    cfg = {
        "iid_m": 200_000 if q else 1_000_000,
        "iid_reps": 2 if q else 10,
        "iid_per_k": 60 if q else 200,
        "ld_reps": 25 if q else 400,
        "ld_per_k": 10 if q else 25,
        "power_reps": 25 if q else 200,
        "set_reps": 3 if q else 40,
        "set_per_k": 20 if q else 50,
        "time_m": 300_000 if q else 3_000_000,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    global PERM_STOP
    k_perm, seed, PERM_STOP = args.permutations, args.seed, args.perm_stop
    started = time.perf_counter()
    sections = []
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    cmd = "python3 benches/bench_calibration.py" + (" --quick" if q else "")
    if argv is None:
        cmd = " ".join(["python3 benches/bench_calibration.py", *sys.argv[1:]])
    sections.append(
        f"Measured {stamp} with `{cmd}` (ldenrich {ldenrich.__version__}, "
        f"{platform.machine()}, {os.cpu_count()} cores); permutations K = {k_perm}"
        + (
            f" with sequential stopping after {PERM_STOP} exceedances (`perm_stop`), "
            if PERM_STOP
            else ", "
        )
        + f"seed {seed}, "
        f"{BLOCKS} jackknife blocks unless said otherwise.\n\n"
        "Each cell: fraction of null p below 0.05 / below 0.001. "
        "**bold**↑: above alpha by more than 3 SE (anti-conservative); ↓: below alpha by more "
        "than 3 SE (conservative); SE = max(binomial, between-replicate). n/a: not reported "
        "by this ldenrich. p_t_kish is computed by this benchmark, not reported by ldenrich: the "
        "study's z against Student t with df = Kish's effective number of blocks "
        "(sum n_b)^2 / sum n_b^2 - 1, n_b the category's SNPs in block b."
        + ("" if HAS_PERM else "\n\n**This ldenrich has no `permutations` argument yet.**")
    )

    def log(msg: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f} s] {msg}", file=sys.stderr, flush=True)

    log("(a) iid null")
    a = iid_rows(cfg["iid_m"], cfg["iid_reps"], cfg["iid_per_k"], k_perm, seed, None)
    sa = rejection(a, P_COLUMNS, ALPHAS, ["k"])
    sections.append(
        f"### (a) iid null\n\n{cfg['iid_m']:,} iid chi-square(1) SNPs on 22 chromosomes "
        f"(sized like the autosomes), no signal; categories = k random 40-SNP genes, "
        f"{cfg['iid_per_k']} per k in each of {cfg['iid_reps']} replicates (chi-squares "
        f"re-drawn per replicate).\n\n{null_table(sa)}"
    )
    qq_plot(a, P_COLUMNS, "k", "iid null: QQ of every p", args.out / "calibration_qq_iid.png")

    panel = cs.load_ld_panel()
    in_genes = panel.mask(range(len(panel.genes)))
    ld_tables = []
    for blocks in args.ld_blocks:
        log(f"(b) real-LD null, {blocks} jackknife blocks")
        b = ld_rows(panel, cfg["ld_reps"], cfg["ld_per_k"], k_perm, seed + 1, None, blocks)
        sb = rejection(b, LD_COLUMNS, ALPHAS, ["k"])
        med = (
            b.groupby("k")[["n_blocks_in", "kish_blocks"]].median() if "n_blocks_in" in b else None
        )
        note = (
            "Median n_blocks_in (Kish effective blocks) by k: "
            + ", ".join(f"k={k}: {r.n_blocks_in:g} ({r.kish_blocks:.1f})"
                        for k, r in med.iterrows())
            + ".\n\n"
            if med is not None else ""
        )  # fmt: skip
        ld_tables.append(
            f"#### {blocks} jackknife blocks (about {panel.m // blocks} SNPs, "
            f"{(panel.bp[-1] - panel.bp[0]) / blocks / 1e6:.2f} Mb each)\n\n{note}"
            f"{null_table(sb, columns=LD_COLUMNS)}"
        )
        if blocks == args.ld_blocks[0]:
            qq_plot(b, LD_COLUMNS, "k", f"chr22 real-LD null, {blocks} blocks: QQ of every p",
                    args.out / "calibration_qq_ld.png")  # fmt: skip
            b_main = b
            hi = b.ld_score_in > b.ld_score_in.median()
            split = [float(np.mean(b.enrichment_p_perm[h] < 0.05)) for h in (~hi, hi)]
    sections.append(
        f"### (b) null with real LD (1000G EUR chr22)\n\nz ~ MVN(0, R) from the bundled panel "
        f"({panel.x.shape[0]} people, {panel.m:,} SNPs), simulated in "
        f"{len(panel.block_starts)} independent blocks of >= 300 SNPs that never cut a gene "
        f"window; chi-square = z^2; categories = unions of k random chr22 MAGMA gene windows "
        f"(35 kb up, 10 kb down; {len(panel.genes)} genes), {cfg['ld_per_k']} per k in each of "
        f"{cfg['ld_reps']} z replicates; the permutation null shifts within chr22. The last "
        "column is a control: the p_perm of the same category moved to a uniformly random "
        "place of chr22 before testing, where the shift null is exact by construction. LD is "
        "not stationary along chr22: the mean LD score (r^2 summed within simulation blocks) "
        f"of SNPs in gene windows is {panel.ld_score[in_genes].mean():.1f}, outside them "
        f"{panel.ld_score[~in_genes].mean():.1f}; in this run the categories' own mean LD "
        f"score was {b_main.ld_score_in.mean():.1f}; split at their median LD score, the "
        f"categories of the lower-LD half have p_perm < 0.05 at {split[0]:.3f}, those of the "
        f"higher-LD half at {split[1]:.3f}.\n\n" + "\n\n".join(ld_tables)
    )

    log("(c) power")
    power = []
    for k, fold in ((5, 2.0), (20, 1.5), (50, 1.5), (50, 2.0)):
        power.append(iid_rows(cfg["iid_m"], cfg["power_reps"], 1, k_perm, seed + 10 + k, (k, fold)))
        power.append(ld_rows(panel, cfg["power_reps"], 1, k_perm, seed + 20 + k, (k, fold)))
    pc = rejection(pd.concat(power, ignore_index=True), P_COLUMNS, (0.05,), ["null", "k", "fold"])
    sections.append(
        "### (c) power: planted enrichment\n\nThe chi-squares of one category's SNPs multiplied "
        "by `fold` (iid: chi-square x fold; LD: z x sqrt(fold)), one category per draw; "
        "rejection rate at 0.05 (enrichment_p_perm is one-sided, the others two-sided).\n\n"
        f"{power_table(pc)}"
    )

    log("(d) gene-set step")
    d = gene_set_rows(panel, cfg["set_reps"], cfg["set_per_k"], seed + 2)
    sd = rejection(d, SET_P, SET_ALPHAS, ["k", "sets"])
    sd = sd.sort_values(["k", "sets"], key=lambda s: s.map({"random": 0, "adjacent": 1})
                        if s.name == "sets" else s, kind="stable")  # fmt: skip
    # All k pooled: enough sets to see the tail at 0.001.
    pooled = rejection(d.assign(k="all"), SET_P, SET_ALPHAS, ["k", "sets"])
    sd = pd.concat([sd, pooled], ignore_index=True)
    sections.append(
        "### (d) gene-set step on null gene Z with real LD\n\n`ldenrich.gene_analysis` "
        f"(correlations on) of {cfg['set_reps']} null z replicates as in (b), then "
        f"`ldenrich.gene_set_analysis` (GLS on the gene-gene correlations) on {cfg['set_per_k']} "
        "random sets of k genes and as many sets of k adjacent genes (consecutive in position "
        "order) per replicate. Each cell: fraction below 0.05 / 0.01 / 0.001 (all one-sided).\n\n"
        f"{set_table(sd)}"
    )
    qq_plot(
        d.assign(group=d.sets + " k=" + d.k.astype(str)),
        SET_P,
        "group",
        "gene-set step on null gene Z (chr22 LD)",
        args.out / "calibration_qq_genesets.png",
    )

    log("timing")
    timing = time_permutations(cfg["time_m"], 1000, k_perm, seed)
    lines = [
        "| run | SNPs | categories | ranges | wall | CPU (all threads) |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r[0]} | {r[1]:,} | {r[2]:,} | {r[3]:,} | {r[4]:.2f} s | "
        + ("" if math.isnan(r[5]) else f"{r[5]:.2f} s")
        + " |"
        for r in timing
    ]
    sections.append(
        "### Timing of the permutation step\n\nThe native screen on iid chi-squares of 22 "
        "chromosomes, 1,000 categories of 1-200 genes of 40 SNPs (cycled), all threads, best of "
        "3; the difference from the K = 0 row is the cost of the permutations. The last row is "
        "one call of the public `enrichment_arrays` with boolean masks, whose conversion into "
        "ranges in Python is most of its time.\n\n" + "\n".join(lines)
    )
    total = time.perf_counter() - started
    sections.append(f"Total run time: {total:.0f} s.")
    text = "\n\n".join(sections) + "\n"
    (args.out / "calibration.md").write_text(text)
    a.to_csv(args.out / "calibration_iid.tsv.gz", sep="\t", index=False)
    b_main.to_csv(args.out / "calibration_ld.tsv.gz", sep="\t", index=False)
    d.to_csv(args.out / "calibration_genesets.tsv.gz", sep="\t", index=False)
    print(text)
    log(f"wrote {args.out}/calibration.md and calibration_qq_*.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
