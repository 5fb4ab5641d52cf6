package illness

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/genexp/genexp/metadata"
	"github.com/genexp/genexp/qc"
)

// cohortOf builds a crafted study: every sample is made up for the test
// (the real records are in testdata). A sample is its title, optionally
// followed by " | key: value" characteristics.
func cohortOf(specs ...string) []*metadata.Sample {
	out := make([]*metadata.Sample, len(specs))
	for i, spec := range specs {
		parts := strings.Split(spec, " | ")
		s := &metadata.Sample{Accession: fmt.Sprintf("GSM%d", i+1), Title: parts[0]}
		for _, c := range parts[1:] {
			k, v, ok := strings.Cut(c, ": ")
			if !ok {
				k, v = "", c
			}
			s.Annotations = append(s.Annotations, metadata.Annotation{Key: k, Value: v, Characteristic: true})
		}
		out[i] = s
	}
	return out
}

// want is the expected decision of one sample: label, rule, field,
// matched text, and a piece of the evidence ("" for none).
type want struct {
	label                Label
	rule, field, matched string
	evidence             string
}

func (w want) check(t *testing.T, i int, d Decision) {
	t.Helper()
	if d.Label != w.label || d.Rule != w.rule || d.Field != w.field || d.Matched != w.matched {
		t.Errorf("sample %d: got %s (rule %q, field %q, matched %q), want %s (rule %q, field %q, matched %q)",
			i+1, d.Label, d.Rule, d.Field, d.Matched, w.label, w.rule, w.field, w.matched)
	}
	if !strings.Contains(d.Evidence, w.evidence) || (w.evidence == "" && d.Evidence != "") {
		t.Errorf("sample %d: evidence %q, want it to hold %q", i+1, d.Evidence, w.evidence)
	}
	if d.Label != Unknown && d.Method != MethodRule {
		t.Errorf("sample %d: method %s", i+1, d.Method)
	}
}

var unknown = want{label: Unknown}

