package illness

// DefaultFields is the order in which the default classifier reads sample
// fields: refine.bio's own disease fields, the submitter's structured
// characteristics, then free text (subject, source name, title,
// description).
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

// DefaultIgnoredKeys is the pattern of characteristic keys the default
// classifier does not read with the other fields: demographics,
// identifiers, times, outcomes, scores and the patient's history
// ("medical history: no history of sepsis" says what was, not the
// sample's group). Their values seldom say
// anything about the cohort, and some say it misleadingly ("survival: Non
// Survivor", "thrombocytopenia: D_normal", "time point: D01"). They are
// read last, for a sample no other field labels, since some studies put
// the group there ("group_day: HC_D1", "subject: healthy control").
func DefaultIgnoredKeys() string {
	return `^\s*(` +
		`age\b.*|.*\bage\s*$|gender|sex|race|ethnicity|ancestry|developmental stage|life stage|` +
		`.*\bids?\b.*|individual|subject|patient|donor|batch|rin|` +
		`.*surviv.*|outcome.*|.*mortality.*|.*death.*|died.*|.*\bdied\b.*|` +
		`.*\btime\b.*|.*\bdays?\b.*|.*\bdate\b.*|.*\bhours?\b.*|` +
		`organism|strain|platform|array|scan.*|` +
		`.*\bscore\b.*|apache.*|sofa.*|saps.*|.*endotype.*|` +
		`.*\bhistory\b.*|h/o\b.*` +
		`)\s*$`
}

