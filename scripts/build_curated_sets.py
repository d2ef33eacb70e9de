"""Rebuild ldenrich's curated gene-set library from its definitions in ``curated_sets.json``.

Outputs (in ``python/ldenrich/data/genesets/`` unless --outdir is given):
  ldenrich_curated.gmt          set_name<TAB>description [source keys]<TAB>SYMBOL<TAB>SYMBOL...
  ldenrich_curated_members.tsv  set<TAB>symbol<TAB>entrez<TAB>role<TAB>source

The definitions (sets as blocks of genes with the rule and the sources that put them there, the
citation of every source key, gene roles, the GO annotations of the cited terms) are data in
``scripts/curated_sets.json``; this script only validates and renders them. Every symbol is
validated (exact, case-sensitive) against column 6 of a MAGMA gene-location file (default: the
bundled NCBI build 37.3 file); Entrez IDs are taken from column 1 of that file. The script exits
non-zero if any symbol is missing, if a set has a duplicate, or if a structural invariant of the
library is broken (see check_invariants).

The deterministic housekeeping subset can be re-derived from the Eisenberg & Levanon (2013)
list with --hk PATH (the script then fails if the re-derived subset differs from the stored one).

A maintainer script, not shipped in the wheel. Standard library only. Usage:
  python3 scripts/build_curated_sets.py [GENE_LOC] [--hk HK_FILE] [--outdir DIR] [--check]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = json.loads((Path(__file__).with_name("curated_sets.json")).read_text(encoding="utf-8"))
DEFAULT_GENE_LOC = REPO / "python" / "ldenrich" / "data" / "example" / "NCBI37.3.gene.loc.gz"
OUTDIR = REPO / "python" / "ldenrich" / "data" / "genesets"
GMT_NAME = "ldenrich_curated.gmt"
TSV_NAME = "ldenrich_curated_members.tsv"
N_GENE_LOC_COLUMNS = 6  # entrez_id chr start stop strand symbol

# A block is (rule, source keys, genes). Sets are lists of blocks; order is kept in the outputs.
Block = tuple[str, tuple[str, ...], tuple[str, ...]]


_URL_RE = re.compile(r"(?:https?://|doi:)\S+")


def cite(key: str, full: bool = False) -> str:
    """Render a source key: full citation (README) or key + first URL/DOI (TSV)."""
    if key.startswith("GO:"):
        return f"{key} {DATA['go_terms'][key]} (Gene Ontology, org.Hs.eg.db 3.16)"
    if full:
        return f"{key}: {DATA['sources'][key]}"
    if key == "STD":
        return "STD (standard knowledge; no retrieved source)"
    if key == "STUDY":
        return "STUDY (PTSD preprint, December 2025; see docs/methods.md section 0)"
    if key == "HK_FILE":
        return "HK_FILE (HK_genes_Eisenberg_Levanon_2013.txt)"
    urls = _URL_RE.findall(DATA["sources"][key])
    return f"{key} <{urls[0].rstrip(')')}>" if urls else f"{key}: {DATA['sources'][key]}"


def read_gene_loc(path: str) -> dict[str, str]:
    """symbol (column 6) -> Entrez ID (column 1)."""
    out: dict[str, str] = {}
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            f = line.rstrip("\r\n").split("\t")
            if len(f) < N_GENE_LOC_COLUMNS:
                continue
            out.setdefault(f[5], f[0])
    return out


def derive_hk_subset(
    hk_path: str, universe: dict[str, str], exclude: set[str], n: int
) -> list[str]:
    """The baseline rule: strip symbols, keep first occurrence, drop uncharacterised LOC*
    symbols, keep symbols present in the gene-location file and not excluded, sort (Python str
    order), take every k-th starting at index 0 with k = len // n, keep the first n."""
    seen: set[str] = set()
    kept: list[str] = []
    with open(hk_path, encoding="utf-8") as fh:
        for line in fh:
            sym = line.rstrip("\r\n").split("\t")[0].strip()
            if not sym or sym in seen:
                continue
            seen.add(sym)
            if sym.startswith("LOC"):
                continue
            if sym in universe and sym not in exclude:
                kept.append(sym)
    kept.sort()
    step = len(kept) // n
    return kept[::step][:n]


def evidence(gene: str, keys: tuple[str, ...]) -> list[str]:
    """The block's source keys that support this gene: GO terms only if the gene is annotated
    to them, partial references only for the genes they name, STD only if no GO term or
    partial reference supports the gene."""
    out: list[str] = []
    specific = False
    for k in keys:
        if k == "STD":
            continue
        if k.startswith("GO:"):
            if gene in DATA["go_members"].get(k, ()):
                out.append(k)
                specific = True
        elif k in DATA["partial_refs"]:
            if gene in DATA["partial_refs"][k]:
                out.append(k)
                specific = True
        else:
            out.append(k)
    if "STD" in keys and not specific:
        out.append("STD")
    return out


def flatten(blocks: list[Block]) -> list[tuple[str, str, tuple[str, ...]]]:
    rows = []
    for rule, keys, genes in blocks:
        for g in genes:
            rows.append((g, rule, keys))
    return rows


