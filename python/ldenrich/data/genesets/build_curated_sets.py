"""Rebuild ldenrich's curated gene-set library from the lists written in this file.

Outputs (next to this script unless --outdir is given):
  ldenrich_curated.gmt          set_name<TAB>description [source keys]<TAB>SYMBOL<TAB>SYMBOL...
  ldenrich_curated_members.tsv  set<TAB>symbol<TAB>entrez<TAB>role<TAB>source

Every symbol is validated (exact, case-sensitive) against column 6 of a MAGMA gene-location
file (default: NCBI build 37.3); Entrez IDs are taken from column 1 of that file. The script
exits non-zero if any symbol is missing, if a set has a duplicate, or if a structural
invariant of the library is broken (see check_invariants).

The deterministic housekeeping subset embedded below can be re-derived from the
Eisenberg & Levanon (2013) list with --hk PATH (the script then fails if the re-derived
subset differs from the embedded one).

Standard library only. Usage:
  python3 build_curated_sets.py [GENE_LOC] [--hk HK_FILE] [--outdir DIR] [--check]
"""

from __future__ import annotations

import argparse
import os
import re
import sys

DEFAULT_GENE_LOC = "/work/shared/data/gene_loc/NCBI37.3.gene.loc"
HERE = os.path.dirname(os.path.abspath(__file__))
GMT_NAME = "ldenrich_curated.gmt"
TSV_NAME = "ldenrich_curated_members.tsv"
N_GENE_LOC_COLUMNS = 6  # entrez_id chr start stop strand symbol

# ---------------------------------------------------------------------------------------------
# Sources. Keys are cited in the GMT description field and expanded in the TSV source column.
# Keys starting with "GO:" are Gene Ontology terms checked in the bundled GO GMTs
# (org.Hs.eg.db 3.16, annotations propagated to ancestors); GO uses current HGNC symbols.
# "STD" marks a membership that rests on standard pharmacology / neurobiology knowledge
# because no public page confirming it could be retrieved.
# ---------------------------------------------------------------------------------------------
SOURCES: dict[str, str] = {
    "STUDY": "ldenrich project brief STUDY.md (PTSD preprint Dec 2025 + 2025 perspective on "
    "glutamatergic modulators in trauma-related depression)",
    "STD": "standard pharmacology/neurobiology knowledge (no public source retrieved to confirm)",
    "HGNC_GRI": "HGNC gene group Glutamate ionotropic receptors (GRI) "
    "http://www.genenames.org/cgi-bin/genefamilies/set/284",
    "GTOP_IGLUR": "IUPHAR/BPS Guide to Pharmacology, Ionotropic glutamate receptors (family 75) "
    "http://www.guidetopharmacology.org/GRAC/FamilyDisplayForward?familyId=75 "
    "(doi:10.2218/gtopdb/F75/2023.1)",
    "GTOP_5HT": "IUPHAR/BPS Guide to Pharmacology, 5-Hydroxytryptamine receptors (family 1) "
    "https://www.guidetoimmunopharmacology.org/GRAC/FamilyDisplayForward?familyId=1 "
    "(doi:10.2218/gtopdb/F1/2023.1)",
    "GTOP_DA": "IUPHAR/BPS Guide to Pharmacology, Dopamine receptors (family 20) "
    "https://www.guidetoimmunopharmacology.org/GRAC/FamilyDisplayForward?familyId=20",
    "GTOP_TAAR": "IUPHAR/BPS Guide to Pharmacology, Trace amine receptor "
    "(doi:10.2218/gtopdb/f64/2023.1)",
    "WIKI_MONOAMINE_R": "Wikipedia, Monoamine receptor (adrenergic, dopamine, histamine, "
    "melatonin, serotonin, trace-amine receptor classes) "
    "https://en.wikipedia.org/wiki/Monoamine_receptor",
    "EAAT": "EAAT1-5 = SLC1A3, SLC1A2, SLC1A1, SLC1A6, SLC1A7 and VGLUT1-3 = SLC17A7, SLC17A6, "
    "SLC17A8: https://www.liquisearch.com/excitatory_amino-acid_transporter/classes/eaats "
    "and HUGO-name table https://pmc.ncbi.nlm.nih.gov/articles/PMC3822327/table/T2",
    "KET_MECH": "Zanos & Gould 2018 Mol Psychiatry 23:801 'Mechanisms of ketamine action as an "
    "antidepressant' (BDNF, eEF2, mTOR, GSK-3) https://www.nature.com/articles/mp2017255 | "
    "Li et al. 2010 Science 329:959 (mTOR-dependent synapse formation) | schematic "
    "https://pmc.ncbi.nlm.nih.gov/articles/PMC8120160/figure/F2 (BDNF-TrkB-mTORC1, eEF2K, "
    "GluA1, PSD95)",
    "PIRACETAM": "Ahmed & Oswald 2010 J Med Chem 53:2197 (piracetam binds the GluA2/GluA3 "
    "ligand-binding-domain dimer interface, little subunit specificity) "
    "https://pmc.ncbi.nlm.nih.gov/articles/PMC2872987 | Copani et al. 1992 J Neurochem "
    "58:1199 (nootropics positively modulate AMPA receptors) "
    "https://www.ncbi.nlm.nih.gov/pubmed/1372342",
    "AUVELITY": "AUVELITY (dextromethorphan-bupropion) prescribing information as summarised at "
    "https://psychmed.org/drugs/dextromethorphan-bupropion and "
    "https://atozinfandel.com/daily-medication-pearl-dextromethorphan-and-bupropion-auvelity/ "
    "(DXM uncompetitive NMDA antagonist and sigma-1 agonist; bupropion CYP2D6 inhibitor and "
    "weak NET/DAT inhibitor)",
    "VUMC_DXM": "VUMC Poison Control, 'Why is dextromethorphan/bupropion an antidepressant' "
    "(DXM sigma-1 agonism, SERT and NET inhibition; bupropion blocks DA reuptake) "
    "https://www.vumc.org/poison-control/toxicology-question-week/"
    "june-2-2023-why-combination-dextromethorphanbupropion-antidepressant",
    "DXM_PK": "Dextromethorphan metabolism: 'Pharmacokinetics of dextromethorphan and "
    "metabolites in humans' (mainly CYP2D6 to dextrorphan) "
    "https://scilit.net/publications/0e1f563a9994182d4d3244fad8318d0d | "
    "Wikipedia Dextromethorphan infobox (major CYP2D6, minor CYP3A4 and CYP3A5) "
    "https://en.wikipedia.org/wiki/Dextromethorphan | Drug Metab Rev 2020 52:258 "
    "https://pubmed.ncbi.nlm.nih.gov/32393072/",
    "BUP_CYP2D6": "Kotlyar et al. 2005 J Clin Psychopharmacol 25:226 'Inhibition of CYP2D6 "
    "activity by bupropion' (potent inhibitor, DXM/DXO ratio)",
    "FLX_CYP2D6": "Otton et al. 1993 Clin Pharmacol Ther 53:401 (fluoxetine/norfluoxetine potent "
    "CYP2D6 inhibitors) | J Clin Psychopharmacol 1999 19:155 "
    "http://pubmed.ncbi.nlm.nih.gov/10211917",
    "BUP_CYP2B6": "'CYP2B6 mediates the in vitro hydroxylation of bupropion' (PMID 10997936): "
    "bupropion hydroxylation is almost exclusively CYP2B6 https://medluna.com/article/10997936",
    "BUP_NACHR": "J Pharmacol Exp Ther 2000 295:321 'Bupropion is a nicotinic "
    "antagonist' (alpha3beta2, alpha4beta2, alpha7) https://www.ncbi.nlm.nih.gov/pubmed/10991997 "
    "| Arias 2009 Int J Biochem Cell Biol 41:2098 (noncompetitive antagonist of several "
    "nAChRs) | alpha4beta2 and alpha3beta4 subtypes: https://discovery.researcher.life/article/"
    "bupropion-binds-in-the-middle-m2-9-of-the-torpedo-nicotinic-acetylcholine-receptor-ion-"
    "channel/c22dcd60b91f3b1a9226cfdbba6a736e",
    "SIGMA1": "Wikipedia, Sigma-1 receptor (encoded by SIGMAR1) "
    "https://en.wikipedia.org/wiki/Sigma-1_receptor | sigma-1 receptor review "
    "https://pmc.ncbi.nlm.nih.gov/articles/PMC2785038",
    "ESK": "Esketamine: non-selective non-competitive NMDA receptor antagonist, metabolised via "
    "CYP2B6 and CYP3A4 https://explorer.cuni.cz/publication/608166 | "
    "https://neuropsychcompass.com/browse-by-medication/esketamine-spravato",
    "KET_CYP": "Ketamine N-demethylation: CYP2B6 major isoform (Anesthesiology 2016 125:1103 "
    "https://asa2.silverchair.com/anesthesiology/article/125/6/1103/18624), CYP3A4 "
    "low-affinity (https://discovery.researcher.life/topic/cyp1b1-inhibitor/15483467?page=5) | "
    "Desta et al. 2012 Xenobiotica https://pmc.ncbi.nlm.nih.gov/articles/PMC3426663",
    "VORT": "CNS Spectrums 2015 (Brainstorms) 'Modes and nodes explain the mechanism of action of "
    "vortioxetine' (SERT inhibition, 5-HT1A agonist, 5-HT1B partial agonist, 5-HT1D, 5-HT3 and "
    "5-HT7 antagonist) https://www.cambridge.org/core/journals/cns-spectrums/article/"
    "modes-and-nodes-explain-the-mechanism-of-action-of-vortioxetine-a-multimodal-agent-mma-"
    "blocking-5ht3-receptors-enhances-release-of-serotonin-norepinephrine-and-acetylcholine/"
    "400B964803ADD5D43993ABEA33B3F010 | Ki values https://www.sanbio.nl/30183-10",
    "HTR3_SUB": "Reactome R-HSA-9649108 (5-HT3 receptors: HTR3A homopentamer or heteropentamers "
    "of HTR3A with HTR3B, C, D or E) https://reactome.org/content/detail/R-HSA-9649108",
    "VORT_CYP": "Trintellix (vortioxetine) label: primary metabolism by CYP2D6 (label text not "
    "retrieved, openFDA record "
    "https://api.fda.gov/drug/label.json?search=openfda.generic_name:%22Vortioxetine%22, "
    "named in the project brief) - rests on standard pharmacology knowledge",
    "LTG_MOA": "Lamotrigine mechanism: blockade of voltage-sensitive sodium channels (slow "
    "inactivated state), inhibiting glutamate release "
    "https://www.thedoctorsplatform.com/drugs/lamotrigine | review "
    "https://pmc.ncbi.nlm.nih.gov/articles/PMC10258870 (blocks VGSCs and VGCCs)",
    "NAV_GENES": "Eijkelkamp et al. 2012 Brain 135:2585 (SCN1A-SCN11A encode NaV1.1-NaV1.9; "
    "SCN7A/Nax not voltage-gated) https://pmc.ncbi.nlm.nih.gov/articles/PMC3437034 - the "
    "restriction to the CNS isoforms NaV1.1/1.2/1.3/1.6 rests on standard knowledge",
    "LTG_UGT": "Lamotrigine N2-glucuronidation by UGT1A4: Rowland et al. 2006 Drug Metab Dispos "
    "34:1055 | Argikar & Remmel 2009 "
    "https://experts.umn.edu/en/publications/variation-in-glucuronidation-of-lamotrigine-in-"
    "human-liver-micros",
    "DCS": "D-cycloserine: glycine-site (GluN1) partial agonist whose efficacy depends on the "
    "co-assembled GluN2 subunit (partial at GluN1/2B, superagonist at GluN1/2C): Dravid et al. "
    "2010 J Neurosci https://pmc.ncbi.nlm.nih.gov/articles/PMC2862277 | "
    "https://pmc.ncbi.nlm.nih.gov/articles/PMC5508192 | "
    "https://pmc.ncbi.nlm.nih.gov/articles/PMC3446239",
    "INFL_PTSD": "Inflammation in PTSD (elevated CRP, IL-6, TNF-alpha): Transl Psychiatry review "
    "https://pmc.ncbi.nlm.nih.gov/articles/PMC9352784 | Passos et al. 2015 Lancet Psychiatry "
    "2:1002 meta-analysis | Michopoulos et al. 2015 Am J Psychiatry (CRP genetic variation) | "
    "'Neuroinflammation in Post-Traumatic Stress Disorder', Biomedicines 2022 10:953 (IL-1, "
    "IL-6, TNF-alpha, NF-kB) "
    "https://doi.org/10.3390/biomedicines10050953",
    "KYN": "Inflammation -> IDO/KMO -> quinolinic acid (NMDA agonist): "
    "https://academic.oup.com/ijnp/article/19/9/pyw028/2488254 | "
    "https://pmc.ncbi.nlm.nih.gov/articles/PMC7563403/figure/brainsci-10-00631-f002",
    "BH4": "BH4 synthesis (GCH1, PTS, SPR) and recycling (PCBD1, QDPR) as cofactor of TH, TPH "
    "and PAH: Mol Neurobiol 1999 19:79 https://pubmed.ncbi.nlm.nih.gov/10321973/ | GCH1 "
    "feedback regulatory protein and BH4 recycling: "
    "https://home.sandiego.edu/~cloer/bio382/382projects2009/382s09_BH4.html",
    "EL2013": "Eisenberg & Levanon 2013 Trends Genet 'Human housekeeping genes, "
    "revisited' (3804 genes; exceptionally uniform genes proposed as RT-PCR controls) "
    "https://www.cell.com/trends/genetics/fulltext/S0168-9525(13)00089-9 | list of the 11 "
    "controls: https://en.wikipedia.org/wiki/Reference_genes",
    "REFGENES": "Classic qPCR reference genes: https://en.wikipedia.org/wiki/Housekeeping_gene "
    "(ACTB, GAPDH, B2M, HPRT1, LDHA, NONO, PGK1, PPIH, GUSB, RPLP0, TFRC) | Sci Rep 2021 "
    "https://pmc.ncbi.nlm.nih.gov/articles/PMC8484624/table/Tab2 (TBP, UBC, PPIA, RPL13A, "
    "YWHAZ) | https://www.hindawi.com/journals/isrn/2013/735053/tab1/ (HMBS) | "
    "https://bmcmolbiol.biomedcentral.com/articles/10.1186/1471-2199-10-57/tables/3 (SDHA)",
    "BRAIN_MARKERS": "Classic brain cell-type markers: Cahoy et al. 2008 J Neurosci 28:264 "
    "(astrocyte, neuron, oligodendrocyte transcriptomes, ALDH1L1 and GFAP) "
    "https://pmc.ncbi.nlm.nih.gov/articles/PMC6671143 | homeostatic microglia markers "
    "(CX3CR1, P2RY12, TMEM119) https://pmc.ncbi.nlm.nih.gov/articles/PMC7255107/table/T1 - "
    "the individual neuronal/oligodendrocyte markers rest on standard knowledge",
    "HK_FILE": "Eisenberg & Levanon 2013 housekeeping list, shared/data/genesets/"
    "HK_genes_Eisenberg_Levanon_2013.txt (deterministic every-k-th subset, see README)",
}