// DefaultRules returns the built-in rules. They were written from the
// annotations of real sepsis cohorts (illness/testdata/README.md lists
// them) and are tried, within a field, in this order:
//
//  1. study conventions that no general word can read (MARS,
//     GSE65682: "abdominal_sepsis_and_controls: abdo_s | ctrl_GI"), and
//     a sample the study says it excluded from analysis, one mixed from
//     several people, a cell line's, or cells treated with a septic
//     patient's plasma (UNKNOWN);
//  2. explicit negation: "non-septic", "no sepsis", "sepsis, ruled out",
//     bacteraemia denied (unless sepsis is named beside it), shock of a
//     named non-infectious cause ("cardiogenic shock", "shock
//     (cardiogenic)", "shock type: cardiogenic");
//  3. one group of sepsis or septic shock ("severe sepsis/septic shock":
//     SEPSIS), septic shock, and a sepsis patient flagged in shock
//     ("shock: 1", a rule that only refines SEPSIS);
//  4. SIRS with infection (Sepsis-2's sepsis), sepsis in any wording,
//     then bloodstream infection;
//  5. illness without sepsis: SIRS, post-surgical, non-infectious,
//     trauma, critically ill controls (not pre-surgical, non-ICU,
//     non-trauma or uninfected ones, who are controls);
//  6. healthy controls, and no disease where the disease is recorded
//     ("disease state: None"); then a value that only says "uninfected",
//     ill without sepsis unless another value of the same field says
//     healthy (a characteristic beside "infection: uninfected").
//
// A bare "shock", an infection named without sepsis ("pneumonia",
// "influenza") and a patient whose group is not written stay UNKNOWN: the
// rules label what the metadata says, never what a cohort probably is.
func DefaultRules() []Rule {
	return []Rule{
		{Name: "mars_abdominal_sepsis", Label: Sepsis, Priority: 5,
			Keys:        `^abdominal sepsis and controls$`,
			Pattern:     `^abdo\s*s$`,
			Description: "MARS (GSE65682) abdominal sepsis patients: abdominal_sepsis_and_controls: abdo_s"},
		{Name: "mars_abdominal_control", Label: NoSepsis, Priority: 6,
			Keys:        `^abdominal sepsis and controls$`,
			Pattern:     `^ctrl`,
			Description: "MARS (GSE65682) ICU controls of the abdominal sepsis patients: abdominal_sepsis_and_controls: ctrl_GI"},
		{Name: "sepsis_response_signature", Label: Sepsis, Priority: 7,
			Keys:        `\bsepsis response signature\b|^srs$`,
			Pattern:     `^\s*(group\s*|srs\s*)?[1-3]\s*$`,
			Description: "GAinS sepsis response signature endotype (E-MTAB-4421, E-MTAB-4451: sepsis response signature group: group 2), assigned only to sepsis patients"},
		{Name: "excluded_from_analysis", Label: Unknown, Priority: 8,
			Pattern:     `\bexcluded\s+from\s+(the\s+|all\s+)?(further\s+)?analys[ie]s\b`,
			Exclude:     `\b(not|never)\s+(been\s+)?excluded\s+from\s+(the\s+|all\s+)?(further\s+)?analys[ie]s\b`,
			Description: "a sample its study says it excluded from analysis (GSE66890 'not meeting the Berlin definition of sepsis with ARDS and that they were excluded from analysis'): in no group, whatever any field names"},
		{Name: "mixed_sample", Label: Unknown, Priority: 8,
			Pattern:     `\bmixed\s+samples?\b`,
			Description: "a sample mixed from several people (GSE236099 'Mixed sample (Baby A11 Day 32 Enterobacter bloodstream infection; Baby B6 Day 38 NEC; …)'): no one group, whatever any field names"},
		{Name: "sepsis_without_shock", Label: Sepsis, Priority: 9,
			Pattern:     `\b(severe\s+)?(sepsis|septic(a?emia)?)\b[^;]{0,40}?\b(not\s+in|` + negation + `)\s+(septic\s+)?shock\b`,
			Description: "sepsis said to be without shock ('severe sepsis without septic shock', 'sepsis (no septic shock)'): SEPSIS, not a value naming two cohorts"},
		{Name: "cell_line", Label: Unknown, Priority: 8,
			Pattern:     `\bcell[\s-]*line\b|\b(huvecs?|thp-?1|hek-?293t?|hela|u-?937|jurkat|a549|hepg2|caco-?2|raw\s*264(\.7)?|hl-?60|k-?562)\b`,
			Description: "a cell line (HUVEC, THP-1, …), treated with a patient's plasma or a stimulus: its cells are no patient's, whatever the treatment names ('HUVEC, plasma from septic shock patient')"},
		{Name: "septic_plasma_exposure", Label: Unknown, Priority: 8,
			Keys:        `^(treatment|treated with|stimulus|stimulation|exposure|exposed to|incubated with|incubation|agent|challenge|culture condition|culture medium|conditioned with)$`,
			Pattern:     `\b(plasma|serum|sera)\b[^;]{0,40}?\b(septic|sepsis)|\b(septic|sepsis)\b[^;]{0,30}?\b(plasma|serum|sera)\b`,
			Exclude:     `\bplasma\s*(exchange|pheresis|transfusion|infusion)|\bplasmapheresis\b|\bfresh[\s-]+frozen\b|\bffp\b|\btherapeutic\b`,
			Description: "cells treated with a septic patient's plasma or serum ('treatment: plasma from septic shock patient'): the cells are a donor's, not the patient's, whatever the treatment names; the cell_line rule's case for primary cells; not plasma exchange or fresh frozen plasma given to a patient"},
		{Name: "non_septic", Label: NoSepsis, Priority: 10,
			Pattern: `\bnon[- ]?(sepsis|septic)[\s-]+((icu|intensive\s+care|hospital|patients?)[\s-]+)?(controls?|ctrls?)\d*\b|\bnon[- ]?(sepsis|septic)\d*\b|(非|无)(脓毒症|败血症|敗血症)|\b` + negation + `[\s-]+((neonatal|early[\s-]+onset|late[\s-]+onset)[\s-]+)?(sepsis|septic|infection)\b|\bnosepsis\d*\b` +
				`|\b(sin|ohne|keine?|sans|pas\s+de|sem|geen|zonder|senza)\s+seps(is|e|i)\b` +
				`|\bsepsis(-?[1-3])?[- :]+(negative|excluded|ruled out|absent|unlikely)\b` +
				`|\bsepsis(-?[1-3])?\s*[-:,(]?\s*((was|is)\s+)?(negative|excluded|ruled\s+out|absent|unlikely|not\s+confirmed)\s*($|[;.)\]])` +
				`|\bsepsis[- ]free\b|\bfree\s+of\s+sepsis\b|\bsepsis\s*\(\s*-\s*\)` +
				`|\bruled[\s-]+out\s+(for\s+)?sepsis\b` +
				`|\b(did\s+not|does\s+not|didn'?t|never)\s+(have|has|had|develop|develops|developed|get|got)\s+(sepsis|septic\s+shock)\b|\bsepsis\s+mimics?\b` +
				`|\b(cardiogenic|ha?emorrhagic|hypovol[a]?emic|anaphylactic|obstructive|neurogenic|traumatic|vasoplegic)\s+shock\b` +
				`|\bshock\s*(,|:|\(|\[|-|–)\s*(cardiogenic|ha?emorrhagic|hypovol[a]?emic|anaphylactic|obstructive|neurogenic|traumatic|vasoplegic)\b`,
			Exclude: `\bhealthy\b|\bvolunteers?\b|` + deniedShock +
				`|\b(not|never|cannot|can\s*not|could\s+not)\s+(be\s+|been\s+|yet\s+)?ruled[\s-]+out` +
				`|\bseptic[\s-]*shock\s*(,|:|\(|\[|-|–)\s*(cardiogenic|ha?emorrhagic|hypovol[a]?emic|anaphylactic|obstructive|neurogenic|traumatic|vasoplegic)\b`,
			Description: "explicitly not septic: 'non-septic', 'no sepsis', 'no late-onset sepsis', 'w/o sepsis', 'no evidence of sepsis', 'did not develop sepsis', 'sepsis-free', 'Sepsis-3 negative', 'sepsis, ruled out', 'ruled out sepsis', a sepsis mimic, sepsis denied in Spanish, German, French, Portuguese, Dutch or Italian ('sin sepsis', 'ohne Sepsis', 'sans sepsis', 'sem sepse', 'geen sepsis', 'senza sepsi'), or shock of a named non-infectious cause ('cardiogenic shock', 'shock (cardiogenic)'; 'no septic shock' says nothing of sepsis)"},
		{Name: "non_septic_shock_type", Label: NoSepsis, Priority: 45,
			Keys:        `^((shock|circulatory\s+failure)\s+(type|etiology|aetiology|cause|origin)|(type|etiology|aetiology|cause|origin)\s+of\s+(the\s+)?shock)$`,
			Pattern:     `^\s*(cardiogenic|ha?emorrhagic|hypovol[a]?emic|anaphylactic|obstructive|neurogenic|traumatic|vasoplegic|non[- ]?septic)\b`,
			Description: "shock whose type, under a key of its own, is a non-infectious one ('shock type: cardiogenic' beside 'disease state: shock'): no septic shock, whatever a bare 'shock' beside it would be read as; tried after the sepsis rules, so that a sepsis a value states stands"},
		{Name: "sepsis_or_septic_shock", Label: Sepsis, Priority: 15,
			Pattern:     `\b(severe\s+)?sepsis\s*(/|\bor\b|\band\s*/\s*or\b)\s*septic[\s-]*shock\b|\bseptic[\s-]*shock\s*(/|\bor\b|\band\s*/\s*or\b)\s*(severe\s+)?sepsis\b`,
			Exclude:     hedgedSepsis,
			Description: "one group of sepsis or septic shock ('severe sepsis/septic shock', 'septic shock or sepsis'): every member is septic, not every one in shock, so SEPSIS, not a value naming two cohorts"},
		{Name: "bacteraemia_denied", Label: NoSepsis, Priority: 11,
			Pattern:     `\bnon[- ]?bacteri?a?emic\b|\b(no|not|without|absence\s+of)[- ]bacteri?a?emi(a|c)\b`,
			Exclude:     `\bsep(sis|tic)|\bsepticae?mia`,
			Description: "bacteraemia denied ('UTI without bacteremia', 'non-bacteremic'): not the bacteraemia it names; beside sepsis ('culture-negative sepsis (no bacteremia)') the sepsis decides"},
		{Name: "septic_shock", Label: SepticShock, Priority: 20,
			Pattern: `\bsepsis\b[\s,;]*(→|->|=>|(which\s+|that\s+|then\s+)?(progress(ed|ing|es)?|evolv(ed|ing|es)|advanc(ed|ing|es))\s+(in)?to)\s*septic[\s-]*shock\b` +
				`|\bseptic[\s-]*(shock|shok|schock)(patients?|pts?|cases?|subjects?|group)?\d*\b|\bsept(\.\s*|\s)?shock\b|\bsepsis[\s-]+shock\b|\bseps(is)?\s*(with|plus|\+|&)\s*shock\b|\bshock\s*[,:]\s*septic\b|\b(choque|shock)\s+s[eé]ptico\b|\bchoc\s+septique\b|\bseptischer?\s+schock\b|脓毒性休克|脓毒症性?休克|感染性休克|敗血症性ショック`,
			Exclude:     deniedShock + `|` + hedgedSepsis + `|` + againstSepsis + `|` + deniedCJK,
			Description: "septic shock, in any case, spacing or underscore form, a sample number or 'patient' glued on (SepticShock12, SepticShockPatient_3), misspelt or shortened (septic shok, Sept shock, SeptShock), sepsis said to progress to it ('sepsis → septic shock', 'sepsis progressing to septic shock'), inverted ('shock, septic', 'shock: septic' written inside a value), as sepsis with shock ('Seps + shock'), or in Spanish ('choque séptico', 'shock séptico'), Portuguese, French, German, Chinese (脓毒性休克, 脓毒症休克, 感染性休克) or Japanese (敗血症性ショック); not denied ('no septic shock'), nor a suspicion ('suspected septic shock'), nor a drug against it ('anti-septic shock drug')"},
		{Name: "shock_flag", Label: SepticShock, Refines: Sepsis, Priority: 25,
			Keys:        `^shock$`,
			Pattern:     `^\s*(shock|1)\s*$`,
			Description: "a sepsis patient flagged in shock ('shock: 1' or 'shock: yes' beside 'disease state: sepsis alone', GSE66890): septic shock is sepsis with shock; refines SEPSIS only, so shock of another cause stays what its sample says"},
		{Name: "shock_stated", Label: SepticShock, Refines: Sepsis, Priority: 26,
			Keys:        `^((sepsis|disease|illness)\s+)?severity$|^shock(\s+(status|type|state|etiology|aetiology|cause|origin))?$|^(type|etiology|aetiology|cause|origin)\s+of\s+(the\s+)?shock$`,
			Pattern:     `^\s*(septic\s+)?shock\s*$|^\s*septic\s*$`,
			Description: "a sepsis patient whose severity is written as shock, or whose shock is written as septic ('severity: shock' beside 'disease: sepsis', 'shock type: septic', 'type of shock: septic', 'shock: septic'): septic shock is sepsis with shock; refines SEPSIS only, so shock of another type stays what its sample says"},
		{Name: "sirs_with_infection", Label: Sepsis, Refines: NoSepsis, Priority: 27,
			RefinesMatch: `^\s*(sirs|sris|systemic\s+inflammatory\s+response)`,
			Keys:         `^(infections?|infected|infection\s+(status|present|confirmed|documented|proven|source|site|type|focus)|(documented|confirmed|proven|microbiologically\s+(confirmed|documented))\s+infection|(source|site|focus|type)\s+of\s+infection)$`,
			Pattern:      `[a-z](.*\S)?`,
			Exclude: `^\s*(none|nil|nan|null|n\.?\s*/?\s*a\.?|unknown|missing|[-?.]+)\s*$` +
				`|\b(no|not|non|un|without|negative|absent|suspected|suspect|possible|probable|presumed|unlikely|ruled|excluded|unknown|undetermined|pending)\b|\b(non|un)[- ]?infect`,
			Description: "a SIRS patient whose record says, under a key of its own, that the patient is infected ('sirs: yes' beside 'infection: yes', 'disease state: SIRS' beside 'infection status: confirmed', 'source of infection: lung'): SIRS with infection is sepsis by its first definitions (Sepsis-1 and -2), as infected_sirs reads it in one value; refines only a NO_SEPSIS read from SIRS, not a trauma or post-surgical patient's, and not an infection denied, doubted or unknown"},
		{Name: "infected_sirs", Label: Sepsis, Priority: 28,
			Pattern: `\b(infectious|infected|infection[- ]positive|culture[- ]positive)[- ]sirs\d*\b|\bipsirs\d*\b` +
				`|\bsirs\s*(\+|with|due\s+to|caused\s+by|from|plus|secondary\s+to|in\s+response\s+to|and)\s*(an?\s+)?((proven|documented|confirmed|known)\s+)?(infection|infectious\s+cause|bacter(ial|aemia|emia))\b` +
				`|\bsirs\s*[,(]\s*(infected|infection|infectious)\b`,
			Exclude:     `\b(non|un)[- ]?infect|\b(without|no)\s+infection|\b(infection|culture)[- ]negative|\bsirs\s*[,(]?\s*(an?\s+)?infection\s+((was|is)\s+)?(unlikely|ruled\s+out|excluded|absent|not\s+(confirmed|proven|documented|found))\b`,
			Description: "SIRS with infection, which is sepsis by its first definitions (Sepsis-1 and -2): 'infectious SIRS', 'SIRS + infection', 'infection-positive SIRS (ipSIRS)'; SIRS without infection is non_septic_illness's"},
		{Name: "sepsis", Label: Sepsis, Priority: 30,
			Pattern:     `\b(uro|neuro|pneumo|cholangio|abdominal)?sepsis(patients?|pts?|cases?|subjects?|group)?\d*\b|\bseptic(patients?|pts?|cases?|subjects?|group)?\d*\b|\bseptica?e?mi(a|c)\b|\bmeningococca?emia\b|\bsepse\b|脓毒症|败血症|敗血症`,
			Exclude:     deniedShock + `|` + hedgedSepsis + `|` + localSeptic + `|` + againstSepsis + `|` + deniedCJK + `|\bsepsis\s*[:=(-]\s*(no|none|n|0|negative|absent)\s*($|[,;.)\]])`,
			Description: "sepsis in any form: severe sepsis, urosepsis, pneumosepsis, septic patients, septicaemia, meningococcaemia, Sepsis12, SepsisPatient_3, Portuguese sepse, Chinese 脓毒症 and 败血症, Japanese 敗血症; not a suspicion ('suspected sepsis', 'rule-out sepsis'), which is no diagnosis, nor a local infection called septic ('septic arthritis', 'septic loosening'), which is no sepsis, nor a drug against sepsis ('anti-sepsis drug'), nor a patient's history ('history of sepsis')"},
		{Name: "sepsis_model", Label: Sepsis, Priority: 32,
			Pattern:     `\bc(a|ae)?ecal\s+ligation[\s-]*(and|&|/|\+|-)?[\s-]*puncture\b|\bcolon\s+ascendens\s+stent\s+peritonitis\b`,
			Exclude:     `\bsham\b|\b(no|not|without|before)\s+(c(a|ae)?ecal|colon)\b`,
			Description: "an animal given sepsis by its standard models: caecal ligation and puncture, colon ascendens stent peritonitis; not the sham-operated control ('sham surgery without caecal ligation and puncture')"},
		{Name: "bloodstream_infection", Label: Sepsis, Priority: 35,
			Pattern:     `\bbacteri?a?emi(a|c)\b|\b(candid|fung)a?emi(a|c)\b|\bbloodstream infection\b|\bblood stream infection\b`,
			Exclude:     `\bnon[- ]?(bacteri?|candid|fung)a?emic\b|\b(no|not|without|absence\s+of)[- ]((bacteri?|candid|fung)a?emi(a|c)|blood\s*stream\s+infection)\b`,
			Description: "bacteraemia, candidaemia or another bloodstream infection, which host-response cohorts study as sepsis"},
		{Name: "non_septic_illness", Label: NoSepsis, Priority: 40,
			Pattern: `\b(icu|intensive care|critically ill|surgical|post[- ]?(surgical|operative|surgery)|trauma|cardiac surgery|febrile)[\s-]+(patients?[\s-]+)?(controls?|ctrls?)\b` +
				`|\b(controls?|ctrls?)\s*(\(|\[|,|:|-|–)\s*(icu|intensive care|critically ill|surgical|post[- ]?(surgical|operative|surgery)|trauma|cardiac surgery|febrile)\b` +
				`|\b(controls?|ctrls?)\s+(icu|intensive\s+care)\b` +
				`|\b(sirs|sris)\d*\b|\bsystemic inflammatory response\b|\b(no|n[aã]o)\s+infeccios[oa]\b|\bnon[\s-]+infectieux\b|\bpost[- ]?(surgical|operative|surgery|op)\d*\b` +
				`|\bnon[- ]?infect(ious|ed)\b|\buninfected\b|\b(poly)?trauma\b|\b(in|ni)sirs\d*\b|\bburns?(\s+(injury|injuries|patients?|wounds?))?\b` +
				`|\b(disease|hospitali[sz]ed|ed|emergency\s+department|patient)\s+controls?\b|\bcontrols?\s+patients?\b`,
			Exclude:     `\bnon[- ]?infect(ious|ed)\s+\w*(itis|opathy|osis|pulmonary|lung|liver|renal|kidney|skin|ocular|eye|bowel)\b|\w*([ií]tis|ite|opat[ií]a|opatia)\s+(no|n[aã]o)\s+infeccios[oa]\b|^\s*(un|non[- ]?)infected\s*$|\bhealthy\b|\bvolunteers?\b|\b(non|a)[- ]?febrile\b|\b(pre|non)[- ]?(surgical|operative|surgery|icu|intensive care|trauma)\s+(patients?\s+)?controls?\b|\b(uninfected|non[- ]?infected)\s+controls?\b|\b(hiv|hcv|hbv|hpv|cmv|ebv|rsv|tb|h\.?\s*pylori|malaria|plasmodium|helminths?|virus|viral|parasites?)[\s-]+(un|non[- ]?)infected\b|\b(childhood|psychological|emotional|early[- ]life|sexual|interpersonal)\s+trauma\b|\btrauma[- ](related|exposed|exposure|focused)\b|\bpost[- ]?traumatic\s+stress\b|\bsirs\s+(with|and|\+)\s+(suspected|possible|probable|presumed)\s+infection\b`,
			Description: "ill without sepsis: SIRS, post-surgical, non-infectious critical illness, trauma, burns, ICU, post-operative, disease and hospitalized controls, febrile controls (also 'control (febrile)', 'controls - ICU', 'ctrl_ICU_3'), control patients (GSE13205 'control patient undergoing elective surgery'), infection-negative SIRS (inSIRS); not uninfected controls, who are controls"},
		{Name: "negated_infection", Label: NoSepsis, Priority: 45,
			Pattern:     `^\s*non[- ]?(covid(?:[- ]?19)?|sars[- ]?cov[- ]?2|influenza|flu|dengue|tb|tuberculosis|malaria)(\s+(icu|intensive\s+care|critically\s+ill|hospitali[sz]ed|ill))?(\s+(patients?|subjects?|cases?))?\s*$`,
			Description: "a value that is only the negation of an infection ('disease state: non-COVID-19', 'non-COVID ICU', GSE157103's hospitalized patients without COVID-19): a study's ill comparison arm, as a disease control is; healthy people are written as such"},
		{Name: "uninfected_control", Label: Control, Priority: 49,
			Pattern:     `\b(non|mock|sham|not|never)\s+infected[\s-]+controls?\b`,
			Description: "an uninfected control written with a space ('mock infected control', 'non infected controls', 'not infected control'), which healthy_control leaves to this rule: it reads 'infected control' as no healthy one"},
		{Name: "healthy_control", Label: Control, Priority: 50,
			Pattern: `\bhealthy\d*\b|\bcontrols?\d*\b|\bctrl\d*\b|\bvolunteers?\d*\b|\bblood[\s-]+(bank\s+)?donors?\b|\b(healthy|normal)(controls?|ctrls?|donors?|volunteers?|subjects?|individuals?)\d*\b|\bt[eé]moins?\b|\bunaffected\b|\bsaud[aá]ve(l|is)\b|\bsadi[oa]s?\b|\bvolunt[aá]ri[oa]s?\b|\bgesunde[rnms]?\b|\bsan[oa]s?\b|\bsani\b|\b(sujets?|volontaires?)\s+sain(e|s|es)?\b|\bgezonde?\b` +
				`|健康对照|健康志愿者|健康人|对照组|健常者|健常人` +
				`|\bkontroll(e|en|gruppe|person(en)?|proband(en)?)?\d*\b|\bcontr[oô]les?\d*\b|\bcontroll[oi]\d*\b` +
				`|\bnormal\s+(controls?|volunteers?|donors?|subjects?|individuals?|adults?|children|groups?|cohorts?)\b|^\s*normal(\s*$|\s*[,;/]|\s+and\b)`,
			Exclude: experimentalControl + `|` + careControl + `|^\s*previously\s+healthy\s*$|(^|[^\w-])infected[\s-]+controls?\b` +
				`|(非|亚|不)健康|(模型|阳性|阴性|溶剂|药物|给药|空白)对照` +
				`|\bvolunteers?\s+(with|having)\b|\bvolunt[aá]ri[oa]s?\s+(com|con)\b|\b(infected|challenged|parasit\w+)\b.*\bvolunt|\bvolunt\w*\b.*\b(infected|challenged|parasit\w+)\b`,
			Description: "healthy volunteers, donors (blood or blood bank donors), unaffected people and controls, also glued to a word or a number (HealthyControl01, HealthyDonor3) ('témoin' is French for control, as are German Kontrolle, French contrôle, Portuguese controle and Italian controllo; saudável, sadio, gesund, sano, sain, gezond, Chinese 健康, Japanese 健常: healthy; voluntário, voluntario: volunteer); not an experiment's control condition (control siRNA, vehicle control, control vector, wild-type control), which is no person's health, nor something a patient's care controls (source control, glycaemic control, volume-controlled ventilation) or a comorbidity of 'previously healthy', nor an infected control (an infected patient without sepsis, or an infection model's untreated animal: the study says which; 'uninfected', 'non-infected' and 'mock-infected' controls are controls)"},
		{Name: "numbered_normal", Label: Control, Priority: 50, Fields: []string{"title"},
			Pattern:     `^\s*normal\s*(rep(licate)?\s*)?\d+\s*$`,
			Description: "a title that is 'normal' and a sample or replicate number (Normal_01, Normal02, Normal_rep1): a normal control; in the title only, where a sample is named by its group, not under a characteristic, where 'normal 46' may be a karyotype's or a histology's finding"},
		{Name: "uninfected", Label: NoSepsis, Priority: 52,
			Pattern:     `^\s*(un|non[- ]?)infected\s*$`,
			Description: "a value that only says 'uninfected' ('infection: uninfected'): read after the healthy controls, so that a sample whose other value of the same field says it is one ('status: healthy control' among its characteristics) is a control, and otherwise, as non_septic_illness reads 'non-infected', one ill without sepsis"},
		{Name: "sepsis_source", Label: Sepsis, Priority: 53,
			Keys:    `^sepsis\s+(source|focus|origin|site)$|^(source|focus|origin|site)\s+of\s+sepsis$`,
			Pattern: `[a-z](.*\S)?`,
			Exclude: `^\s*(none|no|nil|nan|null|n\.?\s*/?\s*a\.?|not\s+(applicable|available|done|known|determined|recorded)|unknown|missing|[-?.]+)?\s*$` +
				`|\b(control|controls|healthy|sham|mock|naive|no\s+sepsis|non[- ]?septic|not\s+septic|without\s+sepsis)\b`,
			Description: "the source of a sample's sepsis given under a key that names sepsis ('sepsis source: abdominal', 'focus of sepsis: pneumonia'): the sample is septic; a value that says nothing ('none', 'n/a', 'NaN', 'not done') or names a control ('control', 'healthy', 'sham') says it is not"},
		{Name: "no_disease", Label: Control, Priority: 51,
			Keys:        `^(disease|disease state|disease status|diagnosis|illness|health status)$`,
			Pattern:     `^\s*(none|no disease|no illness|disease[- ]free)\s*$`,
			Description: "no disease stated where the disease is recorded ('disease state: None' for the healthy people of a study whose patients' disease is written there, GSE232753); under another key 'none' says nothing of illness"},
	}
}

