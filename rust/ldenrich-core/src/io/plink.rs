//! PLINK 1 binary genotypes (`.bed` + `.bim` + `.fam`) and the SNP correlation (LD) matrices
//! computed from them for gene analysis (docs/methods.md §2.2).
//!
//! The `.bed` is never read whole: SNP rows are fetched on demand with positioned reads on one
//! shared file handle, so every method takes `&self` and may be called from many rayon threads
//! at once. Memory is bounded by the rows requested.
//!
//! Encoding (SNP-major PLINK 1, the only layout written since PLINK 1.07): 3 header bytes
//! `0x6c 0x1b 0x01`, then for each SNP `ceil(n_samples / 4)` bytes; sample `i` of a SNP is the
//! 2-bit code at bits `2 (i mod 4)` and `2 (i mod 4) + 1` of byte `i / 4`. Codes count allele 1
//! (the `.bim` column 5): `00` = homozygous A1 (2), `01` = missing, `10` = heterozygous (1),
//! `11` = homozygous A2 (0). Bits past the last sample of a row are padding and ignored.

use std::fs::File;
use std::path::{Path, PathBuf};

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, Par};

use crate::error::{Error, Result};
use crate::io::bim::{read_bim, Bim};
use crate::io::text::{resolve_prefix, split_fields, Delimiter, LineReader};

/// First two bytes of every PLINK 1 `.bed`.
const MAGIC: [u8; 2] = [0x6c, 0x1b];
/// Third header byte of a SNP-major (variant-major) `.bed`.
const SNP_MAJOR: u8 = 0x01;
/// Third header byte of the obsolete sample-major (individual-major) layout.
const SAMPLE_MAJOR: u8 = 0x00;
/// Header length in bytes.
const HEADER: u64 = 3;
/// Largest block of consecutive SNP rows fetched by one read (bytes).
#[cfg(not(test))]
const MAX_READ: usize = 1 << 22;
/// Tiny in tests so that block splitting is exercised.
#[cfg(test)]
const MAX_READ: usize = 16;

/// Number of samples of a `.fam` (plain or gzip): its non-blank lines. Each line must have the
/// six fields `FID IID father mother sex phenotype`; a shorter line is an [`Error::Parse`]
/// naming the file and line.
pub fn count_fam(path: &Path) -> Result<usize> {
    let mut reader = LineReader::open(path)?;
    let mut ranges = Vec::new();
    let mut count = 0usize;
    while let Some((line_no, line)) = reader.next_line()? {
        split_fields(line, Delimiter::Whitespace, &mut ranges);
        if ranges.is_empty() {
            continue;
        }
        if ranges.len() < 6 {
            return Err(Error::parse(
                path,
                line_no,
                format!("a .fam line has 6 fields (FID IID father mother sex phenotype); found {}", ranges.len()),
            ));
        }
        count += 1;
    }
    Ok(count)
}

/// Bytes of one SNP row of a `.bed` with `n_samples` samples.
fn row_bytes(n_samples: usize) -> usize {
    n_samples.div_ceil(4)
}

/// An open SNP-major PLINK 1 `.bed`, validated against the SNP and sample counts of its `.bim`
/// and `.fam`. Thread-safe: rows are read with positioned reads, never through a shared cursor.
#[derive(Debug)]
pub struct PlinkBed {
    path: PathBuf,
    #[cfg(unix)]
    file: File,
    #[cfg(not(unix))]
    file: std::sync::Mutex<File>,
    n_snps: usize,
    n_samples: usize,
    bytes_per_snp: usize,
}

/// Standardized genotypes of a set of SNPs (see [`PlinkBed::standardized`]).
#[derive(Debug)]
pub struct Standardized {
    /// `n_samples x kept.len()`; column `j` is SNP `snps[kept[j]]`, mean-imputed, centred and
    /// scaled to unit population variance (ddof = 0), so `matrix' matrix / n` is the correlation.
    pub matrix: Mat<f64>,
    /// Positions in the requested `snps` slice of the SNPs kept, increasing.
    pub kept: Vec<usize>,
    /// Number of requested SNPs dropped because they have no variance after imputation
    /// (monomorphic, or every call missing).
    pub monomorphic: usize,
    /// Minor allele count among the called genotypes of each kept SNP (same order as `kept`).
    pub minor_allele_counts: Vec<f64>,
    /// Frequency of allele 2 (`.bim` column 6) among the called genotypes of each kept SNP (same
    /// order as `kept`), computed as ldsc does, so `min(f, 1 - f)` is its MAF to the last bit.
    pub allele2_frequency: Vec<f64>,
}

