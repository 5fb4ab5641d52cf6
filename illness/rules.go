package illness

// DefaultFields is the order in which the default classifier reads sample
// fields: refine.bio's own disease field, the submitter's structured
// characteristics, then free text.
func DefaultFields() []string {
	return []string{
		"disease",
		"disease_stage",
		"characteristics",
		"subject",
		"source_name",
		"title",
		"description",
	}
}

// DefaultRules returns the built-in rules.
func DefaultRules() []Rule {
	return []Rule{
		{Name: "non_septic_shock", Label: NoSepsis, Priority: 10,
			Pattern:     `\bnon[- ]?septic\b|\b(cardiogenic|ha?emorrhagic|hypovolemic|anaphylactic)\s+shock\b`,
			Description: "shock of a named non-infectious cause, or 'non-septic'"},
		{Name: "septic_shock", Label: SepticShock, Priority: 20,
			Pattern:     `\bseptic\s*shock\b|\bsshock\b`,
			Description: "septic shock"},
		{Name: "no_sepsis", Label: NoSepsis, Priority: 30,
			Pattern:     `\b(no|non|without|not)[- ]?(sepsis|septic)\b|\bsirs\b|\bpost[- ]?surgical\b|\bnon[- ]?infectious\b|\buninfected\b(\s+(patient|icu|critically))`,
			Exclude:     `\bhealthy\b`,
			Description: "critically ill without sepsis: SIRS, post-surgical, non-infectious"},
		{Name: "sepsis", Label: Sepsis, Priority: 40,
			Pattern:     `\bsepsis\b|\bseptic\b|\burosepsis\b|\bseptic(a|ae)mia\b`,
			Description: "sepsis in any form"},
		{Name: "control", Label: Control, Priority: 50,
			Pattern:     `\bhealthy\b|\bcontrols?\b|\bnormal\b|\bvolunteers?\b|\buninfected\b`,
			Description: "healthy or control samples"},
	}
}