// localSeptic is a local infection called septic ("septic arthritis",
// "septic loosening" of a prosthesis, "septic emboli", "septic versus
// aseptic" revisions): an infection named
// without sepsis, which the rules leave unlabeled. A value that names one
// is not read by the sepsis rule, even where it names sepsis too.
const localSeptic = `\bseptic[\s-]+(arthritis|loosening|bursitis|abortions?|(pulmonary\s+)?emboli(sm|sms|c)?|non[- ]?unions?|thrombophlebitis|phlebitis|joints?|revisions?|keratitis|endophthalmitis|tenosynovitis|osteomyelitis|pseudarthrosis|prosthe\w*|knees?|hips?|shoulders?|wounds?)\b` +
	`|\bseptic\s+(and|or|versus|vs\.?|/)\s+aseptic\b|\baseptic\s+(and|or|versus|vs\.?|/)\s+septic\b`

// againstSepsis is a drug or a measure against sepsis ("anti-sepsis
// drug", "anti-septic wash"): it names no one's sepsis (a trial gives it
// to healthy volunteers too). A value that names one is not read by the
// sepsis rule, even where it names sepsis too.
const againstSepsis = `\banti[\s-]*(sepsis|septic)\w*`

// experimentalControl is the control condition of an experiment rather
// than a control person: a control siRNA, shRNA or guide, a vector, a
// vehicle, a diet, a wild type. Pooled with
// healthy volunteers, such samples would make the warehouse's CONTROL
// cohort a mix of cell lines, animals and people.
const experimentalControl = `\b(vehicle|dmso|pbs|sirna|si[\s-]?rna|shrna|sh[\s-]?rna|sgrna|scrambled?|non[\s-]?targeting|empty|vector|plasmid|morpholino|isogenic|diet|wild[\s-]?type|wt|knock[\s-]?(down|out)|gfp|luciferase)[\s-]+controls?\b` +
	`|\bcontrols?\s*[(\[:,-]\s*(vehicle|dmso|pbs|sirna|si[\s-]?rna|shrna|sgrna|scrambled?|non[\s-]?targeting|empty\s+vector|vector|wild[\s-]?type|wt)\b` +
	`|\bcontrols?[\s-]+(sirna|si[\s-]?rna|shrna|sgrna|guides?|vectors?|plasmids?|morpholinos?|diets?|oligo\w*|constructs?|lines?|clones?|lentivirus|virus|transfect\w*)\b` +
	`|\b(si|sh)[\s-]*(control|ctrl|nc)\b`

