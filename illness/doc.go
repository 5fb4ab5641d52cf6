// Package illness decides each sample's illness label (CONTROL, NO_SEPSIS,
// SEPSIS, SEPTIC_SHOCK or UNKNOWN) from its metadata, and says why.
//
// A Classifier applies, in order: a per-sample override if one is
// configured; otherwise ordered, prioritized regular-expression rules over
// configurable metadata fields; otherwise a group code that needs no
// context ("Hlty", "Con001"; GroupCode); otherwise UNKNOWN. Fields are
// tried from the most reliable (refine.bio's disease field, the
// submitter's structured characteristics such as "disease state: septic
// shock") to the least (the free-text title). The first field in which a
// rule matches decides; within that field the rule of highest priority
// wins. The Decision records the method, the rule, the field, the matched
// text, the whole value and, when it rests on more, the evidence, so every
// label can be explained and audited.
//
// # Cohorts
//
// Classify reads one sample. Many studies write a group only in a code
// ("Shock_P", "se/ARDS Day 0", "Inf012") or only once for the whole study,
// and the reading of a code depends on the study: "Shock" is septic shock
// in a sepsis cohort and nothing in a trauma study; "Inf" is the sepsis arm
// of a neonatal sepsis study and the infection-without-sepsis arm of a
// study that also has a sepsis arm. ClassifyCohort (CohortClassifier)
// classifies a study's samples together as a curator would: every sample
// on its own first, then the samples left UNKNOWN by what the study's text
// and its other samples say (cohort codes, infection arms, the cohort's
// one illness arm, the study-context fallback), and a bare "control" by
// what the study's text says its controls are. Each such decision names
// its cohort rule and, as Evidence, the study text or the other sample it
// needed. The pipeline classifies each study's samples this way. A study's
// text is read without its sentences that name sepsis only in passing (an
// exclusion criterion, a risk, a leading cause, a likeness, "sepsis-free
// survival") and without the local infections it calls septic ("septic
// arthritis"): a COPD study whose patients "with sepsis were excluded" is
// no sepsis cohort. A study is a sepsis cohort by its text only when its
// title names sepsis or septic shock or its description names septic
// patients; sepsis named as a topic ("outcomes included sepsis") is not
// enough.
//
// CONTROL is a sample its record calls a control, or healthy, whatever its
// organism: a control named as a reagent or a construct (control siRNA,
// vehicle control, control vector, wild-type control) is a treatment, not
// anyone's health, and is not read as one. A zebrafish study's
// "genotype/variation: control" fish are CONTROL, so a query that pools
// CONTROL samples across studies keeps to one organism.
//
// Characteristics are read as key and value: rules match the value, so the
// key of "abdominal_sepsis_and_controls: ctrl_GI" does not read as sepsis; a
// rule may name the keys it reads (Rule.Keys); keys that seldom carry the
// cohort (age, sex, identifiers, times, outcomes, scores) are skipped
// (DefaultIgnoredKeys), and read only as a last resort, for a sample no
// other field labels ("group_day: SepticShock_D0"). Text is matched case-insensitively with underscores
// read as spaces, so \b sees the words in "Septic_Shock_rep1", and with its
// typography made plain first: no-break and thin spaces read as spaces, en
// dashes and non-breaking hyphens as hyphens, full-width letters as ASCII,
// and invisible characters are dropped ("septic\u00a0shock" is septic shock).
//
// # Labels
//
// CONTROL: healthy people: volunteers, healthy or blood donors, normal
// controls ("health status: HEALTHY", "diagnosis: Healthy", "Control 526",
// "Temoin HV01"), and the mock-infected or mock-treated blood of an
// infection study ("infection: mock": the group code "mock", read only
// when no rule labels the sample and never in a sample whose record names
// a patient, whose mock-treated cells are in the patient's group).
//
// NO_SEPSIS: ill, without sepsis: SIRS ("systemic inflammatory response"),
// post-surgical or other non-infected ICU patients ("health status:
// POST_SURGICAL"), non-infectious critical illness, trauma without
// infection, and shock of a named non-infectious cause (cardiogenic,
// haemorrhagic, hypovolaemic, anaphylactic, obstructive): any "shock" is
// not septic shock.
//
// SEPSIS: sepsis in any wording: severe sepsis, septicaemia, urosepsis,
// sepsis-induced ALI or ARDS, sepsis survivors and non-survivors
// ("disease status: sepsis nonsurvivor"), bacteraemia or bloodstream
// infection.
//
// SEPTIC_SHOCK: septic shock, whatever the sampling day ("day 1 of septic
// shock", "Septic Shock, Day 2"), and a sepsis patient flagged in shock
// ("disease state: sepsis alone" beside "shock: 1", GSE66890): the rule
// shock_flag only refines SEPSIS (Rule.Refines), so "shock: 1" alone, or
// on a control, says nothing.
//
// UNKNOWN: the sample's own metadata does not say: studies that are not
// about sepsis, samples the study says it excluded from analysis (rule
// excluded_from_analysis) or mixed from several people ("Mixed sample
// (Baby A11 … bloodstream infection; Baby B6 … NEC)", rule mixed_sample),
// whatever else the value names, and patients of a sepsis study whose group is written
// nowhere in the sample record (GSE95233 "Patient 19, Day1", GSE57065
// "patient 006, H0"). Classify leaves those UNKNOWN; ClassifyInStudy
// gives them the study's label when the study names a single illness
// cohort, and overrides label the rest.
//
// # Decisions on borderline wordings
//
//   - "SIRS": NO_SEPSIS. SIRS as a study group means inflammation without
//     infection; a sample that says sepsis as well is SEPSIS (sepsis rules
//     come first). SIRS with infection ("infectious SIRS", "SIRS +
//     infection", "ipSIRS") is SEPSIS, as the first sepsis definitions
//     (Sepsis-1 and -2) have it; "inSIRS" (infection-negative) is NO_SEPSIS.
//   - "infection without sepsis", "non-septic", "no sepsis": NO_SEPSIS.
//   - "pneumonia", "influenza", "peritonitis", "ICU-acquired infection":
//     UNKNOWN. They name an infection, not whether it caused sepsis; many
//     pneumonia cohorts are not septic.
//   - "bacteraemia", "bloodstream infection", "septicaemia": SEPSIS; host
//     response studies enrol them as sepsis.
//   - "septic shock" on any day, "septic shock survivor": SEPTIC_SHOCK.
//   - "survivor", "non-survivor", "died" alone: UNKNOWN (outcome keys are
//     not read); "sepsis non-survivor" is SEPSIS.
//   - "shock" alone: UNKNOWN for Classify; SEPTIC_SHOCK for ClassifyCohort
//     in a sepsis cohort that names no shock of another cause;
//     "non-septic shock": NO_SEPSIS.
//   - "infected", "Inf": UNKNOWN for Classify; for ClassifyCohort in a
//     sepsis cohort, NO_SEPSIS beside a sepsis arm (the study's infection
//     without sepsis) and SEPSIS when only the study's text says sepsis.
//     A suspicion is no infection arm: "Suspected Infected" (GSE25504)
//     stays UNKNOWN; nor is an infection named by its site or pathogen
//     ("urinary tract infection", "viral infection", "influenza-infected"),
//     a diagnosis that, like "pneumonia", says nothing of sepsis.
//   - "uninfected healthy": CONTROL; "uninfected" with an illness
//     ("uninfected type 2 diabetes"): NO_SEPSIS.
//   - "control" of an ICU or surgical population ("ICU control",
//     MARS "ctrl_GI"): NO_SEPSIS; any other "control": CONTROL.
//   - a flag characteristic is read through its key: "septic shock: yes"
//     and "sepsis: 1" are SEPTIC_SHOCK and SEPSIS; "sepsis: no" and
//     "sepsis: 0" alone say nothing usable (they may be anyone's) and are
//     skipped, but where the same flag says yes of the study's septic
//     samples they are its patients without sepsis, NO_SEPSIS
//     (RuleFlagArm), unless the record names healthy people or controls,
//     or the study's text does and no sample's own record says which they
//     are. A record that denies septic shock ("septic shock: no") is not
//     given it by a "shock: yes" flag or a "Shock_P" code. A 1 or 0 is a flag only where no rule reads the
//     key ("shock: 1" is shock_flag's).
//   - "normal" as a whole value or its first word ("normal and HIV
//     negative", E-MEXP-3567): CONTROL.
//   - a sepsis endotype code (GAinS "sepsis response signature group: 1 |
//     2"): SEPSIS, since only sepsis patients are given one. MARS
//     "endotype_class" is not read: its key is ignored.
//   - a value that names several cohorts ("Whole blood from normal
//     children and children with SIRS, sepsis, or septic shock.", "healthy
//     subjects and critically-ill patients"): skipped, it describes the
//     study, not the sample (WithMixedValues).
//   - SEPSIS in one field and septic shock in another (E-MTAB-1548
//     "disease: sepsis", "clinical information: septic shock survivor"):
//     SEPTIC_SHOCK, the more specific.
//
// # Labels of real cohorts
//
// The labeled corpora in testdata label each sample by the group its study
// states, as a researcher comparing cohorts would. Where a real study's
// group is borderline:
//
//   - "bacterial pneumonia", "influenza" (GSE40012, GSE21802, GSE27131
//     H1N1 patients), "bacterial meningitis" (GSE40586, E-MEXP-3567),
//     MARS "cap" / "hap": UNKNOWN. They name an infection, not sepsis.
//   - uncomplicated infection beside sepsis arms (GSE154918 "Inf1_P"):
//     NO_SEPSIS, the study's "infection without sepsis" group.
//   - follow-up samples of sepsis or septic shock patients (GSE154918
//     "Seps_FU", "Shock_FU"; GSE32707 "Sepsis Day 7"): the patient's group.
//   - sepsis with ARDS or ALI (GSE32707 "se/ARDS", GSE10474 "patient with
//     Acute Lung Injury" in a sepsis cohort): SEPSIS.
//   - bacteraemia cohorts (GSE33341): SEPSIS; their uninfected humans:
//     CONTROL.
//   - sepsis models in animals: caecal ligation and puncture ("treatment:
//     cecal ligation and puncture", or "CLP" in a sepsis cohort) and colon
//     ascendens stent peritonitis are SEPSIS; the sham-operated animals of
//     a sepsis cohort of animals ("Sham_24h", "treatment: sham operation")
//     CONTROL, but not a trial's sham procedure in septic patients ("sham
//     hemoperfusion"); sham, mock, vehicle, placebo or saline conditions,
//     "untreated" alone or of animals ("untreated diabetes" is a disease)
//     and bare grades ("severity: moderate") are no disease arm beside a
//     sepsis arm.
//   - neonatal sepsis (GSE25504): confirmed infection SEPSIS, controls
//     CONTROL, suspected infection, NEC and viral infection UNKNOWN.
//   - "control" where the study's controls are ill: critically ill
//     non-septic patients (GSE9960 "Control", GSE32707 "untreated") and
//     uninfected diabetics (GSE13015 "Control/type 2 diabetes") are
//     NO_SEPSIS; convalescents (GSE13015 "Control/Recovery") and healthy
//     donors are CONTROL. A scorer labelling a study by its stated groups
//     reads what the study says its controls are; so does ClassifyCohort
//     when it has the study's text (RuleIllControls: "non-septic ICU
//     controls", "febrile controls", and no healthy people named, and
//     no separate non-septic arm). When the sample's own record says more ("Whole blood from
//     non-infected patient with type 2 diabetes") Classify already reads
//     the illness. Without either, a bare "Control" stays CONTROL: in the
//     labeled corpora 13 of the 14 studies whose samples say a bare
//     "control" use it for people without the illness, and one (GSE9960)
//     for ICU patients; guessing "ill" from a sepsis arm alone would be
//     wrong far more often than right. A text that compares sepsis with a
//     non-septic group and names no healthy people ("to distinguish sepsis
//     from non-infectious causes of systemic inflammatory response
//     syndrome", GSE9960) says the same of its bare controls.
//   - a patient whose record states no group, in a study whose other
//     samples state exactly one illness (GAinS "sepsis response signature
//     group: NA" beside SRS 1 and 2 patients; GSE10474 "ALI patient"
//     beside "patient with sepsis only"): that illness (RuleSoleArm),
//     unless the patient's record names an infection, a control or a
//     healthy person of its own, states a group no rule reads where the
//     others state theirs ("dx: SS" beside "dx: sepsis"), denies sepsis by
//     a flag ("sepsis: no"), or the study's text names another arm.
//   - SIRS that resolved (GSE4607, GSE13904 "SIRS resolved"): NO_SEPSIS.
//   - other diseases compared with a sepsis arm in the same group field
//     (GSE60424 "diseasestatus: Type 1 Diabetes", "ALS", "MS
//     pretreatment" beside "Sepsis" and "Healthy Control"): NO_SEPSIS,
//     disease controls ill without sepsis (RuleDiseaseArm). The same
//     diseases in a study without a sepsis arm (GSE47460 "Interstitial
//     lung disease") are UNKNOWN: that study does not say whether its
//     patients had sepsis.
//   - a study text that names septic and septic shock patients both
//     (GSE57065: "septic shock patients" in the title, "severe septic
//     patients" in the background): the title's patients, else the ones
//     the text counts ("six children with meningococcal sepsis", GSE11755;
//     "9 septic shock patients", GSE64457), else UNKNOWN.
//   - blood infected in a laboratory model ("a human whole-blood model",
//     GSE65088): its samples are no patients, so the study-context
//     fallback does not label them from the text's "sepsis"; the infected
//     samples are UNKNOWN, the mock-infected CONTROL.
package illness