# Library genes annotated to each cited GO term in the bundled GO GMTs (org.Hs.eg.db 3.16,
# propagated; ADRBK1/ADRBK2 are GRK2/GRK3 there). Frozen here so the script needs no GO file.
GO_MEMBERS: dict[str, tuple[str, ...]] = {
    "GO:0001594": (
        "TAAR1", "TAAR2", "TAAR5", "TAAR6", "TAAR8", "TAAR9",
    ),
    "GO:0001692": (
        "HDC", "HNMT", "SLC22A3", "SLC29A4",
    ),
    "GO:0001963": (
        "ARRB2", "CHRNB2", "DRD1", "DRD2", "DRD3", "DRD4", "DRD5", "GDNF", "SLC6A2", "SLC6A3",
        "SLC6A4", "SNCA", "TH",
    ),
    "GO:0003357": (
        "ASCL1", "HAND2", "INSM1", "PHOX2A", "PHOX2B",
    ),
    "GO:0004683": (
        "CAMK2A", "CAMK2B", "CAMK2D", "CAMK2G", "CAMK4", "CAMKK2", "EEF2K",
    ),
    "GO:0004935": (
        "ADRA1A", "ADRA1B", "ADRA1D", "ADRA2A", "ADRA2B", "ADRA2C", "ADRB1", "ADRB2", "ADRB3",
    ),
    "GO:0004952": (
        "DRD1", "DRD2", "DRD3", "DRD4", "DRD5",
    ),
    "GO:0004969": (
        "HRH1", "HRH2", "HRH3", "HRH4", "HTR6",
    ),
    "GO:0004970": (
        "GRIA1", "GRIA2", "GRIA3", "GRIA4", "GRID1", "GRID2", "GRIK1", "GRIK2", "GRIK3", "GRIK4",
        "GRIK5", "GRIN1", "GRIN2A", "GRIN2B", "GRIN2C", "GRIN2D", "GRIN3A", "GRIN3B",
    ),
    "GO:0005167": (
        "PIK3R1", "PLCG1",
    ),
    "GO:0005313": (
        "SLC17A6", "SLC17A7", "SLC17A8", "SLC1A1", "SLC1A2", "SLC1A3", "SLC1A6", "SLC1A7",
        "SLC7A11",
    ),
    "GO:0005955": (
        "PPP3CA",
    ),
    "GO:0006536": (
        "GAD1", "GAD2", "GLS", "GLS2", "GLUD1", "GLUD2", "GLUL", "GOT1", "GOT2", "SLC7A11",
    ),
    "GO:0006729": (
        "GCH1", "PCBD1", "PCBD2", "PTS", "QDPR", "SPR",
    ),
    "GO:0006868": (
        "SLC38A1", "SLC38A2", "SLC38A3",
    ),
    "GO:0007212": (
        "ADCY5", "ARRB2", "CALY", "DRD1", "DRD2", "DRD3", "DRD4", "DRD5", "GNAL", "GSK3B",
        "SLC1A1", "SULT1A3",
    ),
    "GO:0007616": (
        "ADCY1", "ADCY8", "ARC", "CAMK4", "DRD2", "GRIA1", "PRKCZ", "RPS6KB1", "SHANK1",
    ),
    "GO:0008328": (
        "CACNG2", "CACNG3", "CACNG4", "CACNG5", "CACNG7", "CACNG8", "CNIH2", "CNIH3", "DLG3",
        "DLG4", "GRIA1", "GRIA2", "GRIA3", "GRIA4", "GRID2", "GRIK2", "GRIK3", "GRIK4", "GRIK5",
        "GRIN1", "GRIN2A", "GRIN2B", "GRIN2C", "GRIN2D", "GRIN3A", "GRIN3B", "SHISA6", "SHISA9",
    ),
    "GO:0008502": (
        "MTNR1A", "MTNR1B",
    ),
    "GO:0008504": (
        "SLC18A1", "SLC18A2", "SLC22A1", "SLC22A2", "SLC22A3", "SLC29A4", "SLC6A2", "SLC6A3",
        "SLC6A4",
    ),
    "GO:0014069": (
        "ADCY1", "ADCY8", "ADRA2A", "ARC", "ARRB2", "CACNG2", "CACNG3", "CACNG4", "CACNG5",
        "CACNG7", "CACNG8", "CAMK2A", "CHRNA3", "CNIH2", "CRTC1", "DLG1", "DLG2", "DLG4", "DLGAP1",
        "DRD2", "DRD3", "EEF2K", "GAP43", "GRIA1", "GRIA2", "GRID1", "GRID2", "GRIK2", "GRIK5",
        "GRIN1", "GRIN2A", "GRIN2B", "GRIN2C", "GRIN2D", "GRIN3A", "GRIP1", "GRIP2", "GRM1",
        "GRM3", "GRM5", "GSG1L", "HOMER1", "HOMER2", "HOMER3", "NCS1", "NEFH", "NETO1", "NETO2",
        "NOS1", "NRGN", "NSF", "NTRK2", "PICK1", "PPP1R9B", "PRKCZ", "RGS9", "RHEB", "RPLP0",
        "RTN4", "SHANK1", "SHANK2", "SHANK3", "SHISA6", "SHISA9", "SIGMAR1", "SLC6A9", "SYN1",
        "SYNJ2BP", "TSC1", "TSC2",
    ),
    "GO:0030187": (
        "AANAT",
    ),
    "GO:0031547": (
        "BDNF", "NTRK2",
    ),
    "GO:0031929": (
        "AKT1", "AKT3", "EIF4EBP1", "EIF4EBP2", "GATA3", "HTR6", "MTOR", "PIK3CA", "RHEB",
        "RICTOR", "RPS6", "RPS6KB1", "RPS6KB2", "RPTOR", "TSC1", "TSC2",
    ),
    "GO:0032281": (
        "CACNG2", "CACNG3", "CACNG4", "CACNG5", "CACNG7", "CACNG8", "CNIH2", "CNIH3", "DLG3",
        "DLG4", "GRIA1", "GRIA2", "GRIA3", "GRIA4", "SHISA6", "SHISA9",
    ),
    "GO:0035240": (
        "DRD1", "DRD2", "DRD4", "DRD5", "GPR143", "SLC6A3", "TH",
    ),
    "GO:0035497": (
        "CREB1", "CREB5",
    ),
    "GO:0042417": (
        "ALDH2", "CHRNB2", "COMT", "DAO", "DBH", "DDC", "DRD1", "DRD2", "DRD3", "DRD4", "GCH1",
        "GRIN2A", "HPRT1", "HTR1A", "MAOA", "MAOB", "MOXD1", "NR4A2", "PDE1B", "SLC1A1", "SLC6A3",
        "SNCA", "SULT1A3", "TH",
    ),
    "GO:0042421": (
        "DBH", "GATA3", "HAND2", "INSM1", "MOXD1", "TH",
    ),
    "GO:0042423": (
        "ALDH2", "DAO", "DBH", "DDC", "GATA3", "GCH1", "HAND2", "HDC", "INSM1", "MOXD1", "NR4A2",
        "PAH", "PNMT", "SLC6A3", "SNCA", "TH",
    ),
    "GO:0042424": (
        "COMT", "DBH", "MAOA", "MAOB", "MOXD1", "SLC6A3", "SULT1A3",
    ),
    "GO:0042427": (
        "ALDH2", "DDC", "TPH1", "TPH2",
    ),
    "GO:0047696": (
        "ADRBK1", "ADRBK2", "GRK5", "GRK6",
    ),
    "GO:0048167": (
        "ADCY1", "ADCY8", "ARC", "CAMK2A", "CAMK2B", "CHRNA7", "CRTC1", "CX3CR1", "DLG4", "DRD1",
        "DRD2", "DRD5", "EIF4EBP2", "GFAP", "GRIA1", "GRID2", "GRIK2", "GRIN1", "GRIN2A", "GRIN2B",
        "GRIN2C", "GRIN2D", "GRM5", "GSK3B", "HRH1", "MAPK1", "NETO1", "NRGN", "NTRK2", "PICK1",
        "PRKCZ", "PTEN", "S100B", "SHANK2", "SHANK3", "SHISA6", "SHISA9", "SLC1A1", "SLC38A1",
        "SNAP25", "SNCA", "SYP",
    ),
    "GO:0050432": (
        "ADRA2A", "ADRA2B", "ADRA2C", "ADRBK1", "CHGA", "CHRNA4", "CHRNB2", "DRD2", "DRD3", "GDNF",
        "GRM2", "HRH3", "HTR1B", "HTR2A", "SNCA", "SYT1",
    ),
    "GO:0050780": (
        "ARRB2", "CLIC6", "DLG4", "DRD3", "PPP1R9B",
    ),
    "GO:0051378": (
        "HTR1A", "HTR1B", "HTR1D", "HTR1E", "HTR1F", "HTR2A", "HTR2B", "HTR2C", "HTR3A", "HTR4",
        "HTR5A", "SLC6A4",
    ),
    "GO:0052598": (
        "AOC1",
    ),
    "GO:0060291": (
        "ADCY1", "ADCY8", "ARC", "CHRNA7", "CRTC1", "CX3CR1", "DRD1", "DRD2", "GFAP", "GRIN2A",
        "GRIN2B", "GRIN2C", "GRIN2D", "GSK3B", "MAPK1", "NRGN", "NTRK2", "PRKCZ", "PTEN", "SHANK2",
        "SHANK3", "SLC1A1", "SNAP25", "SNCA",
    ),
    "GO:0070178": (
        "DAO", "SRR",
    ),
    "GO:0070371": (
        "ADRA1A", "ARRB1", "ARRB2", "CHRNA7", "DLG1", "DRD2", "HAND2", "HTR2A", "HTR2B", "HTR2C",
        "IL1B", "MAP2K1", "MAPK1", "MAPK3", "PRKCZ", "PTEN", "SULT1A3", "SYNJ2BP", "YWHAZ",
    ),
    "GO:0071542": (
        "EN1", "EN2", "FOXA1", "FOXA2", "GSK3B", "HPRT1", "LMX1A", "LMX1B", "NR4A2", "OTX2",
        "PHOX2A", "PHOX2B", "PITX3",
    ),
    "GO:0097621": (
        "MAOA", "MAOB", "RNLS",
    ),
    "GO:0098962": (
        "CACNG4", "CACNG5", "CNIH2", "DLGAP1", "HOMER1", "HOMER3", "NPTX1", "NPTX2", "NPTXR",
        "SHISA6", "SHISA9",
    ),
    "GO:0098988": (
        "GRIK3", "GRM1", "GRM2", "GRM3", "GRM5", "GRM6", "GRM7", "GRM8",
    ),
    "GO:0099151": (
        "GRID2", "NPTX1",
    ),
    "GO:0099163": (
        "NOS1",
    ),
    "GO:0099589": (
        "DRD4", "HRH1", "HRH2", "HRH3", "HRH4", "HTR1A", "HTR1B", "HTR1D", "HTR1E", "HTR1F",
        "HTR2A", "HTR2B", "HTR2C", "HTR4", "HTR5A", "HTR6", "HTR7",
    ),
    "GO:0140245": (
        "EIF4E",
    ),
    "GO:1904602": (
        "HTR3A", "HTR3B", "HTR3C", "HTR3D", "HTR3E",
    ),
    "GO:1904782": (
        "SLC6A9",
    ),
    "GO:1990416": (
        "EEF2K", "NTRK2",
    ),
}  # fmt: skip