func TestClassifyCohort(t *testing.T) {
	neonatal := &metadata.Study{Title: "Whole blood transcriptome of neonatal sepsis"}
	illCtrl := &metadata.Study{Title: "Sepsis in the ICU", Description: "Critically ill patients with sepsis and non-septic ICU controls."}
	illCtrl2 := &metadata.Study{Title: "Leukocyte expression in sepsis", Description: "Controls were critically ill patients without infection."}
	illCtrlAs := &metadata.Study{Title: "Sepsis in the ICU", Description: "Septic patients; critically ill patients without infection served as controls."}
	illCtrlParen := &metadata.Study{Title: "Sepsis in the ICU", Description: "Septic patients and ICU patients without infection (controls)."}
	postopCtrl := &metadata.Study{Title: "Sepsis after surgery", Description: "Sepsis patients and post-operative controls."}
	withHealthy := &metadata.Study{Title: "Sepsis in the ICU", Description: "Septic patients, non-septic ICU controls and healthy volunteers."}
	shockStudy := &metadata.Study{Title: "Septic shock: blood transcriptome over time"}
	sirsStudy := &metadata.Study{Title: "Sepsis versus SIRS"}
	// the design GSE9960's series text states: sepsis against a
	// non-infectious comparison group, and no healthy people
	comparison := &metadata.Study{Title: "PBMC expression in sepsis",
		Description: "To distinguish sepsis from non-infectious causes of systemic inflammatory response syndrome."}
	counted := &metadata.Study{Title: "ARDS in sepsis", Description: "Whole blood of 30 septic patients with and without ARDS."}
	countedHealthy := &metadata.Study{Title: "Sepsis", Description: "Whole blood of 30 septic patients and 10 healthy volunteers."}
	tests := []struct {
		name    string
		study   *metadata.Study
		samples []*metadata.Sample
		want    []want
	}{
		{"codes read by their siblings", nil, cohortOf("Seps_P1", "Shock_P2", "Hlty_3", "Inf1_P4", "Seps_FU5"), []want{
			{Sepsis, RuleGroupCode, "title", "Seps", `group code "seps"`},
			{SepticShock, RuleCohortCode, "title", "Shock", "sepsis cohort: sample GSM1 is SEPSIS"},
			{Control, RuleGroupCode, "title", "Hlty", `group code "hlty"`},
			{NoSepsis, RuleCohortInfection, "title", "Inf", "infection beside the cohort's sepsis arm: sample GSM1"},
			{Sepsis, RuleGroupCode, "title", "Seps", "abbreviation of sepsis"},
		}},
		{"no sepsis cohort: shock and infection say nothing", nil, cohortOf("Shock_1", "Inf_2", "Hlty_3"), []want{
			unknown, unknown, {Control, RuleGroupCode, "title", "Hlty", "healthy"},
		}},
		{"sepsis only in the study's text: the infected arm is the sepsis arm", neonatal, cohortOf("Inf012", "Con001", "Sus002 | neonate: suspected"), []want{
			{Sepsis, RuleCohortInfection, "title", "Inf", `the infected arm of a sepsis cohort: study_title "sepsis"`},
			{Control, RuleGroupCode, "title", "Con", "abbreviation of control"},
			unknown,
		}},
		{"infection beside septic shock only: unknown", nil, cohortOf("septic shock 1", "Inf 2"), []want{
			{SepticShock, "septic_shock", "title", "septic shock", ""}, unknown,
		}},
		{"shock of another cause in the cohort: bare shock stays unknown", nil, cohortOf("sepsis 1", "cardiogenic shock 2", "Shock_3"), []want{
			{Sepsis, "sepsis", "title", "sepsis", ""}, {NoSepsis, "non_septic", "title", "cardiogenic shock", ""}, unknown,
		}},
		{"short codes need a sepsis cohort", nil, cohortOf("Sepsis Day 0", "se/ARDS Day 0", "SP_3", "HD_21_NA"), []want{
			{Sepsis, "sepsis", "title", "Sepsis", ""},
			{Sepsis, RuleCohortCode, "title", "se", "sepsis with ARDS"},
			{Sepsis, RuleCohortCode, "title", "SP", "sepsis patient"},
			{Control, RuleCohortCode, "title", "HD", "healthy donor"},
		}},
		{"se alone is nothing", nil, cohortOf("se/ARDS Day 0"), []want{unknown}},
		{"sepsis-associated AKI is a septic arm, not another disease", nil, cohortOf("s1 | group: SAKI", "s2 | group: sepsis without AKI", "s3 | group: healthy"), []want{
			{Sepsis, RuleCohortCode, "characteristics", "SAKI", "sepsis-associated acute kidney injury"},
			{Sepsis, "sepsis", "characteristics", "sepsis", ""},
			{Control, "healthy_control", "characteristics", "healthy", ""},
		}},
		{"saki alone is nothing", nil, cohortOf("Saki_1"), []want{unknown}},
		{"sepsis excluded is no sepsis study", &metadata.Study{Title: "Blood transcriptome of COPD exacerbations", Description: "Patients with sepsis, malignancy or autoimmune disease were excluded."},
			cohortOf("patient 3 day 1", "COPD_P4_D1 | disease state: COPD exacerbation"), []want{unknown, unknown}},
		{"sepsis as a risk, a cause or a likeness is no sepsis study", &metadata.Study{Title: "Severe malaria in African children",
			Description: "Severe malaria shares clinical features with bacterial sepsis. Children with febrile neutropenia are at high risk of sepsis; pneumonia is the most common cause of sepsis."},
			cohortOf("child 4 admission", "SM_12_D0"), []want{unknown, unknown}},
		{"sepsis-free survival is no sepsis study", &metadata.Study{Title: "Sepsis-free survival after stem-cell transplantation"},
			cohortOf("HSCT_patient_3_baseline"), []want{unknown}},
		{"a sepsis study says what it is in its other sentences", &metadata.Study{Title: "Whole blood transcriptome",
			Description: "Sepsis is a leading cause of death in intensive care. We profiled 30 septic patients at admission."},
			cohortOf("patient 7 admission"), []want{{Sepsis, RuleStudyContext, "study_description", "septic", "reads as one of the study's patients"}}},
		{"septic versus aseptic is no sepsis study", &metadata.Study{Title: "Periprosthetic tissue in septic versus aseptic revision arthroplasty"},
			cohortOf("rev3 | patient id: 3"), []want{unknown}},
		{"a trial of a drug against sepsis is no sepsis study", &metadata.Study{Title: "Whole blood response to an anti-sepsis drug"},
			cohortOf("patient 3, 4 h"), []want{unknown}},
		{"a septic arthritis study is no sepsis study", &metadata.Study{Title: "Synovial fluid transcriptome of septic arthritis"},
			cohortOf("patient 12", "g1 | diagnosis: gout", "s1 | diagnosis: septic arthritis"), []want{unknown, unknown, unknown}},
		{"a healthy donor numbered as a patient is no patient", nil, cohortOf("P1 | individual: 1 | disease state: sepsis", "P2 | individual: 2 | disease state: sepsis",
			"HD1 | individual: 1", "HD2 | individual: 2", "D3 | individual: 2"), []want{
			{Sepsis, "sepsis", "characteristics", "sepsis", ""}, {Sepsis, "sepsis", "characteristics", "sepsis", ""},
			{Control, RuleCohortCode, "title", "HD", "healthy donor"}, {Control, RuleCohortCode, "title", "HD", "healthy donor"},
			{Sepsis, RuleSamePatient, "characteristics", "individual: 2", "same patient's other sample"},
		}},
		{"sepsis as a topic of the description is no sepsis study", &metadata.Study{Title: "Influenza in outpatients",
			Description: "Severe COVID-19 and influenza are forms of viral sepsis. Outcomes included sepsis."},
			cohortOf("patient 1 day 1", "Inf_02", "Shock_3"), []want{unknown, unknown, unknown}},
		{"septic patients named in the description make a sepsis study", &metadata.Study{Title: "Blood transcriptome",
			Description: "Whole blood of septic patients at admission."},
			cohortOf("patient 1 day 1"), []want{{Sepsis, RuleStudyContext, "study_description", "septic", "reads as one of the study's patients"}}},
		{"heat shock is no septic shock", &metadata.Study{Title: "Hepatocytes under stress in sepsis"},
			cohortOf("hep1 | treatment: heat shock | tissue: hepatocytes, shock"), []want{unknown}},
		{"a sample before surgery is not its patient's state after", nil, cohortOf("P1 post-op | patient id: 1 | status: post-operative",
			"P1 pre-op | patient id: 1", "P2 post-op | patient id: 2 | status: post-operative", "P2 day 7 | patient id: 2"), []want{
			{NoSepsis, "non_septic_illness", "characteristics", "post-operative", ""}, unknown,
			{NoSepsis, "non_septic_illness", "characteristics", "post-operative", ""},
			{NoSepsis, RuleSamePatient, "characteristics", "patient id: 2", "same patient's other sample"},
		}},
		{"patients enrolled in a sentence that excludes others", &metadata.Study{Title: "Transcriptomics of critically ill adults",
			Description: "We enrolled 30 septic patients, excluding those with cancer."}, cohortOf("Patient 1 day 1"), []want{{Sepsis, RuleStudyContext, "study_description", "septic", "reads as one of the study's patients"}}},
		{"septic shock patients enrolled beside an exclusion", &metadata.Study{Title: "Host response in sepsis",
			Description: "We enrolled 40 patients with septic shock, excluding those on steroids."}, cohortOf("Patient 1 day 1"), []want{{SepticShock, RuleStudyContext, "study_description", "patients with septic shock", "reads as one of the study's patients"}}},
		{"a title is read whatever its words", &metadata.Study{Title: "Mortality risk of children with septic shock"},
			cohortOf("Shock_01", "HD_03"), []want{{SepticShock, RuleCohortCode, "title", "Shock", "sepsis cohort"}, {Control, RuleCohortCode, "title", "HD", "healthy donor"}}},
		{"septic patients named in other words", &metadata.Study{Title: "Blood transcriptome", Description: "We studied adults meeting Sepsis-3 criteria."},
			cohortOf("Patient 1 day 1"), []want{{Sepsis, RuleStudyContext, "study_description", "Sepsis", "reads as one of the study's patients"}}},
		{"a septic shock flag of no leaves a septic patient septic", &metadata.Study{Title: "Sepsis", Description: "We enrolled septic patients."},
			cohortOf("p1 | disease: sepsis", "p2 | disease: sepsis", "Patient 3 day 1 | septic shock: no"), []want{
				{Sepsis, "sepsis", "characteristics", "sepsis", ""}, {Sepsis, "sepsis", "characteristics", "sepsis", ""}, {Sepsis, RuleSoleArm, "title", "Patient", "only illness arm is SEPSIS"},
			}},
		{"cold shock is septic shock's phenotype", &metadata.Study{Title: "Genomics of pediatric septic shock"},
			cohortOf("Shock_12 | phenotype: cold shock"), []want{{SepticShock, RuleCohortCode, "characteristics", "shock", "sepsis cohort"}}},
		{"a sample before surgery takes no study illness", &metadata.Study{Title: "Sepsis after cardiac surgery", Description: "We enrolled cardiac surgery patients; some developed sepsis."},
			cohortOf("Patient 5 | time: before surgery", "Patient 6 | time: preoperatively"), []want{unknown, unknown}},
		{"sepsis monitored or developing is no sepsis study", &metadata.Study{Title: "Blood transcriptome of ICU patients",
			Description: "Patients were monitored for sepsis. Sepsis developed in 3 children."}, cohortOf("Patient 1 day 1", "HD_03"), []want{unknown, unknown}},
		{"patients with sepsis excluded, whatever the verb", &metadata.Study{Title: "COPD exacerbations",
			Description: "Patients admitted with sepsis were excluded. We recruited 40 asthmatic children, and children with sepsis were excluded."},
			cohortOf("Patient 1 day 1", "SP_2"), []want{unknown, unknown}},
		{"sepsis excluded without a verb", &metadata.Study{Title: "COPD exacerbation (patients with sepsis excluded)", Description: "Patients with sepsis excluded."},
			cohortOf("Patient 4 day 1"), []want{unknown}},
		{"a title of risk factors is no sepsis study", &metadata.Study{Title: "Risk factors for late-onset sepsis in preterm infants"},
			cohortOf("infant 3 day 1"), []want{unknown}},
		{"the occurrence of a complication in septic patients", &metadata.Study{Title: "Kidney injury",
			Description: "The transcriptome of septic shock patients was assessed before and after the occurrence of AKI."},
			cohortOf("Patient 1 day 1"), []want{{SepticShock, RuleStudyContext, "study_description", "septic shock", "reads as one of the study's patients"}}},
		{"sepsis flags of no in other words", &metadata.Study{Title: "Neonatal sepsis"},
			cohortOf("infant 1 | sepsis yn: no", "infant 2 | culture-proven sepsis: no"), []want{unknown, unknown}},
		{"a septic shock flag of no in other words", &metadata.Study{Title: "Septic shock"},
			cohortOf("Patient 1 day 1 | septic shock (y/n): no"), []want{unknown}},
		{"septic patients named beside a leading cause", &metadata.Study{Title: "Whole blood transcriptome of critically ill adults on ICU admission",
			Description: "Blood was collected from 45 adults admitted to the ICU with sepsis, the most common cause of death in intensive care."},
			cohortOf("ICU patient 1, admission"), []want{{Sepsis, RuleStudyContext, "study_description", "sepsis", "reads as one of the study's patients"}}},
		{"septic patients included, others excluded", &metadata.Study{Title: "Critically ill adults",
			Description: "Adult patients with sepsis were included within 24 h of ICU admission and excluded if they had received immunosuppressive therapy."},
			cohortOf("Patient 4 day 1"), []want{{Sepsis, RuleStudyContext, "study_description", "sepsis", "reads as one of the study's patients"}}},
		{"risk factors for mortality in septic shock is a septic shock study", &metadata.Study{Title: "Gene expression risk factors for mortality in septic shock"},
			cohortOf("Patient 3 day 1"), []want{{SepticShock, RuleStudyContext, "study_title", "septic shock", "reads as one of the study's patients"}}},
		// "Pt" is a patient, even where the study has healthy controls too
		// (where a "Subject 5" may be either)
		{"a Pt code beside healthy controls", &metadata.Study{Title: "Septic patients versus healthy controls"},
			cohortOf("PT01 | diagnosis: pneumonia", "HC01 | diagnosis: healthy", "Subject 5", "Donor 3 | pt: 12.1 s", "Pt 7"), []want{
				{Sepsis, RuleStudyContext, "study_title", "Septic", "reads as one of the study's patients"}, {Control, "healthy_control", "characteristics", "healthy", ""}, unknown,
				unknown, // a prothrombin time is no Pt
				{Sepsis, RuleStudyContext, "study_title", "Septic", `"Pt 7" in its title`}}},
		{"a time since sepsis onset of zero is no denial", &metadata.Study{Title: "Sepsis time course"},
			cohortOf("Pt07_T0 | days since sepsis onset: 0"), []want{{Sepsis, RuleStudyContext, "study_title", "Sepsis", "reads as one of the study's patients"}}},
		{"no secondary sepsis leaves the first", &metadata.Study{Title: "Sepsis", Description: "A cohort of 45 sepsis patients was followed from ICU admission to discharge."},
			cohortOf("p1 | disease: sepsis", "p2 | disease: sepsis", "Patient 45 day 7 | secondary sepsis: no"), []want{
				{Sepsis, "sepsis", "characteristics", "sepsis", ""}, {Sepsis, "sepsis", "characteristics", "sepsis", ""}, {Sepsis, RuleSoleArm, "title", "Patient", "only illness arm"},
			}},
		{"uninfected NICU controls are ill", &metadata.Study{Title: "Late-onset sepsis in preterm infants", Description: "We studied 30 infants with late-onset sepsis and 20 uninfected NICU controls."},
			cohortOf("sepsis 1", "control 2"), []want{{Sepsis, "sepsis", "title", "sepsis", ""}, {NoSepsis, RuleIllControls, "title", "control", "NICU controls"}}},
		{"before a procedure that is no operation", &metadata.Study{Title: "Plasma exchange in septic shock", Description: "We enrolled 12 patients with septic shock."},
			cohortOf("TPE patient 2 pre | timepoint: before the procedure"), []want{{SepticShock, RuleStudyContext, "study_title", "septic shock", "reads as one of the study's patients"}}},
		// a sepsis flag of no beside the same flag's yes: the study's
		// patients without sepsis, not its septic ones
		{"a sepsis flag of no is no patient of the study's sepsis", neonatal, cohortOf("case 4 | neonatal sepsis: no", "case 5 | neonatal sepsis: yes"), []want{
			{NoSepsis, RuleFlagArm, "characteristic:neonatal sepsis", "no", "flag says yes of the cohort's septic samples: sample GSM2 is SEPSIS"},
			{Sepsis, "sepsis", "characteristics", "sepsis", ""},
		}},
		{"a sepsis flag's arms", nil, cohortOf("ED 1 | sepsis (y/n): N | ards: Y", "ED 2 | sepsis (y/n): Y", "ED 3 | sepsis (y/n): N | group: healthy volunteer", "ED 4 | secondary sepsis: no", "ED 5 | Sepsis_(Y/N): 0"), []want{
			{NoSepsis, RuleFlagArm, "characteristic:sepsis (y/n)", "N", "sample GSM2 is SEPSIS"},
			{Sepsis, "sepsis", "characteristics", "sepsis", ""},
			{Control, "healthy_control", "characteristics", "healthy", ""},
			// a flag of a sepsis of a kind or a time says no of that one
			unknown,
			{NoSepsis, RuleFlagArm, "characteristic:Sepsis_(Y/N)", "0", "sample GSM2 is SEPSIS"},
		}},
		// a bacteraemia flag reads as a sepsis flag does: its yes is a
		// bloodstream infection, its no the febrile cohort's other arm
		{"a bacteraemia flag's arms", nil, cohortOf("FN 1 | bacteremia: yes", "FN 2 | bacteremia: no", "FN 3 | Bacteraemia: No | group: healthy donor"), []want{
			{Sepsis, "bloodstream_infection", "characteristics", "bacteremia", ""},
			{NoSepsis, RuleFlagArm, "characteristic:bacteremia", "no", "sample GSM1 is SEPSIS"},
			{Control, "healthy_control", "characteristics", "healthy", ""},
		}},
		{"a flag asked as a question, and keys spaced twice", nil, cohortOf("s1 | diagnosis: sepsis | sepsis?: yes", "s2 | sepsis?: no", "s3 | diagnosis: sepsis | sepsis  (y/n): Y", "s4 | sepsis (y/n): N"), []want{
			{Sepsis, "sepsis", "characteristics", "sepsis", ""},
			{NoSepsis, RuleFlagArm, "characteristic:sepsis?", "no", "sample GSM1 is SEPSIS"},
			{Sepsis, "sepsis", "characteristics", "sepsis", ""},
			{NoSepsis, RuleFlagArm, "characteristic:sepsis (y/n)", "N", "SEPSIS"},
		}},
		// sepsis named only to leave its patients out, or as what a cell
		// model stands for, makes no sepsis cohort
		{"septic patients not eligible", &metadata.Study{Title: "Synovial tissue in rheumatoid arthritis", Description: "Septic patients were not eligible."},
			cohortOf("Patient 3 | tissue: synovium"), []want{unknown}},
		{"septic patients ineligible", &metadata.Study{Title: "Synovial tissue in rheumatoid arthritis", Description: "Patients with sepsis were ineligible."},
			cohortOf("Patient 3 | tissue: synovium"), []want{unknown}},
		{"septic patients not recruited", &metadata.Study{Title: "Synovial tissue in rheumatoid arthritis", Description: "Septic patients were not recruited."},
			cohortOf("Patient 3 | tissue: synovium"), []want{unknown}},
		{"an in vitro model of sepsis", &metadata.Study{Title: "Endotoxin tolerance of monocytes, an in vitro model of sepsis"},
			cohortOf("Patient 5 | stimulation: LPS x2"), []want{unknown}},
		{"sepsis a cohort developed", &metadata.Study{Title: "Polytrauma patients with and without subsequent sepsis"},
			cohortOf("PT01_day1 | developed sepsis: yes", "PT08_day3 | developed sepsis: no", "PT09 | secondary sepsis: no"), []want{
				{Sepsis, "sepsis", "characteristics", "sepsis", ""},
				{NoSepsis, RuleFlagArm, "characteristic:developed sepsis", "no", "sample GSM1 is SEPSIS"},
				unknown,
			}},
		// a sampling time with its unit reads as a patient's draw
		{"a draw at T24h", nil, cohortOf("SS01_T0 | diagnosis: septic shock", "SS02_T0 | diagnosis: septic shock", "SS05_T24h | time point: T24h"), []want{
			{SepticShock, "septic_shock", "characteristics", "septic shock", ""},
			{SepticShock, "septic_shock", "characteristics", "septic shock", ""},
			{SepticShock, RuleSoleArm, "title", "T24h", "only illness arm is SEPTIC_SHOCK"},
		}},
		// healthy people in another language are no disease arm
		{"a healthy arm in Portuguese", nil, cohortOf("BR-01 | grupo: sepse", "BR-04 | grupo: sadio"), []want{
			{Sepsis, "sepsis", "characteristics", "sepse", ""}, {Control, "healthy_control", "characteristics", "sadio", ""},
		}},
		{"no flag's arm where the study names healthy people", &metadata.Study{Title: "Sepsis", Description: "Patients with sepsis and healthy volunteers."},
			cohortOf("s1 | sepsis: yes", "s2 | sepsis: no"), []want{{Sepsis, "sepsis", "characteristics", "sepsis", ""}, unknown}},
		{"a flag's arm where the study's healthy people are known by their records", &metadata.Study{Title: "Sepsis", Description: "ICU patients with and without sepsis, and healthy volunteers."},
			cohortOf("s1 | septicemia: yes", "s2 | septicemia: no | ards: yes", "hv1 | healthy control: yes"), []want{
				{Sepsis, "sepsis", "characteristics", "septicemia", ""},
				{NoSepsis, RuleFlagArm, "characteristic:septicemia", "no", "sample GSM1 is SEPSIS"},
				{Control, "healthy_control", "characteristics", "healthy", ""},
			}},
		// a record that denies septic shock is not given it by a shock flag
		// or a shock code
		{"septic shock denied beside shock", &metadata.Study{Title: "Sepsis in the emergency department"},
			cohortOf("p1 | sepsis: yes | septic shock: no | shock: yes", "Shock_P2 | septic shock: no", "p3 | sepsis: yes"), []want{
				{Sepsis, "sepsis", "characteristics", "sepsis", ""}, unknown, {Sepsis, "sepsis", "characteristics", "sepsis", ""},
			}},
		// a suspicion is no group, whatever code beside it the study defines
		{"a hedged record's code", &metadata.Study{Title: "Early-onset sepsis (EOS) in neonates"},
			cohortOf("NICU_03 | group: evaluated for sepsis, culture negative | onset: EOS", "NICU_04 | group: sepsis evaluation | onset: EOS", "NICU_05 | onset: EOS"), []want{
				unknown, unknown, {Sepsis, RuleStudyAbbreviation, "characteristics", "EOS", "Early-onset sepsis"},
			}},
		{"a sepsis flag of no is no patient of the sole arm", nil, cohortOf("sepsis patient 1", "sepsis patient 2", "patient 3 | sepsis: no"), []want{
			{Sepsis, "sepsis", "title", "sepsis", ""}, {Sepsis, "sepsis", "title", "sepsis", ""}, unknown,
		}},
		{"a septic shock flag of no is no patient of the study's septic shock", shockStudy, cohortOf("Patient 19, Day1 | septic shock: no"), []want{unknown}},
		{"EOS and purpura fulminans are no disease controls", nil, cohortOf("n1 | condition: EOS", "n2 | condition: late-onset sepsis", "m1 | condition: purpura fulminans"), []want{
			unknown, {Sepsis, "sepsis", "characteristics", "sepsis", ""}, unknown,
		}},
		{"a record that names a control is no patient of the sole arm", nil, cohortOf("sepsis patient 1", "sepsis patient 2", "control matched to a patient"), []want{
			{Sepsis, "sepsis", "title", "sepsis", ""}, {Sepsis, "sepsis", "title", "sepsis", ""}, unknown,
		}},
		{"a control patient is no patient of the sole arm", nil, cohortOf("p1 | disease state: septic patient", "p2 | disease state: septic patient",
			"c1 | disease state: control patient undergoing elective surgery"), []want{
			{Sepsis, "sepsis", "characteristics", "septic", ""},
			{Sepsis, "sepsis", "characteristics", "septic", ""},
			{NoSepsis, "non_septic_illness", "characteristics", "control patient", ""},
		}},
		{"a month is not sepsis", nil, cohortOf("sepsis 1", "blood 12-Sep-2010"), []want{{Sepsis, "sepsis", "title", "sepsis", ""}, unknown}},
		{"ambiguous codes are not read", nil, cohortOf("sepsis 1", "NS_3", "SS_4", "untreated 5"), []want{
			{Sepsis, "sepsis", "title", "sepsis", ""}, unknown, unknown, unknown,
		}},
		{"negated code", nil, cohortOf("sepsis 1", "Non-Inf 2", "non_seps 3"), []want{
			{Sepsis, "sepsis", "title", "sepsis", ""},
			{NoSepsis, RuleCohortCode, "title", "Non-Inf", `group code "inf" negated`},
			{NoSepsis, RuleGroupCode, "title", "non_seps", `group code "seps" negated`},
		}},
		{"disease arms beside the sepsis arm of the same key", nil, cohortOf(
			"s1 | diseasestatus: Sepsis", "s2 | diseasestatus: Type 1 Diabetes", "s3 | diseasestatus: MS pretreatment",
			"s4 | diseasestatus: Healthy Control", "s5 | diseasestatus: bacterial pneumonia", "s6 | diseasestatus: NA",
			"s7 | celltype: Neutrophils", "s8 | diseasestatus: 42", "s9 | diseasestatus: patient"), []want{
			{Sepsis, "sepsis", "characteristics", "Sepsis", ""},
			{NoSepsis, RuleDiseaseArm, "characteristics", "Type 1 Diabetes", "field that holds the cohort's sepsis arm: sample GSM1 is SEPSIS"},
			// the sibling named as the label's own explanation names it:
			// by its characteristic's key, as illness_field does
			{NoSepsis, RuleDiseaseArm, "characteristics", "MS pretreatment", `sample GSM1 is SEPSIS by rule sepsis matching "Sepsis" in characteristic:diseasestatus`},
			{Control, "healthy_control", "characteristics", "Healthy", ""},
			unknown, unknown, unknown, unknown, unknown,
		}},
		// a sample drawn before an operation, or before cardiopulmonary
		// bypass, is no disease arm: the patient's state after it is not
		// this sample's
		{"disease arm: a sample before the operation", nil, cohortOf(
			"s1 | patient type: post-operative sepsis", "s2 | patient type: pre-operative", "s3 | disease state: cardiac surgery, pre-CPB",
			"s4 | disease state: sepsis", "s5 | disease state: cardiac surgery, after bypass"), []want{
			{Sepsis, "sepsis", "characteristics", "sepsis", ""}, unknown, unknown,
			{Sepsis, "sepsis", "characteristics", "sepsis", ""},
			{NoSepsis, RuleDiseaseArm, "characteristics", "cardiac surgery, after bypass", "sepsis arm"},
		}},
		// codes the lexicon leaves out for their sepsis readings: "SS" may
		// be the study's septic shock arm, "NS" its non-survivors
		{"disease arm: an ambiguous code is no other disease", &metadata.Study{Title: "Whole blood transcriptome in sepsis and septic shock"}, cohortOf(
			"s1 | disease state: Sepsis", "s2 | disease state: SS", "s3 | disease state: NS_2", "s4 | disease state: Healthy control", "s5 | disease state: SSd",
			"s6 | disease state: SLE"), []want{
			{Sepsis, "sepsis", "characteristics", "Sepsis", ""}, unknown, unknown,
			{Control, "healthy_control", "characteristics", "Healthy", ""}, unknown,
			{NoSepsis, RuleDiseaseArm, "characteristics", "SLE", "sepsis arm"},
		}},
		// a septic patient's normal lactate makes no healthy control: the
		// patient is the study's
		{"a normal finding is no control", &metadata.Study{Title: "Sepsis in the emergency department", Description: "Whole blood of septic patients in the emergency department."},
			cohortOf("ED patient 2 | lactate: normal", "ED patient 3 | renal function: normal"), []want{
				{Sepsis, RuleStudyContext, "study_title", "Sepsis", "reads as one of the study's patients"}, {Sepsis, RuleStudyContext, "study_title", "Sepsis", "reads as one of the study's patients"},
			}},
		// a comparison study: a patient whose own diagnosis names the
		// compared infection is not one of its septic patients; a septic
		// patient's infection under its own key still is (GSE33118)
		{"compared infection", &metadata.Study{Title: "Dengue versus bacterial sepsis in febrile patients"}, cohortOf(
			"patient 1 | diagnosis: dengue fever", "patient 2 | diagnosis: bacterial sepsis", "patient 3"), []want{
			unknown, {Sepsis, "sepsis", "characteristics", "sepsis", ""}, {Sepsis, RuleStudyContext, "study_title", "sepsis", "reads as one of the study's patients"},
		}},
		{"compared infection: COVID-19", &metadata.Study{Title: "Distinguishing COVID-19 from bacterial sepsis in the emergency department"}, cohortOf(
			"patient 4 | diagnosis: COVID-19", "patient 5 | diagnosis: bacterial sepsis"), []want{
			unknown, {Sepsis, "sepsis", "characteristics", "sepsis", ""},
		}},
		{"a septic patient's infection is no compared arm", &metadata.Study{Title: "Transcriptome of the septic shock"}, cohortOf(
			"patient01_t0 | infection: pneumonia", "patient02_t0 | infection: pneumonia"), []want{
			{SepticShock, RuleStudyContext, "study_title", "septic shock", "reads as one of the study's patients"}, {SepticShock, RuleStudyContext, "study_title", "septic shock", "reads as one of the study's patients"},
		}},
		{"disease arm: another key is no group of the sepsis arm", nil, cohortOf("s1 | disease state: septic shock", "s2 | tissue: ALS"), []want{
			{SepticShock, "septic_shock", "characteristics", "septic shock", ""}, unknown,
		}},
		{"disease arm: a sepsis arm in the title is no group field", nil, cohortOf("sepsis 1 | group: A", "patient 2 | group: asthma"), []want{
			{Sepsis, "sepsis", "title", "sepsis", ""}, unknown,
		}},
		{"disease arm: only the study's text says sepsis", neonatal, cohortOf("n1 | disease: jaundice", "n2 | disease: jaundice"), []want{unknown, unknown}},
		{"sole arm: a patient without a group", nil, cohortOf("sepsis patient 1", "sepsis patient 2", "ALI patient 3", "Healthy 4"), []want{
			{Sepsis, "sepsis", "title", "sepsis", ""}, {Sepsis, "sepsis", "title", "sepsis", ""},
			{Sepsis, RuleSoleArm, "title", "patient", "the cohort's only illness arm is SEPSIS (2 samples; sample GSM1"},
			{Control, "healthy_control", "title", "Healthy", ""},
		}},
		{"sole arm from a characteristic", nil, cohortOf("CAP1 | cohort: sepsis", "CAP2 | cohort: sepsis", "CAP3 | outcome: survivor | cohort: NA"), []want{
			{Sepsis, "sepsis", "characteristics", "sepsis", ""}, {Sepsis, "sepsis", "characteristics", "sepsis", ""},
			{Sepsis, RuleSoleArm, "characteristics", "survivor", "only illness arm is SEPSIS"},
		}},
		{"sole arm needs two samples", nil, cohortOf("sepsis patient 1", "patient 2"), []want{{Sepsis, "sepsis", "title", "sepsis", ""}, unknown}},
		{"sole arm needs one illness arm", nil, cohortOf("sepsis 1", "sepsis 2", "SIRS 3", "patient 4"), []want{
			{Sepsis, "sepsis", "title", "sepsis", ""}, {Sepsis, "sepsis", "title", "sepsis", ""},
			{NoSepsis, "non_septic_illness", "title", "SIRS", ""}, unknown,
		}},
		{"sole arm: a patient with an infection of its own", nil, cohortOf("sepsis patient 1", "sepsis patient 2", "pneumonia patient 3"), []want{
			{Sepsis, "sepsis", "title", "sepsis", ""}, {Sepsis, "sepsis", "title", "sepsis", ""}, unknown,
		}},
		{"sole arm: the study names another arm", sirsStudy, cohortOf("sepsis patient 1", "sepsis patient 2", "patient 3"), []want{
			{Sepsis, "sepsis", "title", "sepsis", ""}, {Sepsis, "sepsis", "title", "sepsis", ""}, unknown,
		}},
		{"sole arm: not a patient", nil, cohortOf("sepsis 1", "sepsis 2", "sample 3"), []want{
			{Sepsis, "sepsis", "title", "sepsis", ""}, {Sepsis, "sepsis", "title", "sepsis", ""}, unknown,
		}},
		{"study context for the rest", shockStudy, cohortOf("Patient 19, Day1", "Control 2"), []want{
			{SepticShock, RuleStudyContext, "study_title", "Septic shock", "reads as one of the study's patients"}, {Control, "healthy_control", "title", "Control", ""},
		}},
		{"ill controls", illCtrl, cohortOf("Sepsis 1", "Control 2", "Healthy control 3"), []want{
			{Sepsis, "sepsis", "title", "Sepsis", ""},
			{NoSepsis, RuleIllControls, "title", "Control", `"non-septic ICU controls"`},
			{Control, "healthy_control", "title", "Healthy", ""},
		}},
		{"ill controls, said after the word", illCtrl2, cohortOf("Sepsis 1", "Ctrl_2"), []want{
			{Sepsis, "sepsis", "title", "Sepsis", ""},
			{NoSepsis, RuleIllControls, "title", "Ctrl", "controls are ill without sepsis"},
		}},
		{"ill patients served as controls", illCtrlAs, cohortOf("Sepsis 1", "Control 2"), []want{
			{Sepsis, "sepsis", "title", "Sepsis", ""},
			{NoSepsis, RuleIllControls, "title", "Control", `"critically ill patients without infection served as controls"`},
		}},
		{"ill patients, controls in brackets", illCtrlParen, cohortOf("Sepsis 1", "Control 2"), []want{
			{Sepsis, "sepsis", "title", "Sepsis", ""},
			{NoSepsis, RuleIllControls, "title", "Control", `"ICU patients without infection (controls)"`},
		}},
		{"post-operative controls", postopCtrl, cohortOf("Sepsis 1", "Control 2"), []want{
			{Sepsis, "sepsis", "title", "Sepsis", ""},
			{NoSepsis, RuleIllControls, "title", "Control", `"post-operative controls"`},
		}},
		{"uninfected controls are not ill", &metadata.Study{Title: "Late-onset sepsis in preterm infants", Description: "Whole blood of infants with late-onset sepsis and of uninfected controls."},
			cohortOf("sepsis 1", "control 2"), []want{
				{Sepsis, "sepsis", "title", "sepsis", ""}, {Control, "healthy_control", "title", "control", ""},
			}},
		{"uninfected ICU controls are ill", &metadata.Study{Title: "Sepsis in the ICU", Description: "Septic patients and uninfected ICU controls."},
			cohortOf("sepsis 1", "control 2"), []want{
				{Sepsis, "sepsis", "title", "sepsis", ""}, {NoSepsis, RuleIllControls, "title", "control", `"ICU controls"`},
			}},
		{"febrile controls are ill", &metadata.Study{Title: "Dengue in adults", Description: "Controls were patients with non-dengue febrile illness."},
			cohortOf("dengue 1", "Control_sample 2"), []want{
				unknown, {NoSepsis, RuleIllControls, "title", "Control", `"Controls were patients with non-dengue febrile"`},
			}},
		{"non-febrile controls are not ill", &metadata.Study{Title: "Dengue in adults", Description: "Dengue patients and non-febrile controls."},
			cohortOf("dengue 1", "Control_sample 2"), []want{unknown, {Control, "healthy_control", "title", "Control", ""}}},
		{"controls without febrile illness are not ill", &metadata.Study{Title: "Dengue in adults", Description: "Dengue patients and controls without febrile illness."},
			cohortOf("dengue 1", "Control_sample 2"), []want{unknown, {Control, "healthy_control", "title", "Control", ""}}},
		{"controls that were not febrile are not ill", &metadata.Study{Title: "Dengue in adults", Description: "Controls were not febrile at enrolment."},
			cohortOf("dengue 1", "Control_sample 2"), []want{unknown, {Control, "healthy_control", "title", "Control", ""}}},
		{"controls with no febrile illness are not ill", &metadata.Study{Title: "Dengue in adults", Description: "Controls had no febrile illness in the past month."},
			cohortOf("dengue 1", "Control_sample 2"), []want{unknown, {Control, "healthy_control", "title", "Control", ""}}},
		{"afebrile controls are not ill", &metadata.Study{Title: "Dengue in adults", Description: "Dengue patients and afebrile controls."},
			cohortOf("dengue 1", "Control_sample 2"), []want{unknown, {Control, "healthy_control", "title", "Control", ""}}},
		{"ill controls: the study also has healthy people", withHealthy, cohortOf("Sepsis 1", "Control 2"), []want{
			{Sepsis, "sepsis", "title", "Sepsis", ""}, {Control, "healthy_control", "title", "Control", ""},
		}},
		{"ill controls: a separate non-septic arm", illCtrl, cohortOf("Sepsis 1", "SIRS 2", "Control 3"), []want{
			{Sepsis, "sepsis", "title", "Sepsis", ""}, {NoSepsis, "non_septic_illness", "title", "SIRS", ""},
			{Control, "healthy_control", "title", "Control", ""},
		}},
		{"ill controls: the text's one comparison group is non-septic", comparison, cohortOf("Sepsis 1", "Control 2"), []want{
			{Sepsis, "sepsis", "title", "Sepsis", ""},
			{NoSepsis, RuleIllControls, "title", "Control", `compares sepsis with a non-septic group and names no healthy people: "non-infectious"`},
		}},
		{"ill controls: a comparison group beside healthy people", &metadata.Study{Title: comparison.Title, Description: comparison.Description + " Healthy volunteers were sampled too."},
			cohortOf("Sepsis 1", "Control 2"), []want{
				{Sepsis, "sepsis", "title", "Sepsis", ""}, {Control, "healthy_control", "title", "Control", ""},
			}},
		{"the comparison group before the comparison word", &metadata.Study{Title: "Whole blood gene expression in SIRS vs. sepsis"},
			cohortOf("sepsis 1", "control 2"), []want{
				{Sepsis, "sepsis", "title", "sepsis", ""},
				{NoSepsis, RuleIllControls, "title", "control", `"SIRS"`},
			}},
		{"compared with septic patients", &metadata.Study{Title: "Leukocyte transcriptome in sepsis", Description: "Non-infectious SIRS patients were compared with septic patients."},
			cohortOf("sepsis 1", "control 2"), []want{
				{Sepsis, "sepsis", "title", "sepsis", ""},
				{NoSepsis, RuleIllControls, "title", "control", `"Non-infectious"`},
			}},
		{"a non-septic word outside a comparison says nothing of controls", &metadata.Study{Title: "Sepsis transcriptome",
			Description: "Sepsis is a leading cause of death after trauma. Blood of septic patients and controls was drawn."},
			cohortOf("Sepsis 1", "Control 2"), []want{
				{Sepsis, "sepsis", "title", "Sepsis", ""}, {Control, "healthy_control", "title", "Control", ""},
			}},
		{"post-operative sepsis is no non-septic group", &metadata.Study{Title: "Post-operative sepsis", Description: "Controls had an uneventful recovery."},
			cohortOf("Sepsis 1", "Control 2"), []want{
				{Sepsis, "sepsis", "title", "Sepsis", ""}, {Control, "healthy_control", "title", "Control", ""},
			}},
		{"a hedge further before the code", nil, cohortOf("s1 | group: sepsis", "s2 | group: possible serious bacterial infection", "s3 | group: serious bacterial infection"), []want{
			{Sepsis, "sepsis", "characteristics", "sepsis", ""},
			unknown,
			{NoSepsis, RuleCohortInfection, "characteristics", "infection", "infection beside the cohort's sepsis arm"},
		}},
		{"an infection named by its site or pathogen is a diagnosis, not an arm", nil, cohortOf("s1 | illness: sepsis", "s2 | illness: sepsis", "s3 | illness: urinary tract infection", "s4 | illness: influenza infection", "s5 | final diagnosis: viral infection", "s6 | group: influenza-infected", "s7 | group: infected with RSV", "s8 | illness: ICU-acquired infection", "s9 | illness: infection", "s10 | illness: bacterial infection"), []want{
			{Sepsis, "sepsis", "characteristics", "sepsis", ""},
			{Sepsis, "sepsis", "characteristics", "sepsis", ""},
			unknown, unknown, unknown, unknown, unknown, unknown,
			{NoSepsis, RuleCohortInfection, "characteristics", "infection", "infection beside the cohort's sepsis arm"},
			{NoSepsis, RuleCohortInfection, "characteristics", "infection", "infection beside the cohort's sepsis arm"},
		}},
		{"a diagnosis beside an infection arm leaves it the arm", nil, cohortOf("s1 | illness: sepsis", "s2 | group: infection | diagnosis: urinary tract infection"), []want{
			{Sepsis, "sepsis", "characteristics", "sepsis", ""},
			{NoSepsis, RuleCohortInfection, "characteristics", "infection", "infection beside the cohort's sepsis arm"},
		}},
		{"a suspected infection is no infected arm", neonatal, cohortOf("Inf012", "Con001", "Sus002 | group: Suspected Infected"), []want{
			{Sepsis, RuleCohortInfection, "title", "Inf", `the infected arm of a sepsis cohort: study_title "sepsis"`},
			{Control, RuleGroupCode, "title", "Con", "abbreviation of control"},
			unknown,
		}},
		{"bare control without study text stays a control", nil, cohortOf("Sepsis 1", "Control 2"), []want{
			{Sepsis, "sepsis", "title", "Sepsis", ""}, {Control, "healthy_control", "title", "Control", ""},
		}},
		{"a study of non-septic patients is no sepsis cohort", &metadata.Study{Title: "Non-septic ICU patients"}, cohortOf("Shock_1", "Shock_2"), []want{unknown, unknown}},
		{"nothing said", nil, cohortOf("sample 1", "sample 2"), []want{unknown, unknown}},
		// a text that counts its patients, and records that say nothing
		// of a patient
		{"every sample one of the patients counted", counted, cohortOf("p1 | disease state: ARDS", "p2 | disease state: no ARDS"), []want{
			{Sepsis, RuleStudyContext, "study_title", "sepsis", "counts the patients it enrolled"},
			{Sepsis, RuleStudyContext, "study_title", "sepsis", "counts the patients it enrolled"},
		}},
		{"healthy people named, none labeled: unknown", countedHealthy, cohortOf("s1 | group: A", "s2 | group: B"), []want{unknown, unknown}},
		{"healthy people named and labeled: the others are the patients", countedHealthy, cohortOf("s1 | group: A", "s2 | group: healthy volunteer"), []want{
			{Sepsis, RuleStudyContext, "study_title", "Sepsis", "counts the patients it enrolled"},
			{Control, "healthy_control", "characteristics", "healthy", ""},
		}},
		{"a record naming another illness: unknown", counted, cohortOf("s1 | group: A", "s2 | group: SIRS"), []want{
			unknown, {NoSepsis, "non_septic_illness", "characteristics", "SIRS", ""},
		}},
		{"patients not counted: unknown", &metadata.Study{Description: "Whole blood of septic patients with and without ARDS."},
			cohortOf("p1 | disease state: ARDS"), []want{unknown}},
		// a code inside a value that names two cohorts is one of them
		{"shock inside sepsis and septic shock", shockStudy, cohortOf("a | group: septic shock", "b | group: severe sepsis and septic shock"), []want{
			{SepticShock, "septic_shock", "characteristics", "septic shock", ""}, unknown,
		}},
		{"sepsis or septic shock is one group", shockStudy, cohortOf("a | group: septic shock", "b | group: severe sepsis/septic shock"), []want{
			{SepticShock, "septic_shock", "characteristics", "septic shock", ""},
			{Sepsis, "sepsis_or_septic_shock", "characteristics", "severe sepsis/septic shock", ""},
		}},
		// a patient's group, stated on one day, holds on the others
		{"same patient by identifier", nil, cohortOf("P5 D1 | patient id: P5 | group: septic shock", "P5 D7 | patient id: P5", "P6 D1 | patient id: P6 | group: SIRS", "P6 D7 | patient id: P6", "P7 D7 | patient id: P7"), []want{
			{SepticShock, "septic_shock", "characteristics", "septic shock", ""},
			{SepticShock, RuleSamePatient, "characteristics", "patient id: P5", "same patient's other sample: sample GSM1 is SEPTIC_SHOCK"},
			{NoSepsis, "non_septic_illness", "characteristics", "SIRS", ""},
			{NoSepsis, RuleSamePatient, "characteristics", "patient id: P6", "sample GSM3 is NO_SEPSIS"},
			unknown,
		}},
		{"same patient by a short key", nil, cohortOf("P11 T0 | pt: P11 | dx: sepsis", "P11 T24h | pt: P11 | sampling: T24h", "P12 T0 | pt: P12 | dx: niSIRS", "P12 T24h | pt: P12"), []want{
			{Sepsis, "sepsis", "characteristics", "sepsis", ""},
			{Sepsis, RuleSamePatient, "characteristics", "pt: P11", "sample GSM1 is SEPSIS"},
			{NoSepsis, "non_septic_illness", "characteristics", "niSIRS", ""},
			{NoSepsis, RuleSamePatient, "characteristics", "pt: P12", "sample GSM3 is NO_SEPSIS"},
		}},
		// "SS" may be severe sepsis or septic shock: a group of its own the
		// rules leave unread, not the sole arm's
		{"a group the rules do not read is no sole arm's", nil, cohortOf("p1 | dx: sepsis", "p2 | dx: sepsis", "patient 3 | dx: SS", "patient 4 | dx: NA"), []want{
			{Sepsis, "sepsis", "characteristics", "sepsis", ""}, {Sepsis, "sepsis", "characteristics", "sepsis", ""},
			unknown,
			{Sepsis, RuleSoleArm, "title", "patient", "only illness arm is SEPSIS"},
		}},
		{"same patient by title", nil, cohortOf("Patient 12, day 1, sepsis", "Patient 12, day 5", "Patient 13, day 5"), []want{
			{Sepsis, "sepsis", "title", "sepsis", ""}, {Sepsis, RuleSamePatient, "title", "Patient 12", "sample GSM1 is SEPSIS"},
			// the cohort's one illness arm, two samples strong
			{Sepsis, RuleSoleArm, "title", "Patient", "only illness arm is SEPSIS (2 samples"},
		}},
		{"a donor's control sample is no group of the donor", nil, cohortOf("d1 mock | donor: 1 | infection: mock", "d1 E. coli | donor: 1 | infection: E. coli"), []want{
			{Control, RuleGroupCode, "characteristics", "mock", "mock"}, unknown,
		}},
		{"a patient stated in two groups gives none", nil, cohortOf("a | patient: 3 | group: sepsis", "b | patient: 3 | group: SIRS", "c | patient: 3"), []want{
			{Sepsis, "sepsis", "characteristics", "sepsis", ""}, {NoSepsis, "non_septic_illness", "characteristics", "SIRS", ""}, unknown,
		}},
		// what a disease-control arm is not: a typo of the cohort's own
		// groups, an infection, a grade of the sepsis, cells or a stimulus
		{"not disease controls", nil, cohortOf("s1 | diagnosis: sepsis", "s2 | diagnosis: Heathy", "s3 | diagnosis: sespis", "s4 | diagnosis: UTI",
			"s5 | diagnosis: toxic shock syndrome", "s6 | sepsis severity: uncomplicated", "s7 | sepsis severity: sepsis", "s8 | diagnosis: LPS"), []want{
			{Sepsis, "sepsis", "characteristics", "sepsis", ""}, unknown, unknown, unknown, unknown, unknown,
			{Sepsis, "sepsis", "characteristics", "sepsis", ""}, unknown,
		}},
		// a sepsis model's arms are its condition and its control, and a
		// bare grade is no disease beside the sepsis a grade names
		{"a sepsis model's arms", &metadata.Study{Title: "Liver after caecal ligation and puncture in mice", Description: "Polymicrobial sepsis was induced by caecal ligation and puncture (CLP); sham-operated mice served as controls."},
			cohortOf("CLP_24h_1 | treatment: CLP", "CLP_24h_2 | treatment: CLP-induced sepsis", "Sham_24h_1 | treatment: sham operation", "Veh_1 | treatment: vehicle"), []want{
				{Sepsis, RuleStudyAbbreviation, "characteristics", "CLP", "caecal ligation and puncture"},
				{Sepsis, "sepsis", "characteristics", "sepsis", ""},
				{Control, RuleCohortCode, "characteristics", "sham", "sham-operated"},
				unknown,
			}},
		{"a grade beside a graded sepsis", nil, cohortOf("p1 | disease: anaphylaxis | severity: moderate", "p2 | disease: sepsis | severity: septic shock", "p3 | disease: sepsis | severity: sepsis"), []want{
			{NoSepsis, RuleDiseaseArm, "characteristics", "anaphylaxis", "sepsis arm"},
			{SepticShock, "septic_shock", "characteristics", "septic shock", ""},
			{Sepsis, "sepsis", "characteristics", "sepsis", ""},
		}},
		{"sham outside a sepsis cohort is no control", &metadata.Study{Title: "Sham CPAP in obstructive sleep apnoea"},
			cohortOf("OSA 1 | treatment: sham CPAP", "OSA 2 | treatment: CPAP"), []want{unknown, unknown}},
		{"a trial's sham procedure in septic patients is no control", &metadata.Study{Title: "Polymyxin B hemoperfusion in septic shock", Description: "Patients with septic shock were given polymyxin B or sham hemoperfusion."},
			cohortOf("EUPH_01 | treatment: sham hemoperfusion", "EUPH_03 | arm: sham", "patient 4 | arm: sham", "EUPH_02 | treatment: polymyxin B"), []want{
				unknown, unknown,
				{SepticShock, RuleStudyContext, "study_title", "septic shock", "reads as one of the study's patients"},
				unknown,
			}},
		{"no study, no organism: a sham is no known animal's", nil, cohortOf("Sham_1 | treatment: sham-operated", "CLP_2 | treatment: cecal ligation-and-puncture"), []want{
			unknown, {Sepsis, "sepsis_model", "characteristics", "cecal ligation-and-puncture", ""},
		}},
		{"an experiment's conditions beside a sepsis model are no disease arms", nil, cohortOf("m1 | treatment: CLP 6 h", "m2 | treatment: cecal ligation and puncture",
			"m3 | treatment: saline 6 h", "m4 | treatment: sham-operated mice", "m5 | treatment: untreated mice", "m6 | treatment: vehicle (PBS)"), []want{
			{Sepsis, RuleCohortCode, "characteristics", "CLP", "sepsis cohort"}, {Sepsis, "sepsis_model", "characteristics", "cecal ligation and puncture", ""}, unknown, unknown, unknown, unknown,
		}},
		{"a human trial citing animal studies has no sham controls", &metadata.Study{Title: "Hemoperfusion in septic shock", Description: "Based on animal studies, patients with septic shock were given polymyxin B or sham hemoperfusion."},
			cohortOf("E1 | treatment: sham hemoperfusion", "E2 | treatment: polymyxin B"), []want{unknown, unknown}},
		{"a condition of a disease is still a disease", nil, cohortOf("s1 | disease: sepsis", "s2 | disease: untreated diabetes", "s3 | disease: vehicle"), []want{
			{Sepsis, "sepsis", "characteristics", "sepsis", ""}, {NoSepsis, RuleDiseaseArm, "characteristics", "untreated diabetes", "sepsis arm"}, unknown,
		}},
		{"a disease control still", nil, cohortOf("s1 | diagnosis: sepsis", "s2 | diagnosis: type 1 diabetes"), []want{
			{Sepsis, "sepsis", "characteristics", "sepsis", ""}, {NoSepsis, RuleDiseaseArm, "characteristics", "type 1 diabetes", "sepsis arm"},
		}},
		// sepsis patients sampled again after recovery are the sepsis arm
		{"recovery beside sepsis", nil, cohortOf("s1 | disease state: sepsis", "s2 | disease state: sepsis", "r1 | disease state: recovery", "h1 | disease state: healthy"), []want{
			{Sepsis, "sepsis", "characteristics", "sepsis", ""}, {Sepsis, "sepsis", "characteristics", "sepsis", ""},
			{Sepsis, RuleSoleArm, "characteristics", "recovery", "only illness arm is SEPSIS"},
			{Control, "healthy_control", "characteristics", "healthy", ""},
		}},
		// a record that denies an infection is no septic patient of the study
		{"infection denied", &metadata.Study{Title: "Septic shock in adults"}, cohortOf("Patient 1 | infection: no", "Patient 3 day 1",
			"Patient 4 | confirmed infection (y/n): no", "Patient 5 | infection site: none"), []want{
			unknown, {SepticShock, RuleStudyContext, "study_title", "Septic shock", "reads as one of the study's patients"}, unknown,
			{SepticShock, RuleStudyContext, "study_title", "Septic shock", "reads as one of the study's patients"},
		}},
		// a study comparing septic with another shock: bare shock is neither
		{"cardiogenic versus septic shock", &metadata.Study{Title: "Monocyte transcriptome in cardiogenic versus septic shock"},
			cohortOf("SS_1 | shock type: septic shock", "Shock_3 | shock type: pulmonary embolism", "Shock_4"), []want{
				{SepticShock, "septic_shock", "characteristics", "septic shock", ""},
				{NoSepsis, RuleDiseaseArm, "characteristics", "pulmonary embolism", "sepsis arm"},
				unknown,
			}},
		// an infection of the tropics, or a culture's result, is no
		// disease arm: the study does not say whether it is septic
		{"infections and cultures beside a sepsis arm", nil, cohortOf("P1 | diagnosis: sepsis", "P2 | diagnosis: scrub typhus", "P3 | diagnosis: leptospirosis",
			"P4 | diagnosis: typhoid fever", "P5 | diagnosis: culture-negative"), []want{
			{Sepsis, "sepsis", "characteristics", "sepsis", ""},
			unknown, unknown, unknown, unknown,
		}},
		// a shock of a stated other cause makes a bare shock no septic one
		{"bare shock beside a shock of another cause", nil, cohortOf("S1 | disease state: septic shock", "Shock_04", "S3 | shock etiology: cardiogenic"), []want{
			{SepticShock, "septic_shock", "characteristics", "septic shock", ""},
			unknown,
			{NoSepsis, "non_septic_shock_type", "characteristics", "cardiogenic", ""},
		}},
		// a value that names no group of patients is no disease arm
		{"no diagnosis beside a sepsis arm", nil, cohortOf("P1 | disease state: sepsis", "P2 | disease state: indeterminate", "P3 | disease state: other",
			"P4 | disease state: excluded", "P5 | disease state: unknown status", "P6 | disease state: trauma"), []want{
			{Sepsis, "sepsis", "characteristics", "sepsis", ""},
			unknown, unknown, unknown, unknown,
			{NoSepsis, "non_septic_illness", "characteristics", "trauma", ""},
		}},
		// a control in another language is no disease arm
		{"German controls beside a sepsis arm", nil, cohortOf("J01 | Gruppe: Sepsis", "J03 | Gruppe: gesunder Proband", "J04 | Gruppe: Kontrolle"), []want{
			{Sepsis, "sepsis", "characteristics", "Sepsis", ""},
			{Control, "healthy_control", "characteristics", "gesunder", ""},
			{Control, "healthy_control", "characteristics", "Kontrolle", ""},
		}},
		{"empty study", nil, nil, nil},
	}
	c := Default()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := c.ClassifyCohort(tc.study, tc.samples)
			if len(got) != len(tc.want) {
				t.Fatalf("%d decisions for %d samples", len(got), len(tc.want))
			}
			for i, d := range got {
				tc.want[i].check(t, i, d)
			}
		})
	}
}