/// Genotype code counts of one SNP row: `[hom A1, missing, het, hom A2]` (codes 00, 01, 10, 11).
fn code_counts(row: &[u8], n_samples: usize) -> [usize; 4] {
    let mut counts = [0usize; 4];
    let full = n_samples / 4;
    for &b in &row[..full] {
        counts[usize::from(b & 3)] += 1;
        counts[usize::from((b >> 2) & 3)] += 1;
        counts[usize::from((b >> 4) & 3)] += 1;
        counts[usize::from(b >> 6)] += 1;
    }
    for i in 0..n_samples % 4 {
        counts[usize::from((row[full] >> (2 * i)) & 3)] += 1;
    }
    counts
}

/// Writes `table[code]` for each of the `out.len()` samples of `row`.
fn decode_row(row: &[u8], table: &[f64; 4], out: &mut [f64]) {
    let full = out.len() / 4;
    let (head, tail) = out.split_at_mut(full * 4);
    for (chunk, &b) in head.chunks_exact_mut(4).zip(row) {
        chunk[0] = table[usize::from(b & 3)];
        chunk[1] = table[usize::from((b >> 2) & 3)];
        chunk[2] = table[usize::from((b >> 4) & 3)];
        chunk[3] = table[usize::from(b >> 6)];
    }
    for (i, value) in tail.iter_mut().enumerate() {
        *value = table[usize::from((row[full] >> (2 * i)) & 3)];
    }
}

/// Allele-1 dosage of each 2-bit code.
const DOSAGE: [f64; 4] = [2.0, f64::NAN, 1.0, 0.0];

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("0x{b:02x}")).collect::<Vec<_>>().join(" ")
}

impl PlinkBed {
    /// Opens a `.bed` holding `n_snps` SNPs (rows of the `.bim`) of `n_samples` samples (rows of
    /// the `.fam`). Checks the magic number `0x6c 0x1b`, the SNP-major mode byte `0x01` (the
    /// sample-major layout `0x00` is refused) and that the file is exactly
    /// `3 + n_snps * ceil(n_samples / 4)` bytes long ([`Error::InconsistentInput`] otherwise).
    pub fn open(bed: &Path, n_snps: usize, n_samples: usize) -> Result<Self> {
        Self::open_checked(bed, n_snps, n_samples, None)
    }