// careControl is something a patient's care controls, not a control
// person: a septic focus (source control), blood sugar (tight glycaemic
// control, a trial arm of septic patients), a ventilator's volume or
// pressure, a heart's rate.
const careControl = `\b(source|(tight\s+)?glyc(a)?emic|glucose|sugar|volume|pressure|rate|rhythm|pain|infection|temperature|fever|damage|airway|bleeding|ha?emorrhage|seizure|symptom|fluid)[\s-]+control(led)?\b` +
	`|\b(infection|fever|glyc(a)?emic)[\s-]+controls\b`

// negation denies what follows it: "no", "not", "without", "w/o",
// "absence of", "no evidence of", "no signs of", "negative for". A
// patient's history is not among them: "no history of sepsis" says nothing
// of the sample's sepsis now (see pastSepsis).
const negation = `(no|not|without|w/o|absence\s+of|no\s+(evidence|signs?|clinical\s+signs?|features?)\s+of|negative\s+for)`

// deniedShock is septic shock denied ("no septic shock", "sepsis w/o
// septic shock", "negative for septic shock"): it says nothing of sepsis.
const deniedShock = `\b` + negation + `[\s-]+septic[\s-]*shock\b`

// pastSepsis is sepsis of the patient's history ("history of sepsis",
// "h/o septic shock"), not the sample's illness: the classifier reads a
// value without it (see unsaid). "Prior sepsis" is not among them: "2 days
// prior sepsis" is a time before the sample's sepsis.
const pastSepsis = `\b(history\s+of|h/o)[\s-]+((severe|neonatal)[\s-]+)?(uro|pneumo|neuro)?(sepsis|septic(a?emia|[\s-]*shock)?)\b`

