// Package illness decides each sample's illness label (CONTROL, NO_SEPSIS,
// SEPSIS, SEPTIC_SHOCK or UNKNOWN) from its metadata, and says why.
//
// A Classifier applies, in order: a per-sample override if one is
// configured; otherwise ordered, prioritized regular-expression rules over
// configurable metadata fields; otherwise UNKNOWN. Fields are tried from the
// most reliable (refine.bio's disease field, the submitter's structured
// characteristics such as "disease state: septic shock") to the least (the
// free-text title). The first field in which a rule matches decides; within
// that field the rule of highest priority wins. The Decision records the
// method, the rule, the field, the matched text and the whole value, so every
// label can be explained and audited.
//
// Characteristics are read as key and value: rules match the value, so the
// key of "abdominal_sepsis_and_controls: ctrl_GI" does not read as sepsis; a
// rule may name the keys it reads (Rule.Keys); keys that never carry the
// cohort (age, sex, identifiers, times, outcomes, scores) are skipped
// (DefaultIgnoredKeys). Text is matched case-insensitively with underscores
// read as spaces, so \b sees the words in "Septic_Shock_rep1".
//
// # Labels
//
// CONTROL: healthy people: volunteers, healthy or blood donors, normal
// controls ("health status: HEALTHY", "diagnosis: Healthy", "Control 526",
// "Temoin HV01").
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
// shock", "Septic Shock, Day 2").
//
// UNKNOWN: the sample's own metadata does not say: studies that are not
// about sepsis, and patients of a sepsis study whose group is written
// nowhere in the sample record (GSE95233 "Patient 19, Day1", GSE57065
// "patient 006, H0"). Such samples are labeled with an override.
//
// # Decisions on borderline wordings
//
//   - "SIRS": NO_SEPSIS. SIRS as a study group means inflammation without
//     infection; a sample that says sepsis as well is SEPSIS (sepsis rules
//     come first).
//   - "infection without sepsis", "non-septic", "no sepsis": NO_SEPSIS.
//   - "pneumonia", "influenza", "peritonitis", "ICU-acquired infection":
//     UNKNOWN. They name an infection, not whether it caused sepsis; many
//     pneumonia cohorts are not septic.
//   - "bacteraemia", "bloodstream infection", "septicaemia": SEPSIS; host
//     response studies enrol them as sepsis.
//   - "septic shock" on any day, "septic shock survivor": SEPTIC_SHOCK.
//   - "survivor", "non-survivor", "died" alone: UNKNOWN (outcome keys are
//     not read); "sepsis non-survivor" is SEPSIS.
//   - "shock" alone: UNKNOWN; "non-septic shock": NO_SEPSIS.
//   - "uninfected healthy": CONTROL; "uninfected" with an illness
//     ("uninfected type 2 diabetes"): NO_SEPSIS.
//   - "control" of an ICU or surgical population ("ICU control",
//     MARS "ctrl_GI"): NO_SEPSIS; any other "control": CONTROL.
//   - a flag characteristic is read through its key: "septic shock: yes" is
//     SEPTIC_SHOCK; "sepsis: no" says nothing usable and is skipped.
package illness