    /// [`PlinkBed::open`] with the `.bim` and `.fam` the counts came from, for error messages.
    fn open_checked(bed: &Path, n_snps: usize, n_samples: usize, sources: Option<(&Path, &Path)>) -> Result<Self> {
        let file = File::open(bed).map_err(|e| Error::io(bed, e))?;
        let size = file.metadata().map_err(|e| Error::io(bed, e))?.len();
        let mut header = [0u8; 3];
        let got = read_prefix(&file, &mut header).map_err(|e| Error::io(bed, e))?;
        if got < 2 {
            return Err(Error::parse_col(
                bed,
                1,
                "bytes 1-2 (magic number)",
                format!("the file has {got} byte(s), a PLINK 1 .bed has at least 3 (empty or truncated .bed?)"),
            ));
        }
        if header[..2] != MAGIC {
            return Err(Error::parse_col(
                bed,
                1,
                "bytes 1-2 (magic number)",
                format!(
                    "not a PLINK 1 .bed file: it starts with {}, a PLINK 1 .bed starts with 0x6c 0x1b \
                     (PLINK 2 .pgen and text genotypes are not read)",
                    hex(&header[..2])
                ),
            ));
        }
        match header.get(2).filter(|_| got == 3) {
            Some(&SNP_MAJOR) => {}
            Some(&SAMPLE_MAJOR) => {
                return Err(Error::parse_col(
                    bed,
                    1,
                    "byte 3 (mode)",
                    "sample-major (individual-major) .bed files are not supported; convert with \
                     `plink --bfile PREFIX --make-bed --out NEWPREFIX`, which writes the SNP-major layout",
                ))
            }
            Some(&other) => {
                return Err(Error::parse_col(
                    bed,
                    1,
                    "byte 3 (mode)",
                    format!("unknown .bed mode byte 0x{other:02x}; expected 0x01 (SNP-major)"),
                ))
            }
            None => {
                return Err(Error::parse_col(
                    bed,
                    1,
                    "byte 3 (mode)",
                    "the file ends after the magic number (truncated .bed?)",
                ))
            }
        }
        let bytes_per_snp = row_bytes(n_samples);
        let expected = (n_snps as u128) * (bytes_per_snp as u128) + u128::from(HEADER);
        if u128::from(size) != expected {
            let (snp_from, sample_from) = match sources {
                Some((bim, fam)) => (format!(" ({})", bim.display()), format!(" ({})", fam.display())),
                None => (String::new(), String::new()),
            };
            let hint = if u128::from(size) < expected {
                "the .bed is shorter than its .bim and .fam require (truncated download?), or they belong to \
                 different filesets"
            } else {
                "the .bed is longer than its .bim and .fam require; they belong to different filesets"
            };
            return Err(Error::InconsistentInput(format!(
                "{}: {size} bytes, but {n_snps} SNPs{snp_from} x {n_samples} samples{sample_from} need \
                 3 + {n_snps} x {bytes_per_snp} = {expected} bytes: {hint}",
                bed.display()
            )));
        }
        Ok(PlinkBed {
            path: bed.to_path_buf(),
            #[cfg(unix)]
            file,
            #[cfg(not(unix))]
            file: std::sync::Mutex::new(file),
            n_snps,
            n_samples,
            bytes_per_snp,
        })
    }

    /// The `.bed` file read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Number of samples (rows of the `.fam`).
    pub fn n_samples(&self) -> usize {
        self.n_samples
    }

    /// Number of SNPs (rows of the `.bim`).
    pub fn n_snps(&self) -> usize {
        self.n_snps
    }