func TestClassifyCohortOverridesAndSwitches(t *testing.T) {
	samples := cohortOf("sepsis patient 1", "sepsis patient 2", "patient 3", "Shock_4")
	c, err := New(DefaultRules(), nil, map[string]Label{"GSM3": Control})
	if err != nil {
		t.Fatal(err)
	}
	got := c.ClassifyCohort(nil, samples)
	if got[2].Method != MethodOverride || got[2].Label != Control {
		t.Errorf("override lost: %+v", got[2])
	}
	if got[3].Label != SepticShock || got[3].Rule != RuleCohortCode {
		t.Errorf("cohort code: %+v", got[3])
	}

	off, err := New(DefaultRules(), nil, nil, WithoutCohortRules(RuleSoleArm, RuleCohortCode))
	if err != nil {
		t.Fatal(err)
	}
	for i, d := range off.ClassifyCohort(nil, samples)[2:] {
		if d.Label != Unknown {
			t.Errorf("sample %d with the rules off: %+v", i+3, d)
		}
	}

	noCodes, err := New(DefaultRules(), nil, nil, WithGroupCodes(nil))
	if err != nil {
		t.Fatal(err)
	}
	if d := noCodes.Classify(cohortOf("Hlty_1")[0]); d.Label != Unknown {
		t.Errorf("with no group codes: %+v", d)
	}

	if _, err := New(DefaultRules(), nil, nil, WithoutCohortRules("sole_arm")); !errors.Is(err, qc.IllnessInferenceFailed) {
		t.Errorf("unknown cohort rule: %v", err)
	}
	ctx, err := New(DefaultRules(), nil, nil, WithoutCohortRules(RuleStudyContext))
	if err != nil {
		t.Fatal(err)
	}
	st := &metadata.Study{Title: "Septic shock patients"}
	if d := ctx.ClassifyCohort(st, cohortOf("Patient 19, Day1"))[0]; d.Label != Unknown {
		t.Errorf("study context off: %+v", d)
	}
}