GO_TERMS: dict[str, str] = {
    "GO:0004970": "ionotropic glutamate receptor activity",
    "GO:0098988": "G protein-coupled glutamate receptor activity",
    "GO:0005313": "L-glutamate transmembrane transporter activity",
    "GO:0006536": "glutamate metabolic process",
    "GO:0032281": "AMPA glutamate receptor complex",
    "GO:0014069": "postsynaptic density",
    "GO:0048167": "regulation of synaptic plasticity",
    "GO:0060291": "long-term synaptic potentiation",
    "GO:0031547": "brain-derived neurotrophic factor receptor signaling pathway",
    "GO:0031929": "TOR signaling",
    "GO:0004683": "calmodulin-dependent protein kinase activity",
    "GO:0035249": "synaptic transmission, glutamatergic",
    "GO:0051378": "serotonin binding",
    "GO:1904602": "serotonin-activated cation-selective channel complex",
    "GO:0004952": "dopamine neurotransmitter receptor activity",
    "GO:0004935": "adrenergic receptor activity",
    "GO:0004969": "histamine receptor activity",
    "GO:0001594": "trace-amine receptor activity",
    "GO:0008502": "melatonin receptor activity",
    "GO:0008504": "monoamine transmembrane transporter activity",
    "GO:0042423": "catecholamine biosynthetic process",
    "GO:0042427": "serotonin biosynthetic process",
    "GO:0001692": "histamine metabolic process",
    "GO:0030187": "melatonin biosynthetic process",
    "GO:0006729": "tetrahydrobiopterin biosynthetic process",
    "GO:0097621": "monoamine oxidase activity",
    "GO:0042424": "catecholamine catabolic process",
    "GO:0052598": "histamine oxidase activity",
    "GO:0007212": "dopamine receptor signaling pathway",
    "GO:0047696": "beta-adrenergic receptor kinase activity",
    "GO:0050780": "dopamine receptor binding",
    "GO:0042417": "dopamine metabolic process",
    "GO:0050432": "catecholamine secretion",
    "GO:0001963": "synaptic transmission, dopaminergic",
    "GO:0035240": "dopamine binding",
    "GO:0071542": "dopaminergic neuron differentiation",
    "GO:0003357": "noradrenergic neuron differentiation",
    "GO:0042421": "norepinephrine biosynthetic process",
    "GO:0006868": "glutamine transport",
    "GO:0070178": "D-serine metabolic process",
    "GO:1904782": "negative regulation of NMDA glutamate receptor activity",
    "GO:0008328": "ionotropic glutamate receptor complex",
    "GO:0098962": "regulation of postsynaptic neurotransmitter receptor activity",
    "GO:0099151": "regulation of postsynaptic density assembly",
    "GO:0005167": "neurotrophin TRK receptor binding",
    "GO:0140245": "regulation of translation at postsynapse",
    "GO:0070371": "ERK1 and ERK2 cascade",
    "GO:0005955": "calcineurin complex",
    "GO:0099163": "synaptic signaling by nitric oxide",
    "GO:0035497": "cAMP response element binding",
    "GO:1990416": "cellular response to brain-derived neurotrophic factor stimulus",
    "GO:0007616": "long-term memory",
    "GO:0099589": "serotonin receptor activity",
}


_URL_RE = re.compile(r"(?:https?://|doi:)\S+")