def check_invariants(members: dict[str, list[str]]) -> list[str]:
    errs: list[str] = []
    s = {k: set(v) for k, v in members.items()}
    for name, n in DATA["expected_sizes"].items():
        if len(members.get(name, [])) != n:
            errs.append(f"{name}: {len(members.get(name, []))} genes, expected {n}")
    subset_rules = [
        ("cgr_targets", "glutamate_plasticity_expanded"),
        ("ampa_kainate_receptors", "glutamate_plasticity_expanded"),
        ("nmda_receptors", "glutamate_plasticity_expanded"),
        ("plasticity_signalling", "glutamate_plasticity_expanded"),
        ("glutamate_transport", "glutamate_plasticity_expanded"),
        ("metabolic_targets", "cgr_targets"),
    ]
    for small, big in subset_rules:
        if not s[small] <= s[big]:
            errs.append(f"{small} not a subset of {big}: {sorted(s[small] - s[big])}")
    if "DRD2" not in s["monoaminergic"]:
        errs.append("DRD2 missing from monoaminergic")
    named = {"GRIA1", "CYP2D6", "GRIN2A", "ARC", "NTRK2", "PTEN", "SIGMAR1", "BDNF", "MTOR"}
    if not named <= s["cgr_targets"]:
        errs.append(f"cgr_targets lacks study-named genes {sorted(named - s['cgr_targets'])}")
    if not {"CREB5", "CRTC1", "RPS6KB1"} <= s["glutamate_plasticity_expanded"]:
        errs.append("expanded panel lacks CREB5/CRTC1/RPS6KB1")
    base = s["housekeeping_brain_baseline"]
    for p in DATA["study_panels"]:
        if base & s[p]:
            errs.append(f"baseline overlaps {p}: {sorted(base & s[p])}")
    if s["glutamate_plasticity_expanded"] & s["monoaminergic"]:
        errs.append("expanded and monoaminergic panels overlap")
    return errs


def build(gene_loc: str, hk_path: str | None) -> tuple[str, str, dict[str, list[str]], list[str]]:
    universe = read_gene_loc(gene_loc)
    sets = [
        (
            s["name"],
            s["description"],
            [(b["rule"], tuple(b["sources"]), tuple(b["genes"])) for b in s["blocks"]],
        )
        for s in DATA["sets"]
    ]
    hk = DATA["housekeeping"]
    errs: list[str] = []
    if hk_path is not None:
        study = set()
        for name, _desc, blocks in sets:
            if name in DATA["study_panels"]:
                study |= {g for g, _r, _k in flatten(blocks)}
        fixed = set(hk["el2013_uniform"]) | set(hk["reference_genes"]) | set(hk["brain_markers"])
        derived = derive_hk_subset(hk_path, universe, study | fixed, hk["subset_n"])
        if derived != hk["subset"]:
            errs.append("HK subset re-derived from --hk differs from housekeeping.subset:")
            errs.append("  derived: " + " ".join(derived))
    gmt_lines: list[str] = []
    tsv_lines = ["set\tsymbol\tentrez\trole\tsource"]
    members: dict[str, list[str]] = {}
    name_re = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
    for name, desc, blocks in sets:
        if not name_re.match(name):
            errs.append(f"set name not lower_snake_case: {name}")
        rows = flatten(blocks)
        genes = [g for g, _r, _k in rows]
        dups = sorted({g for g in genes if genes.count(g) > 1})
        if dups:
            errs.append(f"{name}: duplicate symbols {dups}")
        missing = [g for g in genes if g not in universe]
        if missing:
            errs.append(f"{name}: symbols absent from {gene_loc}: {missing}")
        members[name] = genes
        if "\t" in desc or "\n" in desc:
            errs.append(f"{name}: description contains a tab/newline")
        gmt_lines.append("\t".join([name, desc, *genes]))
        for g, rule, keys in rows:
            role = DATA["roles"].get(
                g, "Eisenberg & Levanon 2013 housekeeping gene (deterministic subset)"
            )
            source = f"rule: {rule} | refs: " + "; ".join(cite(k) for k in evidence(g, keys))
            tsv_lines.append("\t".join([name, g, universe.get(g, "NA"), role, source]))
    errs.extend(check_invariants(members))
    return "\n".join(gmt_lines) + "\n", "\n".join(tsv_lines) + "\n", members, errs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "gene_loc", nargs="?", default=str(DEFAULT_GENE_LOC), help="MAGMA gene.loc file (or .gz)"
    )
    ap.add_argument("--hk", default=None, help="Eisenberg & Levanon list to re-derive the subset")
    ap.add_argument("--outdir", default=str(OUTDIR), help=f"output folder (default: {OUTDIR})")
    ap.add_argument("--check", action="store_true", help="do not write; fail if outputs differ")
    args = ap.parse_args(argv)
    gmt, tsv, members, errs = build(args.gene_loc, args.hk)
    if errs:
        for e in errs:
            print(f"ERROR: {e}", file=sys.stderr)
        return 1
    gmt_path = os.path.join(args.outdir, GMT_NAME)
    tsv_path = os.path.join(args.outdir, TSV_NAME)
    if args.check:
        stale = []
        for path, text in ((gmt_path, gmt), (tsv_path, tsv)):
            try:
                with open(path, encoding="utf-8") as fh:
                    if fh.read() != text:
                        stale.append(path)
            except FileNotFoundError:
                stale.append(path)
        if stale:
            print("ERROR: out of date: " + ", ".join(stale), file=sys.stderr)
            return 1
    else:
        os.makedirs(args.outdir, exist_ok=True)
        for path, text in ((gmt_path, gmt), (tsv_path, tsv)):
            with open(path, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
    for name, genes in members.items():
        print(f"{name}\t{len(genes)}")
    print(f"OK: {len(members)} sets, {sum(map(len, members.values()))} memberships validated")
    return 0


if __name__ == "__main__":
    sys.exit(main())