    #[cfg(unix)]
    fn read_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
        use std::os::unix::fs::FileExt;
        self.file.read_exact_at(buf, offset)
    }

    #[cfg(not(unix))]
    fn read_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
        use std::io::{Read, Seek, SeekFrom};
        let mut file = self.file.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        file.seek(SeekFrom::Start(offset))?;
        file.read_exact(buf)
    }

    fn check_snp(&self, snp: usize) -> Result<()> {
        if snp >= self.n_snps {
            return Err(Error::InvalidArgument(format!(
                "SNP row {snp} out of range: {} has {} SNPs (rows 0 to {})",
                self.path.display(),
                self.n_snps,
                self.n_snps.saturating_sub(1)
            )));
        }
        Ok(())
    }

    /// Reads the rows of SNPs `first..first + count` into `buf` (resized to fit).
    fn read_rows(&self, first: usize, count: usize, buf: &mut Vec<u8>) -> Result<()> {
        buf.resize(count * self.bytes_per_snp, 0);
        let offset = HEADER + (first as u64) * (self.bytes_per_snp as u64);
        self.read_at(buf, offset).map_err(|e| Error::io(&self.path, e))
    }

    /// Visits the rows of `snps` in order, reading runs of consecutive SNPs with one read each.
    fn for_each_row(&self, snps: &[usize], mut visit: impl FnMut(usize, &[u8]) -> Result<()>) -> Result<()> {
        for &snp in snps {
            self.check_snp(snp)?;
        }
        if self.bytes_per_snp == 0 {
            return snps.iter().enumerate().try_for_each(|(i, _)| visit(i, &[]));
        }
        let max_rows = (MAX_READ / self.bytes_per_snp).max(1);
        let mut buf = Vec::new();
        let mut start = 0;
        while start < snps.len() {
            let mut end = start + 1;
            while end < snps.len() && end - start < max_rows && snps[end] == snps[end - 1] + 1 {
                end += 1;
            }
            self.read_rows(snps[start], end - start, &mut buf)?;
            for (i, row) in buf.chunks_exact(self.bytes_per_snp).enumerate() {
                visit(start + i, row)?;
            }
            start = end;
        }
        Ok(())
    }

    /// Allele-1 dosages (0, 1, 2; `NaN` = missing call) of SNP row `snp` (0-based `.bim` row)
    /// into `out`, which must have [`PlinkBed::n_samples`] elements.
    pub fn read_dosages(&self, snp: usize, out: &mut [f64]) -> Result<()> {
        if out.len() != self.n_samples {
            return Err(Error::InvalidArgument(format!(
                "dosage buffer has {} elements; {} has {} samples",
                out.len(),
                self.path.display(),
                self.n_samples
            )));
        }
        self.for_each_row(&[snp], |_, row| {
            decode_row(row, &DOSAGE, out);
            Ok(())
        })
    }

    /// Standardized genotypes of the SNP rows `snps` (0-based `.bim` rows, any order, repeats
    /// allowed), as ldsc computes them: a missing call is replaced by the mean dosage of the
    /// non-missing calls, then each SNP is centred and divided by its population standard
    /// deviation (ddof = 0) over all samples. SNPs with zero variance after imputation
    /// (monomorphic, or no call at all) are dropped and counted.
    pub fn standardized(&self, snps: &[usize]) -> Result<Standardized> {
        let packed = self.packed(snps)?;
        let matrix = packed.decode(0..packed.kept.len());
        let PackedGenotypes { kept, monomorphic, minor_allele_counts, allele2_frequency, .. } = packed;
        Ok(Standardized { matrix, kept, monomorphic, minor_allele_counts, allele2_frequency })
    }

    /// What [`PlinkBed::standardized`] returns, with the genotypes still packed (2 bits each,
    /// 1/32 of the matrix): columns are decoded when they are needed
    /// ([`PackedGenotypes::decode`]), so a whole chromosome need not be held as floats.
    pub fn packed(&self, snps: &[usize]) -> Result<PackedGenotypes> {
        let n = self.n_samples;
        let width = self.bytes_per_snp;
        let mut all = Vec::with_capacity(snps.len() * width);
        let mut tables: Vec<Option<[f64; 4]>> = Vec::with_capacity(snps.len());
        let mut macs: Vec<f64> = Vec::with_capacity(snps.len());
        let mut freqs: Vec<f64> = Vec::with_capacity(snps.len());
        self.for_each_row(snps, |_, row| {
            all.extend_from_slice(row);
            let counts = code_counts(row, n);
            // Codes: 0 = two copies of allele 1, 2 = one, 3 = none, 1 = missing.
            let allele1 = 2 * counts[0] + counts[2];
            let called = 2 * (counts[0] + counts[2] + counts[3]);
            macs.push(allele1.min(called - allele1) as f64);
            freqs.push((called - allele1) as f64 / called.max(1) as f64);
            tables.push(standardizing_table(counts, n));
            Ok(())
        })?;
        let kept: Vec<usize> = (0..snps.len()).filter(|&i| tables[i].is_some()).collect();
        let mut rows = Vec::with_capacity(kept.len() * width);
        let mut kept_tables = Vec::with_capacity(kept.len());
        for &i in &kept {
            rows.extend_from_slice(&all[i * width..(i + 1) * width]);
            kept_tables.push(tables[i].ok_or_else(|| Error::Internal("kept SNP without a table".into()))?);
        }
        Ok(PackedGenotypes {
            n_samples: n,
            width,
            rows,
            tables: kept_tables,
            minor_allele_counts: kept.iter().map(|&i| macs[i]).collect(),
            allele2_frequency: kept.iter().map(|&i| freqs[i]).collect(),
            monomorphic: snps.len() - kept.len(),
            kept,
        })
    }
}

