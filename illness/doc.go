// Package illness decides each sample's illness label (CONTROL, NO_SEPSIS,
// SEPSIS, SEPTIC_SHOCK or UNKNOWN) from its metadata, and says why.
//
// A Classifier applies, in order: a per-sample override if one is
// configured; otherwise ordered, prioritized regular-expression rules over
// configurable metadata fields; otherwise UNKNOWN. Fields are tried from the
// most reliable (refine.bio's disease field, the submitter's structured
// characteristics such as "disease state: septic shock") to the least (the
// free-text title); within a field, rules are tried by priority. The first
// match decides, and the Decision records the method, the rule, the field
// and the matched text, so every label can be explained.
//
// Text is matched case-insensitively with underscores read as spaces, so a
// pattern with \b word boundaries sees the words in "Septic_Shock_rep1".
package illness