def cite(key: str, full: bool = False) -> str:
    """Render a source key: full citation (README) or key + first URL/DOI (TSV)."""
    if key.startswith("GO:"):
        return f"{key} {GO_TERMS[key]} (Gene Ontology, org.Hs.eg.db 3.16)"
    if full:
        return f"{key}: {SOURCES[key]}"
    if key == "STD":
        return "STD (standard knowledge; no retrieved source)"
    if key == "STUDY":
        return "STUDY (ldenrich brief STUDY.md)"
    if key == "HK_FILE":
        return "HK_FILE (HK_genes_Eisenberg_Levanon_2013.txt)"
    urls = _URL_RE.findall(SOURCES[key])
    return f"{key} <{urls[0].rstrip(')')}>" if urls else f"{key}: {SOURCES[key]}"


# ---------------------------------------------------------------------------------------------
# Roles (short phrase per gene; shared by all sets).
# ---------------------------------------------------------------------------------------------
ROLES: dict[str, str] = {}


def _roles(mapping: dict[str, str]) -> None:
    for sym, role in mapping.items():
        if sym in ROLES and ROLES[sym] != role:
            raise SystemExit(f"conflicting role for {sym}")
        ROLES[sym] = role


_roles({f"GRIA{i}": f"AMPA receptor subunit GluA{i}" for i in range(1, 5)})
_roles({f"GRIK{i}": f"kainate receptor subunit GluK{i}" for i in range(1, 6)})
_roles({"GRIN1": "NMDA receptor obligatory subunit GluN1 (glycine/D-serine site)"})
_roles({f"GRIN2{x}": f"NMDA receptor subunit GluN2{x}" for x in "ABCD"})
_roles({f"GRIN3{x}": f"NMDA receptor subunit GluN3{x}" for x in "AB"})
_roles({f"GRID{i}": f"delta glutamate receptor subunit GluD{i}" for i in (1, 2)})
_roles({f"GRM{i}": f"metabotropic glutamate receptor mGlu{i}" for i in (1, 2, 3, 5, 6, 7, 8)})
_roles({f"DRD{i}": f"dopamine D{i} receptor" for i in range(1, 6)})
_roles(
    {
        f"HTR{s}": f"5-HT{s} receptor"
        for s in ("1A", "1B", "1D", "1E", "1F", "2A", "2B", "2C", "4", "5A", "6", "7")
    }
)
_roles({f"HTR3{x}": f"5-HT3 receptor subunit {x} (ligand-gated ion channel)" for x in "ABCDE"})
_roles({f"ADRA{s}": f"alpha{s}-adrenoceptor" for s in ("1A", "1B", "1D", "2A", "2B", "2C")})
_roles({f"ADRB{i}": f"beta{i}-adrenoceptor" for i in (1, 2, 3)})
_roles({f"HRH{i}": f"histamine H{i} receptor" for i in range(1, 5)})
_roles({f"TAAR{i}": f"trace amine-associated receptor {i}" for i in (1, 2, 5, 6, 8, 9)})
_roles(
    {f"CACNG{i}": f"TARP gamma-{i} (AMPA receptor auxiliary subunit)" for i in (2, 3, 4, 5, 7, 8)}
)
_roles(
    {
        f"CAMK2{x}": f"CaMKII {n} subunit"
        for x, n in zip("ABDG", ("alpha", "beta", "delta", "gamma"), strict=True)
    }
)
_roles(
    {
        "MTNR1A": "melatonin MT1 receptor (serotonin-derived indoleamine)",
        "MTNR1B": "melatonin MT2 receptor (serotonin-derived indoleamine)",
        "SIGMAR1": "sigma-1 receptor (ER chaperone; DXM/esketamine agonist site)",
        "CYP2D6": "CYP2D6: DXM O-demethylation to dextrorphan; inhibited by bupropion/fluoxetine",
        "CYP2B6": "CYP2B6: bupropion hydroxylation; ketamine N-demethylation",
        "CYP3A4": "CYP3A4: DXM N-demethylation (minor); ketamine/esketamine metabolism",
        "BDNF": "brain-derived neurotrophic factor",
        "NTRK2": "TrkB, BDNF receptor",
        "MTOR": "mTOR kinase (mTORC1/2)",
        "RPS6KB1": "p70 S6 kinase 1 (mTORC1 effector)",
        "RPS6KB2": "p70 S6 kinase 2 (mTORC1 effector)",
        "EEF2K": "eEF2 kinase (NMDA-blockade -> de-repressed BDNF translation)",
        "EEF2": "eukaryotic elongation factor 2",
        "ARC": "activity-regulated cytoskeleton-associated protein (IEG, AMPA endocytosis)",
        "PTEN": "PTEN phosphatase (PI3K-AKT-mTOR brake)",
        "SLC1A1": "EAAT3/EAAC1 neuronal glutamate transporter",
        "SLC1A2": "EAAT2/GLT-1 glial glutamate transporter",
        "SLC1A3": "EAAT1/GLAST glial glutamate transporter",
        "SLC1A6": "EAAT4 glutamate transporter (Purkinje cells)",
        "SLC1A7": "EAAT5 glutamate transporter (retina)",
        "SLC17A6": "VGLUT2 vesicular glutamate transporter",
        "SLC17A7": "VGLUT1 vesicular glutamate transporter",
        "SLC17A8": "VGLUT3 vesicular glutamate transporter",
        "SLC38A1": "SNAT1 neuronal glutamine transporter (glutamate-glutamine cycle)",
        "SLC38A2": "SNAT2 glutamine transporter (glutamate-glutamine cycle)",
        "SLC38A3": "SNAT3 astrocytic glutamine efflux (glutamate-glutamine cycle)",
        "SLC7A11": "xCT cystine/glutamate antiporter",
        "GLS": "glutaminase (kidney-type), glutamine -> glutamate",
        "GLS2": "glutaminase 2 (liver-type), glutamine -> glutamate",
        "GLUL": "glutamine synthetase (astrocytic), glutamate -> glutamine",
        "GAD1": "glutamate decarboxylase GAD67, glutamate -> GABA",
        "GAD2": "glutamate decarboxylase GAD65, glutamate -> GABA",
        "GLUD1": "glutamate dehydrogenase 1",
        "GLUD2": "glutamate dehydrogenase 2",
        "GOT1": "aspartate aminotransferase 1 (cytosolic)",
        "GOT2": "aspartate aminotransferase 2 (mitochondrial)",
        "PC": "pyruvate carboxylase (astrocytic de novo glutamate synthesis)",
        "SRR": "serine racemase (D-serine, NMDA co-agonist)",
        "DAO": "D-amino acid oxidase (D-serine degradation)",
        "SLC6A9": "GlyT1 glycine transporter (NMDA co-agonist availability)",
        "CNIH2": "cornichon-2 (AMPA receptor auxiliary subunit)",
        "CNIH3": "cornichon-3 (AMPA receptor auxiliary subunit)",
        "GSG1L": "GSG1L (AMPA receptor auxiliary subunit)",
        "SHISA6": "SHISA6/CKAMP52 (AMPA receptor auxiliary subunit)",
        "SHISA9": "SHISA9/CKAMP44 (AMPA receptor auxiliary subunit)",
        "NETO1": "NETO1 (kainate/NMDA receptor auxiliary subunit)",
        "NETO2": "NETO2 (kainate receptor auxiliary subunit)",
        "DLG1": "SAP97 PSD scaffold (GluA1 binding)",
        "DLG2": "PSD-93 PSD scaffold",
        "DLG3": "SAP102 PSD scaffold",
        "DLG4": "PSD-95 PSD scaffold (NMDA/AMPA-TARP anchoring)",
        "HOMER1": "Homer1 scaffold (mGlu1/5 - Shank coupling)",
        "HOMER2": "Homer2 scaffold",
        "HOMER3": "Homer3 scaffold",
        "SHANK1": "Shank1 PSD scaffold",
        "SHANK2": "Shank2 PSD scaffold",
        "SHANK3": "Shank3 PSD scaffold",
        "DLGAP1": "GKAP/SAPAP1 (PSD-95 - Shank linker)",
        "GRIP1": "GRIP1 (GluA2/3 trafficking scaffold)",
        "GRIP2": "GRIP2 (GluA2/3 trafficking scaffold)",
        "PICK1": "PICK1 (GluA2 trafficking)",
        "NSF": "NSF (GluA2 surface stabilisation)",
        "NPTX1": "neuronal pentraxin 1 (AMPA receptor clustering)",
        "NPTX2": "neuronal pentraxin 2/NARP (AMPA receptor clustering)",
        "NPTXR": "neuronal pentraxin receptor (AMPA receptor clustering)",
        "PLCG1": "PLC-gamma1 (TrkB effector)",
        "PIK3CA": "PI3K p110alpha (TrkB -> AKT)",
        "PIK3R1": "PI3K p85alpha regulatory subunit",
        "AKT1": "AKT1 kinase (TrkB/PI3K -> mTORC1)",
        "AKT3": "AKT3 kinase (brain-predominant isoform)",
        "TSC1": "hamartin (TSC complex, mTORC1 brake)",
        "TSC2": "tuberin (TSC complex, RHEB GAP)",
        "RHEB": "RHEB GTPase (mTORC1 activator)",
        "RPTOR": "raptor (mTORC1 component)",
        "RICTOR": "rictor (mTORC2 component)",
        "RPS6": "ribosomal protein S6 (S6K substrate)",
        "EIF4EBP1": "4E-BP1 (mTORC1 translational repressor)",
        "EIF4EBP2": "4E-BP2 (neuronal mTORC1 translational repressor)",
        "EIF4E": "eIF4E cap-binding factor",
        "GSK3B": "GSK-3beta (ketamine/lithium target pathway)",
        "MAP2K1": "MEK1 (TrkB -> ERK)",
        "MAPK1": "ERK2",
        "MAPK3": "ERK1",
        "RPS6KA1": "RSK1 (ERK -> CREB)",
        "CAMK4": "CaMKIV (nuclear CREB kinase)",
        "CAMKK2": "CaMKK2 (CaMKIV/AMPK upstream kinase)",
        "PRKACA": "PKA catalytic subunit alpha (GluA1 S845, CREB)",
        "ADCY1": "adenylyl cyclase 1 (Ca2+/CaM-stimulated, LTP)",
        "ADCY8": "adenylyl cyclase 8 (Ca2+/CaM-stimulated, LTP)",
        "PPP3CA": "calcineurin A alpha (LTD, CRTC1 dephosphorylation)",
        "NOS1": "neuronal NOS (NMDA-PSD-95 coupled)",
        "PRKCZ": "PKC-zeta/PKMzeta (LTP maintenance)",
        "NRGN": "neurogranin (CaM buffer, LTP)",
        "CREB1": "CREB (activity-dependent transcription)",
        "CREB5": "CREB5 transcription factor",
        "CRTC1": "CREB-regulated transcription coactivator 1 (TORC1)",
        "EGR1": "EGR1/Zif268 immediate-early gene",
        "SLC6A4": "SERT serotonin transporter",
        "SLC6A3": "DAT dopamine transporter",
        "SLC6A2": "NET noradrenaline transporter",
        "SLC18A1": "VMAT1 vesicular monoamine transporter",
        "SLC18A2": "VMAT2 vesicular monoamine transporter",
        "SLC22A1": "OCT1 organic cation (uptake-2) monoamine transporter",
        "SLC22A2": "OCT2 organic cation (uptake-2) monoamine transporter",
        "SLC22A3": "OCT3/EMT extraneuronal monoamine transporter",
        "SLC29A4": "PMAT plasma-membrane monoamine transporter",
        "TH": "tyrosine hydroxylase (catecholamine rate-limiting)",
        "DDC": "aromatic L-amino acid decarboxylase (DA, 5-HT)",
        "DBH": "dopamine beta-hydroxylase (DA -> NA)",
        "PNMT": "phenylethanolamine N-methyltransferase (NA -> adrenaline)",
        "TPH1": "tryptophan hydroxylase 1 (peripheral/pineal 5-HT)",
        "TPH2": "tryptophan hydroxylase 2 (neuronal 5-HT)",
        "HDC": "histidine decarboxylase (histamine synthesis)",
        "PAH": "phenylalanine hydroxylase (tyrosine supply)",
        "AANAT": "arylalkylamine N-acetyltransferase (serotonin -> N-acetylserotonin)",
        "GCH1": "GTP cyclohydrolase I (BH4 rate-limiting)",
        "GCHFR": "GCH1 feedback regulatory protein",
        "PTS": "6-pyruvoyl-tetrahydropterin synthase (BH4 synthesis)",
        "SPR": "sepiapterin reductase (BH4 synthesis)",
        "QDPR": "dihydropteridine reductase (BH4 recycling)",
        "PCBD1": "pterin-4a-carbinolamine dehydratase 1 (BH4 recycling)",
        "PCBD2": "pterin-4a-carbinolamine dehydratase 2 (BH4 recycling)",
        "MAOA": "monoamine oxidase A",
        "MAOB": "monoamine oxidase B",
        "RNLS": "renalase (catecholamine-oxidising flavoprotein)",
        "COMT": "catechol-O-methyltransferase",
        "SULT1A3": "monoamine-preferring sulfotransferase (dopamine sulfation)",
        "MOXD1": "DBH-like monooxygenase",
        "HNMT": "histamine N-methyltransferase",
        "AOC1": "diamine oxidase (histamine degradation)",
        "ALDH1A1": "aldehyde dehydrogenase 1A1 (DOPAL -> DOPAC in DA neurons)",
        "ALDH2": "mitochondrial aldehyde dehydrogenase (monoamine aldehydes)",
        "PPP1R1B": "DARPP-32 (dopamine/cAMP-regulated phosphoprotein)",
        "GNAL": "G-alpha-olf (striatal D1/A2A coupling)",
        "ADCY5": "adenylyl cyclase 5 (striatal D1/D2 effector)",
        "RGS9": "RGS9-2 (striatal D2 signalling terminator)",
        "RGS9BP": "R7BP/R9AP (RGS9 membrane anchor)",
        "CALY": "calcyon (D1 receptor interacting protein)",
        "ARRB1": "beta-arrestin 1 (monoamine GPCR desensitisation)",
        "ARRB2": "beta-arrestin 2 (D2 receptor - AKT/GSK3 signalling)",
        "ADRBK1": "GRK2/beta-adrenergic receptor kinase 1 (NCBI37.3 symbol ADRBK1)",
        "ADRBK2": "GRK3/beta-adrenergic receptor kinase 2 (NCBI37.3 symbol ADRBK2)",
        "GRK5": "G protein-coupled receptor kinase 5",
        "GRK6": "G protein-coupled receptor kinase 6 (D2 desensitisation)",
        "CLIC6": "CLIC6 (D2-like receptor interacting protein)",
        "PPP1R9B": "spinophilin (D2/alpha2 receptor interacting protein)",
        "PDE1B": "Ca2+/CaM phosphodiesterase 1B (striatal dopamine signalling)",
        "PDE10A": "phosphodiesterase 10A (striatal dopamine signalling)",
        "KCNJ6": "GIRK2 (D2/5-HT1A/alpha2 autoreceptor effector)",
        "NCS1": "neuronal calcium sensor 1 (D2 receptor desensitisation)",
        "CHGA": "chromogranin A (catecholamine storage vesicles)",
        "CYB561": "cytochrome b561 (electron donor to DBH in chromaffin vesicles)",
        "SNCA": "alpha-synuclein (dopamine release/uptake regulation)",
        "GPR143": "GPR143/OA1 (L-DOPA receptor)",
        "GDNF": "glial cell line-derived neurotrophic factor (DA neuron trophic factor)",
        "RET": "RET receptor tyrosine kinase (GDNF receptor on DA neurons)",
        "SLC7A5": "LAT1 (brain uptake of tyrosine, tryptophan, L-DOPA)",
        "NR4A2": "NURR1 (dopaminergic neuron identity)",
        "PITX3": "PITX3 (midbrain dopaminergic neuron identity)",
        "LMX1A": "LMX1A (midbrain dopaminergic neuron identity)",
        "LMX1B": "LMX1B (dopaminergic and serotonergic neuron identity)",
        "FOXA1": "FOXA1 (midbrain dopaminergic neuron specification)",
        "FOXA2": "FOXA2 (midbrain dopaminergic neuron specification)",
        "EN1": "engrailed-1 (midbrain dopaminergic neuron survival)",
        "EN2": "engrailed-2 (midbrain dopaminergic neuron survival)",
        "OTX2": "OTX2 (midbrain dopaminergic neuron specification)",
        "PHOX2A": "PHOX2A (noradrenergic neuron identity)",
        "PHOX2B": "PHOX2B (noradrenergic neuron identity)",
        "HAND2": "HAND2 (noradrenergic neuron identity)",
        "ASCL1": "ASCL1/MASH1 (noradrenergic neuron specification)",
        "INSM1": "INSM1 (noradrenergic neuron differentiation)",
        "FEV": "FEV/PET1 (serotonergic neuron identity)",
        "GATA2": "GATA2 (serotonergic neuron specification)",
        "GATA3": "GATA3 (serotonergic and noradrenergic neuron specification)",
        "NKX2-2": "NKX2-2 (serotonergic neuron specification)",
        "CHRNA3": "nicotinic receptor alpha3 subunit (bupropion antagonism)",
        "CHRNA4": "nicotinic receptor alpha4 subunit (bupropion antagonism)",
        "CHRNA7": "nicotinic receptor alpha7 subunit (bupropion antagonism)",
        "CHRNB2": "nicotinic receptor beta2 subunit (bupropion antagonism)",
        "CHRNB4": "nicotinic receptor beta4 subunit (bupropion antagonism)",
        "SCN1A": "NaV1.1 voltage-gated sodium channel alpha subunit",
        "SCN2A": "NaV1.2 voltage-gated sodium channel alpha subunit",
        "SCN3A": "NaV1.3 voltage-gated sodium channel alpha subunit",
        "SCN8A": "NaV1.6 voltage-gated sodium channel alpha subunit",
        "UGT1A4": "UGT1A4 (lamotrigine N2-glucuronidation)",
        "CRP": "C-reactive protein (inflammation marker)",
        "IL6": "interleukin-6",
        "IL6R": "IL-6 receptor alpha",
        "IL6ST": "gp130 (IL-6 signal transducer)",
        "IL1B": "interleukin-1beta",
        "IL1R1": "IL-1 receptor type 1",
        "TNFRSF1A": "TNF receptor 1 (TNF itself absent from NCBI37.3.gene.loc)",
        "TNFRSF1B": "TNF receptor 2 (TNF itself absent from NCBI37.3.gene.loc)",
        "IDO1": "indoleamine 2,3-dioxygenase 1 (cytokine-induced kynurenine pathway)",
        "KMO": "kynurenine 3-monooxygenase (quinolinic acid branch)",
    }
)