/// The kept SNPs of [`PlinkBed::packed`], still 2 bits per call, with what standardizes them.
#[derive(Debug)]
pub struct PackedGenotypes {
    n_samples: usize,
    width: usize,
    /// The packed `.bed` rows of the kept SNPs, one after another.
    rows: Vec<u8>,
    tables: Vec<[f64; 4]>,
    /// Positions in the requested `snps` slice of the SNPs kept, increasing.
    pub kept: Vec<usize>,
    /// Requested SNPs dropped for having no variance after imputation.
    pub monomorphic: usize,
    /// Minor allele count among the called genotypes of each kept SNP.
    pub minor_allele_counts: Vec<f64>,
    /// Frequency of allele 2 among the called genotypes of each kept SNP (as ldsc).
    pub allele2_frequency: Vec<f64>,
}

impl PackedGenotypes {
    /// Standardized genotypes (`n_samples x len`) of the kept SNPs `columns` (positions in
    /// `kept`, in the order given), exactly as [`PlinkBed::standardized`] gives them.
    pub fn decode(&self, columns: impl IntoIterator<Item = usize>) -> Mat<f64> {
        let columns: Vec<usize> = columns.into_iter().collect();
        let mut matrix = Mat::<f64>::zeros(self.n_samples, columns.len());
        for (out, &c) in columns.iter().enumerate() {
            let row = &self.rows[c * self.width..(c + 1) * self.width];
            decode_row(row, &self.tables[c], matrix.col_as_slice_mut(out));
        }
        matrix
    }
}

/// Reads up to `buf.len()` bytes from the start of `file`; returns how many were available.
fn read_prefix(file: &File, buf: &mut [u8]) -> std::io::Result<usize> {
    use std::io::Read;
    let mut reader = file;
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(k) => filled += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Standardized value of each 2-bit code given the code counts, or `None` without variance.
fn standardizing_table(counts: [usize; 4], n_samples: usize) -> Option<[f64; 4]> {
    let [hom_a1, _missing, het, hom_a2] = counts;
    let distinct = [hom_a1, het, hom_a2].iter().filter(|&&c| c > 0).count();
    if distinct < 2 {
        return None;
    }
    let observed = (hom_a1 + het + hom_a2) as f64;
    let mean = (2 * hom_a1 + het) as f64 / observed;
    let (d2, d1, d0) = (2.0 - mean, 1.0 - mean, -mean);
    // Imputed calls sit at the mean and add nothing to the sum of squares.
    let sum_sq = hom_a1 as f64 * d2 * d2 + het as f64 * d1 * d1 + hom_a2 as f64 * d0 * d0;
    let sd = (sum_sq / n_samples as f64).sqrt();
    Some([d2 / sd, 0.0, d1 / sd, d0 / sd])
}

/// Correlation matrix `R = X'X / n` (k x k) of the standardized columns of `std` (n x k, as in
/// [`Standardized::matrix`]). The result is exactly symmetric with an exact unit diagonal and
/// entries clamped to `[-1, 1]`.
pub fn correlation(std: &Mat<f64>) -> Mat<f64> {
    let (n, k) = (std.nrows(), std.ncols());
    let mut r = Mat::<f64>::zeros(k, k);
    if k == 0 {
        return r;
    }
    let par = if n.saturating_mul(k).saturating_mul(k) >= 1 << 22 { Par::rayon(0) } else { Par::Seq };
    let scale = if n == 0 { 0.0 } else { 1.0 / n as f64 };
    matmul(r.as_mut(), Accum::Replace, std.transpose(), std.as_ref(), scale, par);
    for j in 0..k {
        for i in 0..j {
            let v = (0.5 * (r[(i, j)] + r[(j, i)])).clamp(-1.0, 1.0);
            r[(i, j)] = v;
            r[(j, i)] = v;
        }
        r[(j, j)] = 1.0;
    }
    r
}

/// Opens the fileset `PREFIX.bed` / `PREFIX.bim` / `PREFIX.fam` (the `.bim` and `.fam` may be
/// gzipped; a prefix given with a `.bed`, `.bim` or `.fam` extension is accepted). The `.bed`
/// is checked against the counts of the other two.
pub fn open_bfile(prefix: &Path) -> Result<(Bim, PlinkBed)> {
    let bim = read_bim(&companion(&strip_plink_extension(prefix), "bim"))?;
    let plink = open_bed_for(prefix, &bim)?;
    Ok((bim, plink))
}

/// The `.bed` of fileset `prefix`, whose `.bim` was already read (the same file `open_bfile`
/// would read, or an error): a caller that holds the panel's `.bim` does not parse it again.
pub fn open_bed_for(prefix: &Path, bim: &Bim) -> Result<PlinkBed> {
    let prefix = strip_plink_extension(prefix);
    let expected = companion(&prefix, "bim");
    let same = |a: &Path, b: &Path| a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y);
    if !same(&bim.path, &expected) {
        return Err(Error::InvalidArgument(format!(
            "the .bim given ({}) is not the panel's ({})",
            bim.path.display(),
            expected.display()
        )));
    }
    let fam = companion(&prefix, "fam");
    let n_samples = count_fam(&fam)?;
    PlinkBed::open_checked(&with_extension(&prefix, "bed"), bim.len(), n_samples, Some((&bim.path, &fam)))
}

