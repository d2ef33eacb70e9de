//! Agreement between the positions written in the summary statistics and those of the
//! reference for the SNPs matched by identifier: the evidence for a genome-build mismatch
//! (GRCh38 summary statistics against a GRCh37 panel) or for 0-based positions.

/// Counts over the SNPs of the universe whose summary-statistic row carries a readable
/// chromosome and position.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PositionCheck {
    /// SNPs compared.
    pub compared: u64,
    /// Same chromosome and same position.
    pub same: u64,
    /// Same chromosome, position off by exactly one (0-based vs 1-based coordinates).
    pub off_by_one: u64,
    /// Different chromosome.
    pub other_chromosome: u64,
}

impl PositionCheck {
    /// Compares `(sumstats row, reference chromosome, reference position)` triples against the
    /// summary statistics' own `(chromosome, position)` columns; rows with an unreadable
    /// chromosome or position (stored as 0) are not compared.
    pub fn of(sumstats: (&[u8], &[u32]), matched: impl Iterator<Item = (usize, u8, u32)>) -> Self {
        let (chrom, bp) = sumstats;
        let mut check = PositionCheck::default();
        for (row, ref_chrom, ref_bp) in matched {
            let (c, p) = (chrom[row], bp[row]);
            if c == 0 || p == 0 {
                continue;
            }
            check.compared += 1;
            if c != ref_chrom {
                check.other_chromosome += 1;
            } else if p == ref_bp {
                check.same += 1;
            } else if p.abs_diff(ref_bp) == 1 {
                check.off_by_one += 1;
            }
        }
        check
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_each_kind_of_agreement() {
        let chrom = [1, 1, 2, 0, 3];
        let bp = [100, 201, 50, 7, 0];
        let matched = [(0, 1, 100), (1, 1, 200), (2, 3, 50), (3, 1, 7), (4, 3, 9)];
        let check = PositionCheck::of((&chrom, &bp), matched.into_iter());
        assert_eq!(check, PositionCheck { compared: 3, same: 1, off_by_one: 1, other_chromosome: 1 });
    }
}