EL2013_UNIFORM = (
    "C1orf43", "CHMP2A", "EMC7", "GPI", "PSMB2", "PSMB4", "RAB7A", "REEP5", "SNRPD3", "VCP",
    "VPS29",
)  # fmt: skip
REFERENCE_GENES = (
    "ACTB", "GAPDH", "B2M", "HPRT1", "PGK1", "PPIA", "RPLP0", "TBP", "GUSB", "HMBS", "YWHAZ",
    "UBC", "SDHA", "TFRC", "LDHA", "NONO", "PPIH", "RPL13A",
)  # fmt: skip
BRAIN_MARKERS = {
    "RBFOX3": "NeuN (neuronal nuclei marker)",
    "ENO2": "neuron-specific enolase",
    "SNAP25": "SNAP-25 (neuronal SNARE)",
    "SYP": "synaptophysin",
    "SYN1": "synapsin I",
    "SYT1": "synaptotagmin 1",
    "MAP2": "MAP2 (dendritic marker)",
    "TUBB3": "beta-III tubulin (neuronal)",
    "NEFL": "neurofilament light",
    "NEFM": "neurofilament medium",
    "NEFH": "neurofilament heavy",
    "STMN2": "stathmin-2/SCG10 (neuronal)",
    "GAP43": "GAP-43 (neuronal growth cone)",
    "UCHL1": "PGP9.5 (neuronal)",
    "INA": "alpha-internexin (neuronal)",
    "GFAP": "GFAP (astrocyte marker)",
    "AQP4": "aquaporin-4 (astrocyte endfeet)",
    "S100B": "S100B (astrocyte marker)",
    "ALDH1L1": "ALDH1L1 (pan-astrocyte marker)",
    "MBP": "myelin basic protein (oligodendrocyte)",
    "PLP1": "proteolipid protein 1 (oligodendrocyte)",
    "MAG": "myelin-associated glycoprotein (oligodendrocyte)",
    "OLIG2": "OLIG2 (oligodendrocyte lineage)",
    "CNP": "CNPase (oligodendrocyte)",
    "SOX10": "SOX10 (oligodendrocyte lineage)",
    "CX3CR1": "fractalkine receptor (microglia)",
    "P2RY12": "P2Y12 (homeostatic microglia)",
    "TMEM119": "TMEM119 (homeostatic microglia)",
}
_roles(
    dict.fromkeys(
        EL2013_UNIFORM, "Eisenberg & Levanon 2013 exceptionally uniform housekeeping gene"
    )
)
_roles(dict.fromkeys(REFERENCE_GENES, "classic qPCR reference/housekeeping gene"))
_roles({g: f"brain-enriched cell-type marker: {r}" for g, r in BRAIN_MARKERS.items()})