/// `PREFIX.ext`, or `PREFIX.ext.gz` when only that exists.
fn companion(prefix: &Path, ext: &str) -> PathBuf {
    let plain = with_extension(prefix, ext);
    if plain.is_file() {
        return plain;
    }
    match resolve_prefix(prefix, ext) {
        found if found != prefix => found,
        _ => plain,
    }
}

/// `prefix` + `.ext` (appended, never replacing a dot already in the prefix).
fn with_extension(prefix: &Path, ext: &str) -> PathBuf {
    let mut s = prefix.as_os_str().to_owned();
    s.push(".");
    s.push(ext);
    PathBuf::from(s)
}

/// `data/panel.bed` -> `data/panel` when the file exists; any other path unchanged.
fn strip_plink_extension(prefix: &Path) -> PathBuf {
    let has_ext = matches!(prefix.extension().and_then(|e| e.to_str()), Some("bed" | "bim" | "fam"));
    if has_ext && prefix.is_file() {
        prefix.with_extension("")
    } else {
        prefix.to_path_buf()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Genotypes per SNP, `None` = missing; dosage counts allele 1.
    fn encode(genotypes: &[Vec<Option<u8>>]) -> Vec<u8> {
        let mut bytes = vec![0x6c, 0x1b, 0x01];
        for snp in genotypes {
            let mut row = vec![0u8; snp.len().div_ceil(4)];
            for (i, g) in snp.iter().enumerate() {
                let code = match g {
                    Some(2) => 0b00,
                    None => 0b01,
                    Some(1) => 0b10,
                    Some(0) => 0b11,
                    Some(other) => panic!("bad dosage {other}"),
                };
                row[i / 4] |= code << (2 * (i % 4));
            }
            bytes.extend(row);
        }
        bytes
    }

    /// 7 samples (not a multiple of 4), 5 SNPs: missing calls, one monomorphic SNP, one SNP
    /// with a single non-missing call, and an exact duplicate.
    fn fixture() -> Vec<Vec<Option<u8>>> {
        vec![
            vec![Some(0), Some(1), Some(2), None, Some(1), Some(0), Some(2)],
            vec![Some(1), Some(1), Some(1), Some(1), None, Some(1), Some(1)],
            vec![Some(2), Some(2), Some(1), Some(0), Some(0), None, None],
            vec![None, None, Some(2), None, None, None, None],
            vec![Some(0), Some(1), Some(2), None, Some(1), Some(0), Some(2)],
        ]
    }

    fn write_fileset(dir: &Path, genotypes: &[Vec<Option<u8>>]) -> PathBuf {
        let prefix = dir.join("t");
        let n = genotypes[0].len();
        let bim: String = (0..genotypes.len()).map(|j| format!("22\trs{j}\t0\t{}\tA\tG\n", 100 + j)).collect();
        let fam: String = (0..n).map(|i| format!("F{i} I{i} 0 0 1 -9\n")).collect();
        std::fs::write(with_extension(&prefix, "bim"), bim).unwrap();
        std::fs::write(with_extension(&prefix, "fam"), format!("{fam}\n")).unwrap();
        std::fs::write(with_extension(&prefix, "bed"), encode(genotypes)).unwrap();
        prefix
    }

    /// Reference standardization straight from the definition.
    fn reference(g: &[Option<u8>]) -> Option<Vec<f64>> {
        let obs: Vec<f64> = g.iter().flatten().map(|&v| f64::from(v)).collect();
        let mean = obs.iter().sum::<f64>() / obs.len() as f64;
        let x: Vec<f64> = g.iter().map(|v| v.map_or(mean, f64::from)).collect();
        let m = x.iter().sum::<f64>() / x.len() as f64;
        let var = x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / x.len() as f64;
        (var > 1e-12).then(|| x.iter().map(|v| (v - m) / var.sqrt()).collect())
    }

    #[test]
    fn decodes_standardizes_and_correlates() {
        let dir = tempfile::tempdir().unwrap();
        let genotypes = fixture();
        let prefix = write_fileset(dir.path(), &genotypes);
        let (bim, bed) = open_bfile(&prefix).unwrap();
        assert_eq!((bim.len(), bed.n_snps(), bed.n_samples()), (5, 5, 7));
        let mut out = vec![0.0; 7];
        for (j, g) in genotypes.iter().enumerate() {
            bed.read_dosages(j, &mut out).unwrap();
            for (got, want) in out.iter().zip(g) {
                match want {
                    Some(v) => assert_eq!(*got, f64::from(*v)),
                    None => assert!(got.is_nan()),
                }
            }
        }
        // Any order, with a repeat; SNPs 1 (monomorphic) and 3 (one call) are dropped.
        let snps = [4, 1, 2, 0, 3, 2];
        let std = bed.standardized(&snps).unwrap();
        assert_eq!(std.kept, [0, 2, 3, 5]);
        assert_eq!(std.monomorphic, 2);
        assert_eq!((std.matrix.nrows(), std.matrix.ncols()), (7, 4));
        let columns: Vec<Vec<f64>> = std.kept.iter().map(|&p| reference(&genotypes[snps[p]]).unwrap()).collect();
        for (j, col) in columns.iter().enumerate() {
            for (i, want) in col.iter().enumerate() {
                assert!((std.matrix[(i, j)] - want).abs() < 1e-12);
            }
        }
        assert!(reference(&genotypes[1]).is_none() && reference(&genotypes[3]).is_none());
        let r = correlation(&std.matrix);
        for a in 0..4 {
            for b in 0..4 {
                let direct: f64 = columns[a].iter().zip(&columns[b]).map(|(x, y)| x * y).sum::<f64>() / 7.0;
                assert!((r[(a, b)] - direct).abs() < 1e-12, "{a} {b}");
                assert_eq!(r[(a, b)], r[(b, a)]);
            }
            assert_eq!(r[(a, a)], 1.0);
        }
        // Columns 0 and 2 are SNPs 4 and 0, identical; 1 and 3 are both SNP 2.
        assert!((r[(0, 2)] - 1.0).abs() < 1e-15 && (r[(1, 3)] - 1.0).abs() < 1e-15);
        // The extension form of the prefix and an empty request.
        let (_, again) = open_bfile(&with_extension(&prefix, "bed")).unwrap();
        let empty = again.standardized(&[]).unwrap();
        assert_eq!((empty.matrix.ncols(), empty.monomorphic), (0, 0));
        assert_eq!(correlation(&empty.matrix).nrows(), 0);
    }

    #[test]
    fn long_runs_are_read_in_blocks() {
        // 3 samples -> 1 byte per SNP; runs of consecutive SNPs span many MAX_READ blocks.
        let dir = tempfile::tempdir().unwrap();
        let genotypes: Vec<Vec<Option<u8>>> =
            (0..300).map(|j| vec![Some((j % 3) as u8), Some(((j + 1) % 3) as u8), None]).collect();
        let prefix = write_fileset(dir.path(), &genotypes);
        let (_, bed) = open_bfile(&prefix).unwrap();
        let snps: Vec<usize> = (0..300).chain(10..20).collect();
        let std = bed.standardized(&snps).unwrap();
        assert_eq!(std.kept.len(), 310);
        // Sample 2 is missing everywhere, imputed to the mean: exactly 0 after centring.
        assert!((0..310).all(|j| std.matrix[(2, j)] == 0.0));
        let mut out = vec![0.0; 3];
        bed.read_dosages(299, &mut out).unwrap();
        assert_eq!(&out[..2], &[2.0, 0.0]);
    }

    #[test]
    fn bad_files_are_errors_naming_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let genotypes = fixture();
        let prefix = write_fileset(dir.path(), &genotypes);
        let bed_path = with_extension(&prefix, "bed");
        let good = std::fs::read(&bed_path).unwrap();
        let cases: Vec<(Vec<u8>, &str)> = vec![
            ([&[0x00, 0x1b, 0x01][..], &good[3..]].concat(), "magic"),
            ([&[0x6c, 0x1b, 0x00][..], &good[3..]].concat(), "sample-major"),
            ([&[0x6c, 0x1b, 0x02][..], &good[3..]].concat(), "mode byte 0x02"),
            (vec![0x6c, 0x1b], "truncated"),
            (vec![0x6c], "1 byte"),
            (vec![], "0 byte"),
            (good[..good.len() - 1].to_vec(), "truncated"),
            ([&good[..], &[0u8][..]].concat(), "longer"),
        ];
        for (bytes, needle) in cases {
            std::fs::write(&bed_path, &bytes).unwrap();
            let err = open_bfile(&prefix).unwrap_err();
            let msg = err.to_string();
            assert!(msg.contains("t.bed") && msg.contains(needle), "{msg}");
            if bytes.len() > 3 && bytes[..3] == good[..3] {
                assert!(matches!(err, Error::InconsistentInput(_)), "{err:?}");
                assert!(msg.contains("t.bim") && msg.contains("t.fam") && msg.contains("7 samples"), "{msg}");
            } else {
                assert!(matches!(err, Error::Parse { line: 1, .. }), "{err:?}");
            }
        }
        // Plain open: counts in the message without sources.
        std::fs::write(&bed_path, &good).unwrap();
        let msg = PlinkBed::open(&bed_path, 5, 9).unwrap_err().to_string();
        assert!(msg.contains("t.bed") && msg.contains("9 samples") && msg.contains("5 SNPs"), "{msg}");
        let bed = PlinkBed::open(&bed_path, 5, 7).unwrap();
        let msg = bed.read_dosages(5, &mut [0.0; 7]).unwrap_err().to_string();
        assert!(msg.contains("out of range") && msg.contains("t.bed"), "{msg}");
        assert!(bed.read_dosages(0, &mut [0.0; 6]).is_err());
        assert!(bed.standardized(&[0, 9]).is_err());
        // A short .fam line, and a missing .bed.
        std::fs::write(with_extension(&prefix, "fam"), "F1 I1 0 0 1 -9\n\nF2 I2 0 0\n").unwrap();
        let msg = open_bfile(&prefix).unwrap_err().to_string();
        assert!(msg.contains("t.fam") && msg.contains("line 3") && msg.contains("6 fields"), "{msg}");
        let err = PlinkBed::open(&dir.path().join("none.bed"), 1, 1).unwrap_err();
        assert!(matches!(err, Error::Io { .. }) && err.to_string().contains("none.bed"));
    }

    #[test]
    fn reads_concurrently() {
        use rayon::prelude::*;
        let dir = tempfile::tempdir().unwrap();
        let genotypes = fixture();
        let prefix = write_fileset(dir.path(), &genotypes);
        let (_, bed) = open_bfile(&prefix).unwrap();
        let sums: Vec<f64> = (0..1000)
            .into_par_iter()
            .map(|i| {
                let mut out = vec![0.0; 7];
                bed.read_dosages(i % 5, &mut out).unwrap();
                out.iter().filter(|v| !v.is_nan()).sum()
            })
            .collect();
        assert!(sums.iter().enumerate().all(|(i, &s)| s == [6.0, 6.0, 5.0, 2.0, 6.0][i % 5]));
    }
}