func TestClassifyCohortNeverPanics(t *testing.T) {
	c := Default()
	samples := []*metadata.Sample{nil, {}, {Accession: "GSM1", Title: "Seps_1"}, nil, {Title: "Shock"}}
	got := c.ClassifyCohort(&metadata.Study{}, samples)
	if len(got) != len(samples) || got[0].Label != Unknown || got[4].Label != SepticShock {
		t.Fatalf("%+v", got)
	}
}

// Rules of one's own replace the built-in ones, and the cohort rules still
// read what they leave UNKNOWN: a shock of another cause is no septic shock
// there either.
func TestCohortCodesBesideOwnRules(t *testing.T) {
	c, err := New([]Rule{{Name: "sepsis_only", Label: Sepsis, Pattern: `^sepsis$`}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := c.ClassifyCohort(nil, cohortOf("s1 | disease state: sepsis", "s2 | disease state: cardiogenic shock",
		"s3 | disease state: haemorrhagic shock", "s4 | disease state: non-septic shock", "s5 | disease state: hypovolemic shock", "s6 | disease state: shock"))
	wants := []want{{Sepsis, "sepsis_only", "characteristics", "sepsis", ""}, unknown, unknown, unknown, unknown,
		{SepticShock, RuleCohortCode, "characteristics", "shock", "sepsis cohort"}}
	for i, d := range got {
		wants[i].check(t, i, d)
	}
}

// TestShamOfAnimals: a sham-operated sample is the control arm of a sepsis
// model where the samples are animals', by their organism, even when the
// study's text does not say so.
func TestShamOfAnimals(t *testing.T) {
	samples := cohortOf("Sham_1 | treatment: sham-operated", "CLP_2 | treatment: cecal ligation and puncture")
	for _, s := range samples {
		s.Organism = "MUS_MUSCULUS"
	}
	got := Default().ClassifyCohort(nil, samples)
	if got[0].Label != Control || got[0].Rule != RuleCohortCode || got[1].Label != Sepsis {
		t.Errorf("got %+v", got)
	}
	samples[0].Organism, samples[1].Organism = "HOMO_SAPIENS", "HOMO_SAPIENS"
	if got := Default().ClassifyCohort(nil, samples); got[0].Label != Unknown {
		t.Errorf("a person's sham: got %+v", got[0])
	}
}

// TestDiseaseArmOfARefinedLabel: the field that holds a cohort's sepsis
// arm is the one where its septic samples' sepsis was found, not the field
// of a rule that refined it to septic shock (a vasopressor, a shock flag):
// a sibling given the same vasopressor, or another one, is no other group
// of the cohort (it was NO_SEPSIS by cohort_disease_arm, "another group"
// of the vasopressor field, the same value included), while one in another
// group of the disease field is.
func TestDiseaseArmOfARefinedLabel(t *testing.T) {
	rules := append(DefaultRules(), Rule{Name: "vaso", Label: SepticShock, Priority: 2, Pattern: `norepinephrine`, Refines: Sepsis})
	c, err := New(rules, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := c.ClassifyCohort(nil, cohortOf("y | disease state: sepsis | vasopressor: norepinephrine", "x | vasopressor: norepinephrine",
		"z | vasopressor: dopamine", "w | disease state: pancreatitis"))
	refined := "refines SEPSIS: rule sepsis matched \"sepsis\" in characteristic:disease state"
	wants := []want{{SepticShock, "vaso", "characteristics", "norepinephrine", refined}, unknown, unknown,
		{NoSepsis, RuleDiseaseArm, "characteristics", "pancreatitis", "another group of the field that holds the cohort's sepsis arm: sample GSM1 is SEPTIC_SHOCK"}}
	for i, d := range got {
		wants[i].check(t, i, d)
	}

	// The built-in shock flag refines as well.
	got = Default().ClassifyCohort(nil, cohortOf("a | disease state: sepsis | shock: yes", "b | shock: no", "c | disease state: pancreatitis"))
	if got[0].Label != SepticShock || got[1].Label != Unknown || got[2].Label != NoSepsis || got[2].Rule != RuleDiseaseArm {
		t.Errorf("with the shock flag: %v; %v; %v", got[0], got[1], got[2])
	}
}