# Deterministic subset of the Eisenberg & Levanon (2013) list (rule in derive_hk_subset).
HK_SUBSET_N = 77
HK_SUBSET: tuple[str, ...] = (
    "AAAS", "ADCK4", "ALYREF", "APOA1BP", "ASB7", "ATP5O", "BCAT2", "BTF3", "C1orf109", "CALM1",
    "CCNB1IP1", "CELF1", "CLCC1", "COMMD5", "CPSF7", "CWC15", "DDRGK1", "DHX9", "DPY30", "EI24",
    "ELP2", "EXOC2", "FAM210B", "FEN1", "GAPVD1", "GNL3", "GSTO1", "HEBP1", "HS2ST1", "IMP4",
    "JMJD6", "KLHL25", "LONP1", "MAGEF1", "MCM3AP", "MFAP1", "MORC2", "MRPL43", "MSL3", "NACC1",
    "NDUFB4", "NIT1", "NSMCE2", "OGG1", "PCGF1", "PHC2", "PLOD1", "POLR3GL", "PPP5C", "PSMA2",
    "PTPN23", "RABEPK", "RBM4", "RMI1", "RPL26L1", "RTN4", "SDCCAG8", "SETD7", "SLC35A2", "SNF8",
    "SPPL2B", "STARD7", "SYNJ2BP", "TBCE", "THUMPD3", "TMEM106C", "TMEM5", "TOX4", "TRPC4AP",
    "TXNL4A", "UBE4A", "URGCP", "VPS26A", "WDR75", "YY1", "ZFP91", "ZNF384",
)  # fmt: skip

# ---------------------------------------------------------------------------------------------
# Gene blocks shared by several sets
# ---------------------------------------------------------------------------------------------
NMDA = ("GRIN1", "GRIN2A", "GRIN2B", "GRIN2C", "GRIN2D", "GRIN3A", "GRIN3B")
AMPA = ("GRIA1", "GRIA2", "GRIA3", "GRIA4")
KAINATE = ("GRIK1", "GRIK2", "GRIK3", "GRIK4", "GRIK5")
DELTA = ("GRID1", "GRID2")
MGLU = ("GRM1", "GRM2", "GRM3", "GRM5", "GRM6", "GRM7", "GRM8")
CGR_PLASTICITY = ("BDNF", "NTRK2", "MTOR", "RPS6KB1", "EEF2K", "CAMK2A", "ARC", "PTEN")
CGR_METABOLIC = ("CYP2D6", "CYP2B6", "CYP3A4", "SIGMAR1")
GLU_TRANSPORT = (
    "SLC1A1", "SLC1A2", "SLC1A3", "SLC1A6", "SLC1A7", "SLC17A6", "SLC17A7", "SLC17A8",
    "SLC38A1", "SLC38A2", "SLC38A3", "SLC7A11",
)  # fmt: skip
GLU_METABOLISM = ("GLS", "GLS2", "GLUL", "GAD1", "GAD2", "GLUD1", "GLUD2", "GOT1", "GOT2", "PC")
COAGONIST = ("SRR", "DAO", "SLC6A9")
IGLUR_AUX = (
    "CACNG2", "CACNG3", "CACNG4", "CACNG5", "CACNG7", "CACNG8", "CNIH2", "CNIH3", "GSG1L",
    "SHISA6", "SHISA9", "NETO1", "NETO2",
)  # fmt: skip
SCAFFOLD = (
    "DLG1", "DLG2", "DLG3", "DLG4", "HOMER1", "HOMER2", "HOMER3", "SHANK1", "SHANK2", "SHANK3",
    "DLGAP1", "GRIP1", "GRIP2", "PICK1", "NSF", "NPTX1", "NPTX2", "NPTXR",
)  # fmt: skip
PLASTICITY_BDNF = ("BDNF", "NTRK2", "PLCG1", "PIK3CA", "PIK3R1", "AKT1", "AKT3")
PLASTICITY_MTOR = (
    "TSC1", "TSC2", "RHEB", "MTOR", "RPTOR", "RICTOR", "RPS6KB1", "RPS6KB2", "RPS6", "EIF4EBP1",
    "EIF4EBP2", "EIF4E", "EEF2K", "EEF2", "GSK3B",
)  # fmt: skip
PLASTICITY_ERK = ("MAP2K1", "MAPK1", "MAPK3", "RPS6KA1")
PLASTICITY_CA = (
    "CAMK2A", "CAMK2B", "CAMK2D", "CAMK2G", "CAMK4", "CAMKK2", "PRKACA", "ADCY1", "ADCY8",
    "PPP3CA", "NOS1", "PRKCZ", "NRGN",
)  # fmt: skip
PLASTICITY_NUCLEAR = ("CREB1", "CREB5", "CRTC1", "ARC", "EGR1", "PTEN")
PLASTICITY = PLASTICITY_BDNF + PLASTICITY_MTOR + PLASTICITY_ERK + PLASTICITY_CA + PLASTICITY_NUCLEAR

HTR_GPCR = (
    "HTR1A", "HTR1B", "HTR1D", "HTR1E", "HTR1F", "HTR2A", "HTR2B", "HTR2C", "HTR4", "HTR5A",
    "HTR6", "HTR7",
)  # fmt: skip
HTR3 = ("HTR3A", "HTR3B", "HTR3C", "HTR3D", "HTR3E")
ADRENO = (
    "ADRA1A", "ADRA1B", "ADRA1D", "ADRA2A", "ADRA2B", "ADRA2C", "ADRB1", "ADRB2", "ADRB3",
)  # fmt: skip

MONO_TRANSPORTERS = (
    "SLC6A2", "SLC6A3", "SLC6A4", "SLC18A1", "SLC18A2", "SLC22A1", "SLC22A2", "SLC22A3",
    "SLC29A4",
)  # fmt: skip
MONO_SYNTHESIS = ("TH", "DDC", "DBH", "PNMT", "TPH1", "TPH2", "HDC", "PAH", "AANAT")
MONO_BH4 = ("GCH1", "GCHFR", "PTS", "SPR", "QDPR", "PCBD1", "PCBD2")
MONO_CATABOLISM = (
    "MAOA", "MAOB", "RNLS", "COMT", "SULT1A3", "MOXD1", "HNMT", "AOC1", "ALDH1A1", "ALDH2",
)  # fmt: skip
MONO_SIGNALLING = (
    "PPP1R1B", "GNAL", "ADCY5", "RGS9", "RGS9BP", "CALY", "ARRB1", "ARRB2", "ADRBK1", "ADRBK2",
    "GRK5", "GRK6", "CLIC6", "PPP1R9B", "PDE1B", "PDE10A", "KCNJ6", "NCS1",
)  # fmt: skip
MONO_STORAGE = ("CHGA", "CYB561", "SNCA", "GPR143", "GDNF", "RET", "SLC7A5")
MONO_IDENTITY = (
    "NR4A2", "PITX3", "LMX1A", "LMX1B", "FOXA1", "FOXA2", "EN1", "EN2", "OTX2", "PHOX2A",
    "PHOX2B", "HAND2", "ASCL1", "INSM1", "FEV", "GATA2", "GATA3", "NKX2-2",
)  # fmt: skip
INFL_MARKERS = ("CRP", "IL6", "IL6R", "IL6ST", "IL1B", "IL1R1", "TNFRSF1A", "TNFRSF1B")

PLASTICITY_GO = (
    "GO:0031547", "GO:1990416", "GO:0005167", "GO:0031929", "GO:0140245", "GO:0070371",
    "GO:0004683", "GO:0005955", "GO:0099163", "GO:0035497", "GO:0048167", "GO:0060291",
    "GO:0007616",
)  # fmt: skip

# Non-GO references that support only some genes of the blocks citing them; any key not
# listed here supports every gene of its block.
PARTIAL_REFS: dict[str, frozenset[str]] = {
    "KET_MECH": frozenset(
        ("BDNF", "NTRK2", "MTOR", "RPTOR", "EEF2K", "EEF2", "GSK3B", "GRIA1", "DLG4")
    ),
    "EAAT": frozenset(("SLC1A1", "SLC1A2", "SLC1A3", "SLC1A6", "SLC1A7", *GLU_TRANSPORT[5:8])),
    "AUVELITY": frozenset((*NMDA, "SIGMAR1", "CYP2D6", "SLC6A2", "SLC6A3")),
    "VUMC_DXM": frozenset(("SIGMAR1", "SLC6A4", "SLC6A2", "SLC6A3")),
    "DXM_PK": frozenset(("CYP2D6", "CYP3A4")),
    "BUP_CYP2D6": frozenset(("CYP2D6",)),
    "FLX_CYP2D6": frozenset(("CYP2D6",)),
    "BUP_CYP2B6": frozenset(("CYP2B6",)),
    "SIGMA1": frozenset(("SIGMAR1",)),
    "KET_CYP": frozenset(("CYP2B6", "CYP3A4")),
    "ESK": frozenset((*NMDA, "CYP2B6", "CYP3A4")),
    "BH4": frozenset(("GCH1", "GCHFR", "PTS", "SPR", "QDPR", "PCBD1")),
    "INFL_PTSD": frozenset(("CRP", "IL6", "IL1B")),
    "BRAIN_MARKERS": frozenset(("GFAP", "ALDH1L1", "S100B", "CX3CR1", "P2RY12", "TMEM119")),
}

