#!/usr/bin/env bash
# Seeds each libFuzzer corpus (fuzz/corpus/TARGET, not committed) from the test fixtures. Text
# targets take a control byte first (bit 0: gzip the rest; other bits: options), so seeds get
# a 0x00 prefix; plink_bed takes the SNP and sample counts first.
set -euo pipefail
cd "$(dirname "$0")"
data=../tests/data
seed() {  # seed TARGET FILE...
    mkdir -p "corpus/$1"
    local target=$1
    shift
    for f in "$@"; do
        [ -f "$f" ] || continue
        { printf '\x00'; cat "$f"; } > "corpus/$target/$(basename "$f")"
    done
}
seed sumstats $data/odd/*.tsv $data/odd/*.csv $data/odd/*.txt $data/odd/*.gz $data/bad/ss_*
seed bim $data/odd/*.bim $data/bad/*.bim $data/plink/*.bim
seed fam $data/plink/*.fam $data/bad/*.fam
seed geneloc $data/bad/gl_*
seed genesets $data/bad/gs_* ../python/ldenrich/data/genesets/*.gmt
seed intervals $data/odd/*.bed $data/bad/bed_[a-z]*.bed
seed lines $data/odd/* $data/bad/*
seed generesults $data/odd/*.genes.*
mkdir -p corpus/plink_bed
for f in $data/plink/*.bed $data/bad/*.bed; do
    n_snps=$(grep -c . "${f%.bed}.bim" 2>/dev/null || echo 3)
    n_samples=$(grep -c . "${f%.bed}.fam" 2>/dev/null || echo 5)
    { printf "\\x$(printf %02x "$n_snps")\\x$(printf %02x "$n_samples")"; cat "$f"; } > "corpus/plink_bed/$(basename "$f")"
done
