// Package platform normalizes the measurement platforms refine.bio reports
// ("Illumina HiSeq 2000 (IlluminaHiSeq2000)", "Affymetrix Zebrafish Genome
// Array (zebrafish)") into an accession, a name, a manufacturer and a
// measurement technology (MICROARRAY, RNA-SEQ or OTHER). The accession is
// the one word in the last parentheses; a string without one ("Illumina
// HiSeq 2500 (Homo sapiens)") is its own name and accession.
//
// The technology comes from the experiment's own technology field when it
// has one, and from the platform name only otherwise.
package platform