# A block is (rule, source keys, genes). Sets are lists of blocks; order is kept in the outputs.
Block = tuple[str, tuple[str, ...], tuple[str, ...]]


def _sets() -> list[tuple[str, str, list[Block]]]:
    cgr: list[Block] = [
        (
            (
                "NMDA receptor subunits = low-affinity uncompetitive antagonism by "
                "dextromethorphan (all HGNC GRIN genes)"
            ),
            ("STUDY", "AUVELITY", "HGNC_GRI", "GTOP_IGLUR"),
            NMDA,
        ),
        (
            "AMPA receptor subunits = piracetam positive allosteric modulation (AMPA throughput)",
            ("STUDY", "PIRACETAM", "GTOP_IGLUR"),
            AMPA,
        ),
        (
            (
                "plasticity mediators downstream of NMDA blockade/AMPA drive (BDNF-TrkB, "
                "mTORC1-S6K, eEF2K, CaMKII, ARC, PTEN; STUDY names BDNF NTRK2 MTOR ARC PTEN)"
            ),
            ("STUDY", "KET_MECH", *PLASTICITY_GO, "STD"),
            CGR_PLASTICITY,
        ),
        (
            (
                "metabolic/PK targets: CYP2D6 (DXM O-demethylation, inhibited by bupropion or "
                "fluoxetine), CYP3A4 (DXM N-demethylation), CYP2B6 (bupropion hydroxylation); "
                "sigma-1 receptor grouped here as in the brief"
            ),
            ("STUDY", "DXM_PK", "BUP_CYP2D6", "FLX_CYP2D6", "BUP_CYP2B6", "AUVELITY", "SIGMA1"),
            CGR_METABOLIC,
        ),
    ]
    expanded: list[Block] = [
        (
            "all ionotropic glutamate receptor genes (HGNC group GRI: GRIA, GRIK, GRIN, GRID)",
            ("STUDY", "HGNC_GRI", "GTOP_IGLUR", "GO:0004970"),
            AMPA + KAINATE + NMDA + DELTA,
        ),
        (
            "metabotropic glutamate receptors GRM1-8 (GRM4 absent from NCBI37.3.gene.loc)",
            ("GO:0098988",),
            MGLU,
        ),
        (
            (
                "glutamate transport: EAAT1-5, VGLUT1-3, glutamine transporters of the "
                "glutamate-glutamine cycle (SNAT1-3), xCT"
            ),
            ("STUDY", "EAAT", "GO:0005313", "GO:0006868", "STD"),
            GLU_TRANSPORT,
        ),
        (
            (
                "key glutamate metabolic enzymes (glutaminase, glutamine synthetase, GAD, GDH, "
                "AST, pyruvate carboxylase)"
            ),
            ("STUDY", "GO:0006536", "STD"),
            GLU_METABOLISM,
        ),
        (
            "NMDA co-agonist supply (D-serine synthesis/degradation, GlyT1)",
            ("GO:0070178", "GO:1904782", "STD"),
            COAGONIST,
        ),
        (
            "AMPA/kainate receptor auxiliary subunits (TARPs, cornichons, GSG1L, CKAMPs, NETOs)",
            ("GO:0032281", "GO:0008328", "GO:0014069", "STD"),
            IGLUR_AUX,
        ),
        (
            "postsynaptic scaffolds and glutamate-receptor trafficking/clustering proteins",
            ("GO:0014069", "GO:0008328", "GO:0098962", "GO:0099151", "GO:0048167", "STD"),
            SCAFFOLD,
        ),
        (
            (
                "downstream plasticity effectors: BDNF-TrkB, PI3K-AKT-mTOR-S6K/4E-BP/eEF2K, ERK, "
                "CaMKII/CaMKIV/PKA/calcineurin, CREB/CRTC1, IEGs (STUDY names CREB5 CRTC1 RPS6KB1)"
            ),
            (
                "STUDY",
                "KET_MECH",
                *PLASTICITY_GO,
                "STD",
            ),
            PLASTICITY,
        ),
        (
            "carried over from cgr_targets so the expanded panel is a superset of the CGR panel",
            ("STUDY", "DXM_PK", "BUP_CYP2B6", "SIGMA1"),
            CGR_METABOLIC,
        ),
    ]
    monoaminergic: list[Block] = [
        (
            "dopamine receptors D1-D5",
            ("GTOP_DA", "GO:0004952"),
            ("DRD1", "DRD2", "DRD3", "DRD4", "DRD5"),
        ),
        ("5-HT receptors (GPCRs)", ("GTOP_5HT", "GO:0051378", "GO:0099589"), HTR_GPCR),
        ("5-HT3 receptor subunits", ("GTOP_5HT", "HTR3_SUB", "GO:1904602"), HTR3),
        ("adrenoceptors alpha1, alpha2, beta", ("GO:0004935", "WIKI_MONOAMINE_R"), ADRENO),
        (
            "histamine receptors H1-H4",
            ("GO:0004969", "WIKI_MONOAMINE_R"),
            ("HRH1", "HRH2", "HRH3", "HRH4"),
        ),
        (
            "trace amine-associated receptors (protein-coding members in NCBI37.3)",
            ("GTOP_TAAR", "GO:0001594"),
            ("TAAR1", "TAAR2", "TAAR5", "TAAR6", "TAAR8", "TAAR9"),
        ),
        (
            "melatonin receptors (serotonin-derived indoleamine; monoamine receptor class)",
            ("WIKI_MONOAMINE_R", "GO:0008502"),
            ("MTNR1A", "MTNR1B"),
        ),
        (
            "monoamine transporters (plasma membrane and vesicular)",
            ("GO:0008504",),
            MONO_TRANSPORTERS,
        ),
        (
            "monoamine synthesis enzymes",
            ("GO:0042423", "GO:0042427", "GO:0001692", "GO:0030187"),
            MONO_SYNTHESIS,
        ),
        (
            "tetrahydrobiopterin (BH4) cofactor synthesis/recycling for TH and TPH",
            ("BH4", "GO:0006729", "STD"),
            MONO_BH4,
        ),
        (
            "monoamine degradation/inactivation enzymes",
            ("GO:0097621", "GO:0042424", "GO:0001692", "GO:0052598", "GO:0042427", "STD"),
            MONO_CATABOLISM,
        ),
        (
            (
                "monoamine-receptor signalling and desensitisation (D1/D2 striatal cascade, GRKs, "
                "arrestins)"
            ),
            ("GO:0007212", "GO:0047696", "GO:0050780", "GO:0042417", "STD"),
            MONO_SIGNALLING,
        ),
        (
            "monoamine storage, release and precursor supply",
            ("GO:0050432", "GO:0001963", "GO:0035240", "STD"),
            MONO_STORAGE,
        ),
        (
            "monoaminergic (dopaminergic, noradrenergic, serotonergic) neuron identity factors",
            ("GO:0071542", "GO:0003357", "GO:0042421", "STD"),
            MONO_IDENTITY,
        ),
    ]
    housekeeping: list[Block] = [
        (
            "Eisenberg & Levanon 2013 exceptionally uniform control genes (all 11)",
            ("EL2013",),
            EL2013_UNIFORM,
        ),
        ("classic qPCR reference genes", ("REFGENES",), REFERENCE_GENES),
        (
            "classic brain-enriched cell-type markers",
            ("BRAIN_MARKERS", "STD"),
            tuple(BRAIN_MARKERS),
        ),
        (
            (
                "every k-th gene of the sorted, cleaned Eisenberg & Levanon list "
                f"(first {HK_SUBSET_N}; see README)"
            ),
            ("HK_FILE", "EL2013"),
            HK_SUBSET,
        ),
    ]
    return [
        (
            "cgr_targets",
            (
                "PTSD-study CGR regimen targets, RECONSTRUCTED (not the preprint list) "
                "[STUDY AUVELITY PIRACETAM DXM_PK BUP_CYP2D6 BUP_CYP2B6 KET_MECH]"
            ),
            cgr,
        ),
        (
            "glutamate_plasticity_expanded",
            (
                "PTSD-study expanded glutamate/plasticity panel, RECONSTRUCTED, superset of "
                "cgr_targets [STUDY HGNC_GRI GTOP_IGLUR EAAT KET_MECH GO]"
            ),
            expanded,
        ),
        (
            "monoaminergic",
            (
                "PTSD-study monoaminergic negative-control panel, RECONSTRUCTED "
                "[GTOP_DA GTOP_5HT GTOP_TAAR GO BH4]"
            ),
            monoaminergic,
        ),
        (
            "housekeeping_brain_baseline",
            (
                "PTSD-study housekeeping + brain-enriched baseline panel, RECONSTRUCTED by rule "
                "[EL2013 REFGENES BRAIN_MARKERS HK_FILE]"
            ),
            housekeeping,
        ),
        (
            "ketamine_esketamine",
            (
                "Ketamine/esketamine targets: NMDA subunits, sigma-1, CYP2B6/CYP3A4 "
                "[STUDY ESK KET_CYP GTOP_IGLUR]"
            ),
            [
                (
                    "NMDA channel-pore blocker: all NMDA subunit genes",
                    ("STUDY", "ESK", "HGNC_GRI"),
                    NMDA,
                ),
                ("sigma-1 agonism (esketamine, per brief)", ("STUDY", "SIGMA1"), ("SIGMAR1",)),
                (
                    "metabolism (N-demethylation to norketamine)",
                    ("KET_CYP", "ESK"),
                    ("CYP2B6", "CYP3A4"),
                ),
            ],
        ),
        (
            "dextromethorphan_bupropion",
            (
                "Dextromethorphan-bupropion targets: NMDA, sigma-1, SERT/NET/DAT, nAChR, CYPs "
                "[AUVELITY VUMC_DXM DXM_PK BUP_CYP2D6 BUP_CYP2B6 BUP_NACHR]"
            ),
            [
                (
                    "DXM uncompetitive NMDA antagonism: all NMDA subunit genes",
                    ("AUVELITY", "HGNC_GRI"),
                    NMDA,
                ),
                ("DXM sigma-1 agonism", ("AUVELITY", "SIGMA1"), ("SIGMAR1",)),
                ("DXM SERT inhibition", ("VUMC_DXM",), ("SLC6A4",)),
                (
                    "bupropion NET/DAT reuptake inhibition",
                    ("AUVELITY", "VUMC_DXM"),
                    ("SLC6A2", "SLC6A3"),
                ),
                (
                    (
                        "bupropion noncompetitive nAChR antagonism (alpha3beta2, alpha4beta2, "
                        "alpha7, alpha3beta4)"
                    ),
                    ("BUP_NACHR",),
                    ("CHRNA3", "CHRNA4", "CHRNA7", "CHRNB2", "CHRNB4"),
                ),
                (
                    (
                        "PK: CYP2D6 (DXM clearance, inhibited by bupropion), CYP2B6 (bupropion), "
                        "CYP3A4 (DXM minor)"
                    ),
                    ("AUVELITY", "DXM_PK", "BUP_CYP2D6", "BUP_CYP2B6"),
                    ("CYP2D6", "CYP2B6", "CYP3A4"),
                ),
            ],
        ),
        (
            "vortioxetine",
            (
                "Vortioxetine targets: SERT, 5-HT3 (all subunits), 5-HT7, 5-HT1D, 5-HT1A, 5-HT1B, "
                "CYP2D6 [STUDY VORT HTR3_SUB VORT_CYP]"
            ),
            [
                ("SERT inhibition", ("STUDY", "VORT"), ("SLC6A4",)),
                ("5-HT3 antagonism: all 5-HT3 subunit genes", ("STUDY", "VORT", "HTR3_SUB"), HTR3),
                (
                    "5-HT7/5-HT1D antagonism, 5-HT1A agonism, 5-HT1B partial agonism",
                    ("STUDY", "VORT", "GTOP_5HT"),
                    ("HTR7", "HTR1D", "HTR1A", "HTR1B"),
                ),
                ("metabolism", ("VORT_CYP", "STD"), ("CYP2D6",)),
            ],
        ),
        (
            "lamotrigine",
            (
                "Lamotrigine: CNS voltage-gated sodium channel alpha subunits + UGT1A4 "
                "[STUDY LTG_MOA NAV_GENES LTG_UGT]"
            ),
            [
                (
                    (
                        "voltage-gated Na+ channel blockade: CNS alpha subunits NaV1.1/1.2/1.3/1.6 "
                        "(SCN4A muscle, SCN5A heart, SCN9A-11A peripheral and SCN7A excluded)"
                    ),
                    ("STUDY", "LTG_MOA", "NAV_GENES", "STD"),
                    ("SCN1A", "SCN2A", "SCN3A", "SCN8A"),
                ),
                ("metabolism (N2-glucuronidation)", ("LTG_UGT",), ("UGT1A4",)),
            ],
        ),
        (
            "d_cycloserine",
            "D-cycloserine: GluN1 glycine site + co-assembled GluN2A-D [STUDY DCS]",
            [
                ("glycine-site partial agonist on GluN1", ("STUDY", "DCS"), ("GRIN1",)),
                (
                    "GluN2 subunits co-assembled with GluN1 that set DCS efficacy",
                    ("DCS",),
                    ("GRIN2A", "GRIN2B", "GRIN2C", "GRIN2D"),
                ),
            ],
        ),
        (
            "inflammation",
            (
                "Trauma-linked inflammation markers, their receptors, glial EAATs, BDNF, "
                "kynurenine [STUDY INFL_PTSD KYN EAAT]"
            ),
            [
                (
                    (
                        "inflammation markers named in the brief and their receptors (TNF itself "
                        "absent from NCBI37.3.gene.loc, represented by TNFR1/TNFR2)"
                    ),
                    ("STUDY", "INFL_PTSD", "STD"),
                    INFL_MARKERS,
                ),
                (
                    "glial glutamate transporters GLAST and GLT-1",
                    ("STUDY", "EAAT"),
                    ("SLC1A3", "SLC1A2"),
                ),
                ("BDNF", ("STUDY",), ("BDNF",)),
                (
                    "cytokine-induced kynurenine pathway producing NMDA-active metabolites",
                    ("KYN",),
                    ("IDO1", "KMO"),
                ),
            ],
        ),
        (
            "ampa_kainate_receptors",
            "Functional category: AMPA and kainate receptor subunits [HGNC_GRI GTOP_IGLUR]",
            [
                (
                    "AMPA (GRIA1-4) and kainate (GRIK1-5) subunits",
                    ("STUDY", "HGNC_GRI", "GTOP_IGLUR"),
                    AMPA + KAINATE,
                )
            ],
        ),
        (
            "nmda_receptors",
            "Functional category: NMDA receptor subunits [HGNC_GRI GTOP_IGLUR]",
            [
                (
                    "NMDA subunits GRIN1, GRIN2A-D, GRIN3A-B",
                    ("STUDY", "HGNC_GRI", "GTOP_IGLUR"),
                    NMDA,
                )
            ],
        ),
        (
            "metabolic_targets",
            (
                "Functional category: metabolic/other targets of the CGR list (CYP2D6, CYP2B6, "
                "CYP3A4, SIGMAR1) [STUDY DXM_PK BUP_CYP2B6]"
            ),
            [
                (
                    "metabolic genes of cgr_targets (SIGMAR1 kept as the brief groups it here)",
                    ("STUDY", "DXM_PK", "BUP_CYP2D6", "BUP_CYP2B6", "SIGMA1"),
                    CGR_METABOLIC,
                )
            ],
        ),
        (
            "plasticity_signalling",
            (
                "Functional category: downstream plasticity effectors of the expanded panel "
                "[STUDY KET_MECH GO]"
            ),
            [
                (
                    "plasticity-effector block of glutamate_plasticity_expanded",
                    ("STUDY", "KET_MECH", *PLASTICITY_GO, "STD"),
                    PLASTICITY,
                )
            ],
        ),
        (
            "glutamate_transport",
            (
                "Functional category: glutamate/glutamine transporters of the expanded panel "
                "[EAAT GO:0005313]"
            ),
            [
                (
                    "transport block of glutamate_plasticity_expanded",
                    ("STUDY", "EAAT", "GO:0005313", "GO:0006868", "STD"),
                    GLU_TRANSPORT,
                )
            ],
        ),
    ]


