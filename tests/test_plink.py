"""PLINK 1 binary genotypes: dosages and LD (correlation) matrices.

The real-data checks use the bundled 1000 Genomes EUR chr22 panel (``ldenrich.example_data()``,
378 individuals, 15,938 SNPs). Dosages are compared with an independent numpy decoder written here;
LD matrices with ``plink1.9 --r square`` (skipped when the binary is absent; on Debian
``apt-get install plink1.9``).

The fixtures in ``tests/data/plink/`` describe 3 SNPs x 5 samples (``rs1`` = 0 1 2 NA 1,
``rs2`` monomorphic, ``rs3`` = 1 0 2 2 NA, allele-1 counts); each fileset differs from ``good``
in one way: ``bad_magic`` (first byte 0x00), ``sample_major`` (mode byte 0x00), ``truncated``
(last byte cut), ``fam_mismatch`` (9 samples in the .fam, so 3 bytes per SNP expected),
``short_fam`` (a .fam line with 4 fields).
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import ldenrich
from ldenrich import _native

PLINK_DATA = Path(__file__).parent / "data" / "plink"


# --------------------------------------------------------------------------- reference decoder


def decode_bed(prefix: Path) -> np.ndarray:
    """Allele-1 dosages (n_samples x n_snps, NaN = missing) by a plain numpy decoder."""
    n = sum(1 for line in prefix.with_suffix(".fam").read_text().splitlines() if line.strip())
    m = sum(1 for line in prefix.with_suffix(".bim").read_text().splitlines() if line.strip())
    raw = np.fromfile(prefix.with_suffix(".bed"), dtype=np.uint8)
    assert raw[:3].tolist() == [0x6C, 0x1B, 0x01]
    width = (n + 3) // 4
    rows = raw[3:].reshape(m, width)
    # Little-endian bit order: bits (2i, 2i+1) of a byte are sample i's (low, high) bits.
    bits = np.unpackbits(rows, axis=1, bitorder="little").reshape(m, 4 * width, 2)[:, :n]
    code = bits[..., 0] + 2 * bits[..., 1]
    dosage = np.array([2.0, np.nan, 1.0, 0.0])[code]
    return dosage.T


@pytest.fixture(scope="session")
def panel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray, list[str]]:
    # The bundled .bim is gzipped; plink 1.9 and the decoder above read a plain one.
    bundled = ldenrich.example_data().bfile
    prefix = tmp_path_factory.mktemp("panel") / "1000G_eur_chr22"
    for ext in (".bed", ".fam"):
        prefix.with_suffix(ext).symlink_to(bundled.with_suffix(ext))
    with gzip.open(f"{bundled}.bim.gz", "rb") as fh:
        prefix.with_suffix(".bim").write_bytes(fh.read())
    ids = [line.split()[1] for line in prefix.with_suffix(".bim").read_text().splitlines()]
    return prefix, decode_bed(prefix), ids


# --------------------------------------------------------------------------- tiny fixtures


def test_fixture_dosages_and_ld() -> None:
    good = PLINK_DATA / "good"
    d = _native.read_dosages(good, [0, 1, 2, 0])
    want = np.array(
        [[0, 1, 2, np.nan, 1], [2, 2, 2, 2, 2], [1, 0, 2, 2, np.nan], [0, 1, 2, np.nan, 1]]
    ).T
    np.testing.assert_array_equal(d, want)
    np.testing.assert_array_equal(d, decode_bed(good)[:, [0, 1, 2, 0]])

    r, kept, monomorphic = _native.ld_matrix(good, [2, 1, 0])
    assert kept == [0, 2] and monomorphic == 1
    # Mean imputation then population standardisation, as ldsc.
    x = d[:, [2, 0]]
    x = np.where(np.isnan(x), np.nanmean(x, axis=0), x)
    z = (x - x.mean(axis=0)) / x.std(axis=0)
    np.testing.assert_allclose(r, z.T @ z / 5, atol=1e-14)
    assert r.shape == (2, 2) and r[0, 0] == 1.0 and r[0, 1] == r[1, 0]

    r, kept, monomorphic = _native.ld_matrix(good, [1])
    assert r.shape == (0, 0) and kept == [] and monomorphic == 1
    # The prefix may carry a PLINK extension.
    assert _native.ld_matrix(PLINK_DATA / "good.bed", [0, 2])[1] == [0, 1]


@pytest.mark.parametrize(
    ("name", "error", "needles"),
    [
        ("bad_magic", ldenrich.ParseError, ["bad_magic.bed", "magic", "0x00 0x1b"]),
        ("sample_major", ldenrich.ParseError, ["sample_major.bed", "sample-major"]),
        ("truncated", ldenrich.InconsistentInputError, ["truncated.bed", "8 bytes", "9 bytes"]),
        (
            "fam_mismatch",
            ldenrich.InconsistentInputError,
            ["fam_mismatch.bed", "fam_mismatch.fam", "9 samples", "3 SNPs"],
        ),
        ("short_fam", ldenrich.ParseError, ["short_fam.fam", "line 4", "6 fields"]),
    ],
)
def test_malformed_bed(name: str, error: type[Exception], needles: list[str]) -> None:
    for call in (_native.ld_matrix, _native.read_dosages):
        with pytest.raises(error) as info:
            call(PLINK_DATA / name, [0])
        message = str(info.value)
        assert all(n in message for n in needles), message
    if error is ldenrich.ParseError:
        assert Path(info.value.path).name.startswith(name)


def test_bad_rows_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(ldenrich.InvalidArgumentError, match=r"out of range.*good\.bed"):
        _native.ld_matrix(PLINK_DATA / "good", [0, 3])
    with pytest.raises(FileNotFoundError, match="nothing"):
        _native.ld_matrix(tmp_path / "nothing", [0])


# --------------------------------------------------------------------------- real panel


def test_panel_dosages_match_numpy_decoder(panel, rng: np.random.Generator) -> None:
    prefix, dosage, ids = panel
    assert dosage.shape == (378, 15938) == (378, len(ids))
    rows = np.concatenate([[0, len(ids) - 1], rng.choice(len(ids), 300, replace=False)])
    got = _native.read_dosages(prefix, rows.tolist())
    np.testing.assert_array_equal(got, dosage[:, rows])


def test_panel_properties(panel) -> None:
    """What the LD comparison below relies on: no missing call, no monomorphic SNP."""
    _, dosage, ids = panel
    assert not np.isnan(dosage).any()
    assert len(set(ids)) == len(ids)
    assert (np.nanstd(dosage, axis=0) > 0).all()


def _plink() -> str:
    path = shutil.which("plink1.9")
    if path is None:
        pytest.skip("plink1.9 not on PATH (Debian: apt-get install plink1.9)")
    return path


def _plink_r(plink: str, prefix: Path, ids: list[str], out: Path, binary: bool) -> np.ndarray:
    snps = out.with_suffix(".snps")
    snps.write_text("\n".join(ids) + "\n")
    mode = ["square", "bin"] if binary else ["square"]
    # --keep-allele-order: otherwise plink 1.9 makes the minor allele A1 and flips signs of r.
    cmd = [plink, "--bfile", str(prefix), "--extract", str(snps), "--keep-allele-order"]
    cmd += ["--r", *mode, "--threads", "1", "--out", str(out)]
    subprocess.run(cmd, check=True, capture_output=True)
    k = len(ids)
    if binary:
        return np.fromfile(f"{out}.ld.bin", dtype="<f8").reshape(k, k)
    return np.loadtxt(f"{out}.ld", ndmin=2)


# (first row, number of SNPs): the start, the middle, the end of chr22 and a sparse region.
WINDOWS = [(0, 50), (4000, 137), (8000, 300), (12345, 200), (15938 - 250, 250)]


@pytest.mark.parametrize(("start", "size"), WINDOWS)
def test_panel_ld_matches_plink(panel, tmp_path: Path, start: int, size: int) -> None:
    """R equals plink's Pearson r. The panel has no missing call; were there any, plink uses
    the samples called at both SNPs while ldenrich mean-imputes (as ldsc), so only SNPs without
    a missing call would be comparable, which is what the mask below does."""
    plink = _plink()
    prefix, dosage, ids = panel
    rows = list(range(start, start + size))
    r, kept, monomorphic = _native.ld_matrix(prefix, rows)
    assert kept == list(range(size)) and monomorphic == 0

    complete = ~np.isnan(dosage[:, rows]).any(axis=0)
    text = _plink_r(plink, prefix, [ids[i] for i in rows], tmp_path / "t", binary=False)
    exact = _plink_r(plink, prefix, [ids[i] for i in rows], tmp_path / "b", binary=True)
    sub = np.ix_(complete, complete)
    # The text output has 6 significant digits (%g): |r| < 1 is off by at most 5e-7.
    assert np.abs(r[sub] - text[sub]).max() <= 1e-6
    # The binary output holds plink's doubles.
    assert np.abs(r[sub] - exact[sub]).max() <= 1e-12
    # And the definition, straight from the dosages.
    np.testing.assert_allclose(r, np.corrcoef(dosage[:, rows], rowvar=False), atol=1e-12)