// hedgedSepsis is sepsis named as a suspicion: a patient suspected of
// sepsis, or in whom it is to be ruled out, has no diagnosis yet.
// deniedCJK is sepsis or septic shock denied or suspected in Chinese or
// Japanese (非脓毒症 "non-sepsis", 疑似脓毒症 "suspected sepsis",
// 非感染性休克 "non-infectious shock"); Go's \b is ASCII's, so the words are
// matched as they are written, glued to what comes before.
const deniedCJK = `(非|无|未|疑似|可疑|排除)(脓毒症|败血症|敗血症|脓毒性休克|感染性休克|敗血症性ショック)`

// sepsisWorkup is a sepsis evaluation, work-up or screen: a suspicion
// being looked into, not a diagnosis.
const sepsisWorkup = `\b(sepsis|septic)[\s-]+(evaluation|work[- ]?up|screen(ing)?)\b`

const hedgedSepsis = `\b(suspected|suspect|suspicion\s+of|possible|probable|presumed|potential|likely|rule[- ]?out|r/o|at\s+risk\s+(of|for)|evaluat(ed|ion)\s+for|work[- ]?up\s+for|screen(ed|ing)\s+for)[\s-]+((neonatal|early[- ]onset|late[- ]onset|severe)[\s-]+)?(sepsis|septic)` +
	`|` + sepsisWorkup +
	`|\b(sepsis|septic(\s+shock)?)\s*(\(\s*(suspected|possible|probable|presumed|likely|\?)\s*[,;)]|\?|[,-]\s*(suspected|possible|probable|presumed|likely)\s*$)`