EXPECTED_SIZES = {
    "cgr_targets": 23,
    "glutamate_plasticity_expanded": 130,
    "monoaminergic": 121,
    "housekeeping_brain_baseline": 134,
    "ketamine_esketamine": 10,
    "dextromethorphan_bupropion": 19,
    "vortioxetine": 11,
    "lamotrigine": 5,
    "d_cycloserine": 5,
    "inflammation": 13,
    "ampa_kainate_receptors": 9,
    "nmda_receptors": 7,
    "metabolic_targets": 4,
    "plasticity_signalling": 45,
    "glutamate_transport": 12,
}
STUDY_PANELS = ("cgr_targets", "glutamate_plasticity_expanded", "monoaminergic")


def read_gene_loc(path: str) -> dict[str, str]:
    """symbol (column 6) -> Entrez ID (column 1)."""
    out: dict[str, str] = {}
    with open(path, encoding="utf-8") as fh:
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
            if gene in GO_MEMBERS.get(k, ()):
                out.append(k)
                specific = True
        elif k in PARTIAL_REFS:
            if gene in PARTIAL_REFS[k]:
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
    for name, n in EXPECTED_SIZES.items():
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
    for p in STUDY_PANELS:
        if base & s[p]:
            errs.append(f"baseline overlaps {p}: {sorted(base & s[p])}")
    if s["glutamate_plasticity_expanded"] & s["monoaminergic"]:
        errs.append("expanded and monoaminergic panels overlap")
    return errs


def build(gene_loc: str, hk_path: str | None) -> tuple[str, str, dict[str, list[str]], list[str]]:
    universe = read_gene_loc(gene_loc)
    sets = _sets()
    errs: list[str] = []
    if hk_path is not None:
        study = set()
        for name, _desc, blocks in sets:
            if name in STUDY_PANELS:
                study |= {g for g, _r, _k in flatten(blocks)}
        fixed = set(EL2013_UNIFORM) | set(REFERENCE_GENES) | set(BRAIN_MARKERS)
        derived = derive_hk_subset(hk_path, universe, study | fixed, HK_SUBSET_N)
        if tuple(derived) != HK_SUBSET:
            errs.append("HK subset re-derived from --hk differs from the embedded HK_SUBSET:")
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
            role = ROLES.get(g, "Eisenberg & Levanon 2013 housekeeping gene (deterministic subset)")
            source = f"rule: {rule} | refs: " + "; ".join(cite(k) for k in evidence(g, keys))
            tsv_lines.append("\t".join([name, g, universe.get(g, "NA"), role, source]))
    errs.extend(check_invariants(members))
    return "\n".join(gmt_lines) + "\n", "\n".join(tsv_lines) + "\n", members, errs


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gene_loc", nargs="?", default=DEFAULT_GENE_LOC, help="MAGMA gene.loc file")
    ap.add_argument("--hk", default=None, help="Eisenberg & Levanon list to re-derive the subset")
    ap.add_argument("--outdir", default=HERE, help="output folder (default: this script's folder)")
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
