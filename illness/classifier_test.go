package illness

import (
	"errors"
	"strings"
	"testing"

	"github.com/genexp/genexp/metadata"
	"github.com/genexp/genexp/qc"
)

// sample builds a crafted sample: these are edge cases written for the
// tests, not real records (the real ones are in testdata/labeled_samples.json).
// chars are "key: value" or bare values.
func sample(title, disease, source string, chars ...string) *metadata.Sample {
	s := &metadata.Sample{Accession: "GSM0", Title: title, Disease: disease}
	if source != "" {
		s.Annotations = append(s.Annotations, metadata.Annotation{Key: "source_name_ch1", Value: source})
	}
	for _, c := range chars {
		k, v, ok := strings.Cut(c, ": ")
		if !ok {
			k, v = "", c
		}
		s.Annotations = append(s.Annotations, metadata.Annotation{Key: k, Value: v, Characteristic: true})
	}
	return s
}

func TestDefaultRules(t *testing.T) {
	tests := []struct {
		name                 string
		s                    *metadata.Sample
		label                Label
		rule, field, matched string
		value                string
	}{
		// one case per rule
		{"mars abdominal sepsis", sample("intensive-care unit patient [x]", "", "whole blood", "abdominal_sepsis_and_controls: abdo_s"),
			Sepsis, "mars_abdominal_sepsis", "characteristics", "abdo_s", "abdominal_sepsis_and_controls: abdo_s"},
		{"mars abdominal control is an ICU patient", sample("intensive-care unit patient [x]", "", "whole blood", "abdominal_sepsis_and_controls: ctrl_GI"),
			NoSepsis, "mars_abdominal_control", "characteristics", "ctrl", "abdominal_sepsis_and_controls: ctrl_GI"},
		{"non-septic shock", sample("", "non-septic shock", ""), NoSepsis, "non_septic", "disease", "non-septic", "non-septic shock"},
		{"cardiogenic shock is not septic", sample("", "", "", "diagnosis: cardiogenic shock"),
			NoSepsis, "non_septic", "characteristics", "cardiogenic shock", "diagnosis: cardiogenic shock"},
		{"haemorrhagic shock", sample("Haemorrhagic_Shock_3", "", ""), NoSepsis, "non_septic", "title", "Haemorrhagic_Shock", "Haemorrhagic_Shock_3"},
		{"anaphylactic shock", sample("", "", "", "group: anaphylactic shock"), NoSepsis, "non_septic", "characteristics", "anaphylactic shock", "group: anaphylactic shock"},
		{"shock of a named cause, inverted", sample("", "", "", "disease state: shock, cardiogenic"),
			NoSepsis, "non_septic", "characteristics", "shock, cardiogenic", "disease state: shock, cardiogenic"},
		{"shock of a named cause in brackets", sample("", "shock (haemorrhagic)", ""), NoSepsis, "non_septic", "disease", "shock (haemorrhagic", "shock (haemorrhagic)"},
		{"shock whose type is a key of its own", sample("", "", "", "disease state: shock", "shock type: cardiogenic"),
			NoSepsis, "non_septic_shock_type", "characteristics", "cardiogenic", "shock type: cardiogenic"},
		{"cause of shock", sample("", "", "", "group: shock", "cause of shock: hypovolemic"),
			NoSepsis, "non_septic_shock_type", "characteristics", "hypovolemic", "cause of shock: hypovolemic"},
		{"sepsis, ruled out", sample("", "", "", "disease state: sepsis, ruled out"),
			NoSepsis, "non_septic", "characteristics", "sepsis, ruled out", "disease state: sepsis, ruled out"},
		{"ruled out sepsis", sample("", "", "", "group: ruled out sepsis"), NoSepsis, "non_septic", "characteristics", "ruled out sepsis", "group: ruled out sepsis"},
		{"sepsis was not confirmed", sample("", "sepsis was not confirmed", ""), NoSepsis, "non_septic", "disease", "sepsis was not confirmed", "sepsis was not confirmed"},
		{"SIRS with infection ruled out", sample("", "", "", "disease state: SIRS, infection ruled out"),
			NoSepsis, "non_septic_illness", "characteristics", "SIRS", "disease state: SIRS, infection ruled out"},
		{"SIRS, infection unlikely", sample("", "SIRS, infection unlikely", ""), NoSepsis, "non_septic_illness", "disease", "SIRS", "SIRS, infection unlikely"},
		{"sepsis confirmed under a key of its own", sample("", "", "", "sepsis status: confirmed"),
			Sepsis, "sepsis", "characteristics", "sepsis", "sepsis status: confirmed"},
		{"sepsis (ruled out)", sample("", "sepsis (ruled out)", ""), NoSepsis, "non_septic", "disease", "sepsis (ruled out)", "sepsis (ruled out)"},
		// A denial that ends no clause is no denial of the sepsis named.
		{"sepsis with a negative culture", sample("", "sepsis, negative blood culture", ""), Sepsis, "sepsis", "disease", "sepsis", "sepsis, negative blood culture"},
		{"sepsis not confirmed by culture", sample("", "sepsis, not confirmed by culture but treated", ""),
			Sepsis, "sepsis", "disease", "sepsis", "sepsis, not confirmed by culture but treated"},
		{"sepsis not ruled out", sample("", "not ruled out sepsis", ""), Sepsis, "sepsis", "disease", "sepsis", "not ruled out sepsis"},
		{"septic shock with a named cause beside it", sample("", "septic shock, haemorrhagic", ""),
			SepticShock, "septic_shock", "disease", "septic shock", "septic shock, haemorrhagic"},
		{"infectious SIRS, another infection denied", sample("", "infectious SIRS, fungal infection absent", ""),
			Sepsis, "infected_sirs", "disease", "infectious SIRS", "infectious SIRS, fungal infection absent"},
		{"sepsis stated beside a shock type", sample("", "", "", "disease state: sepsis", "shock type: cardiogenic"),
			Sepsis, "sepsis", "characteristics", "sepsis", "disease state: sepsis"},
		{"uninfected beside a healthy control", sample("", "", "", "infection: uninfected", "status: healthy control"),
			Control, "healthy_control", "characteristics", "healthy", "status: healthy control"},
		{"uninfected alone", sample("", "", "", "infection: uninfected"), NoSepsis, "uninfected", "characteristics", "uninfected", "infection: uninfected"},
		{"a negated infection is the ill comparison arm", sample("", "", "", "disease state: non-COVID-19"), NoSepsis, "negated_infection", "characteristics", "non-COVID-19", "disease state: non-COVID-19"},
		{"non-influenza patients", sample("", "", "", "group: non influenza patients"), NoSepsis, "negated_infection", "characteristics", "non influenza patients", "group: non influenza patients"},
		{"the source of a sepsis under a key naming it", sample("", "", "", "sepsis source: abdominal"), Sepsis, "sepsis_source", "characteristics", "abdominal", "sepsis source: abdominal"},
		{"the focus of a sepsis", sample("", "", "", "Focus of sepsis: pneumonia"), Sepsis, "sepsis_source", "characteristics", "pneumonia", "Focus of sepsis: pneumonia"},
		{"no source of sepsis", sample("", "", "", "sepsis source: n/a"), Unknown, "", "", "", ""},
		{"a control's sepsis source", sample("", "", "", "sepsis source: none"), Unknown, "", "", "", ""},
		{"a sepsis source not given", sample("", "", "", "sepsis source: n.a."), Unknown, "", "", "", ""},
		{"a sepsis source not known", sample("", "", "", "Sepsis source: not done"), Unknown, "", "", "", ""},
		{"a sham animal's sepsis source", sample("", "", "", "sepsis source: sham"), Unknown, "", "", "", ""},
		{"a septic joint is no sepsis source", sample("", "", "", "septic site: knee"), Unknown, "", "", "", ""},
		{"a normal group", sample("", "", "", "group: normal group"), Control, "healthy_control", "characteristics", "normal group", "group: normal group"},
		{"a healthy non-COVID donor is healthy", sample("", "", "", "group: non-COVID healthy donor"), Control, "healthy_control", "characteristics", "healthy", "group: non-COVID healthy donor"},
		// A sample number glued to the group (titles such as "Sepsis12").
		{"sepsis with its number", sample("Sepsis12", "", ""), Sepsis, "sepsis", "title", "Sepsis12", "Sepsis12"},
		{"septic shock with its number", sample("SepticShock12", "", ""), SepticShock, "septic_shock", "title", "SepticShock12", "SepticShock12"},
		{"no sepsis in camel case", sample("NoSepsis_4", "", ""), NoSepsis, "non_septic", "title", "NoSepsis", "NoSepsis_4"},
		{"post-op abbreviated", sample("postop_3", "", ""), NoSepsis, "non_septic_illness", "title", "postop", "postop_3"},
		{"control with its number", sample("Control12", "", ""), Control, "healthy_control", "title", "Control12", "Control12"},
		{"not meeting Sepsis-3", sample("", "", "", "diagnosis: Sepsis-3 negative"),
			NoSepsis, "non_septic", "characteristics", "Sepsis-3 negative", "diagnosis: Sepsis-3 negative"},
		{"sepsis ruled out", sample("", "sepsis: ruled out", ""), NoSepsis, "non_septic", "disease", "sepsis: ruled out", "sepsis: ruled out"},
		{"infection without sepsis", sample("", "", "", "group: infection without sepsis"),
			NoSepsis, "non_septic", "characteristics", "without sepsis", "group: infection without sepsis"},
		{"septic shock", sample("", "septic shock patient", ""), SepticShock, "septic_shock", "disease", "septic shock", "septic shock patient"},
		{"septic shock with underscores", sample("Septic_Shock_rep1", "", ""), SepticShock, "septic_shock", "title", "Septic_Shock", "Septic_Shock_rep1"},
		{"day 1 of septic shock", sample("", "", "", "group: day 1 of septic shock"),
			SepticShock, "septic_shock", "characteristics", "septic shock", "group: day 1 of septic shock"},
		{"septic shock flag", sample("", "", "", "septic shock: yes"), SepticShock, "septic_shock", "characteristics", "septic shock", "septic shock: yes"},
		{"severe sepsis", sample("", "", "", "diagnosis: Severe Sepsis"), Sepsis, "sepsis", "characteristics", "Sepsis", "diagnosis: Severe Sepsis"},
		// sepsis denied, doubted, or said to be without shock
		{"did not develop sepsis", sample("", "", "", "group: did not develop sepsis"), NoSepsis, "non_septic", "characteristics", "did not develop sepsis", "group: did not develop sepsis"},
		{"never developed sepsis beside trauma", sample("", "", "", "clinical course: trauma, never developed sepsis"),
			NoSepsis, "non_septic", "characteristics", "never developed sepsis", "clinical course: trauma, never developed sepsis"},
		{"sepsis absent", sample("", "", "", "diagnosis: sepsis absent"), NoSepsis, "non_septic", "characteristics", "sepsis absent", "diagnosis: sepsis absent"},
		{"sepsis minus", sample("", "", "", "diagnosis: Sepsis (-)"), NoSepsis, "non_septic", "characteristics", "Sepsis (-)", "diagnosis: Sepsis (-)"},
		{"sepsis-free", sample("", "", "", "diagnosis: sepsis-free ICU patient"), NoSepsis, "non_septic", "characteristics", "sepsis-free", "diagnosis: sepsis-free ICU patient"},
		{"sepsis mimic", sample("", "", "", "adjudication: sepsis mimic"), NoSepsis, "non_septic", "characteristics", "sepsis mimic", "adjudication: sepsis mimic"},
		{"suspected sepsis is no diagnosis", sample("", "", "", "group: suspected sepsis"), Unknown, "", "", "", ""},
		{"rule-out sepsis is no diagnosis", sample("", "", "", "diagnosis: rule-out sepsis"), Unknown, "", "", "", ""},
		{"suspected septic shock is no diagnosis", sample("", "", "", "diagnosis: suspected septic shock"), Unknown, "", "", "", ""},
		{"suspected, then confirmed", sample("", "", "", "referral: suspected sepsis", "final diagnosis: septic shock"),
			SepticShock, "septic_shock", "characteristics", "septic shock", "final diagnosis: septic shock"},
		{"sepsis without septic shock", sample("", "", "", "diagnosis: severe sepsis without septic shock"),
			Sepsis, "sepsis_without_shock", "characteristics", "severe sepsis without septic shock", "diagnosis: severe sepsis without septic shock"},
		{"sepsis with no septic shock in parentheses", sample("", "", "", "diagnosis: sepsis (no septic shock)"),
			Sepsis, "sepsis_without_shock", "characteristics", "sepsis (no septic shock", "diagnosis: sepsis (no septic shock)"},
		{"no septic shock alone says nothing of sepsis", sample("", "", "", "diagnosis: no septic shock"), Unknown, "", "", "", ""},
		{"sepsis after trauma is sepsis", sample("", "", "", "group: sepsis after polytrauma"), Sepsis, "sepsis", "characteristics", "sepsis", "group: sepsis after polytrauma"},
		// wordings of sepsis and septic shock
		{"pneumosepsis", sample("", "", "", "diagnosis: pneumosepsis"), Sepsis, "sepsis", "characteristics", "pneumosepsis", "diagnosis: pneumosepsis"},
		{"meningococcaemia", sample("", "", "", "diagnosis: meningococcaemia"), Sepsis, "sepsis", "characteristics", "meningococcaemia", "diagnosis: meningococcaemia"},
		{"candidemia", sample("", "", "", "disease state: candidemia"), Sepsis, "bloodstream_infection", "characteristics", "candidemia", "disease state: candidemia"},
		{"septic shock misspelt", sample("", "", "", "group: septic shok"), SepticShock, "septic_shock", "characteristics", "septic shok", "group: septic shok"},
		{"choque séptico", sample("", "", "", "grupo: choque séptico"), SepticShock, "septic_shock", "characteristics", "choque séptico", "grupo: choque séptico"},
		{"polytrauma", sample("", "", "", "injury: blunt polytrauma"), NoSepsis, "non_septic_illness", "characteristics", "polytrauma", "injury: blunt polytrauma"},
		{"burn", sample("Burn patient 12, day 3", "", ""), NoSepsis, "non_septic_illness", "title", "Burn patient", "Burn patient 12, day 3"},
		{"mock infected control", sample("", "", "", "group: mock infected control"), Control, "uninfected_control", "characteristics", "mock infected control", "group: mock infected control"},
		{"disease control", sample("", "", "", "group: disease control"), NoSepsis, "non_septic_illness", "characteristics", "disease control", "group: disease control"},
		{"control patient is a patient, not a mix of controls and patients", sample("", "", "", "disease state: control patient undergoing elective surgery"),
			NoSepsis, "non_septic_illness", "characteristics", "control patient", "disease state: control patient undergoing elective surgery"},
		{"no disease where the disease is written", sample("", "", "", "disease state: None"), Control, "no_disease", "characteristics", "None", "disease state: None"},
		{"bacteraemia denied", sample("", "", "", "infection: UTI without bacteremia"), NoSepsis, "bacteraemia_denied", "characteristics", "without bacteremia", "infection: UTI without bacteremia"},
		{"non-bacteremic", sample("", "", "", "phenotype: non-bacteremic"), NoSepsis, "bacteraemia_denied", "characteristics", "non-bacteremic", "phenotype: non-bacteremic"},
		{"culture-negative sepsis is sepsis", sample("", "", "", "diagnosis: culture-negative sepsis (no bacteremia)"), Sepsis, "sepsis", "characteristics", "sepsis", "diagnosis: culture-negative sepsis (no bacteremia)"},
		{"control monocytes are controls", sample("Control_Mo_1", "", ""), Control, "healthy_control", "title", "Control", "Control_Mo_1"},
		{"uninfected control is a control", sample("", "", "", "group: uninfected control"), Control, "healthy_control", "characteristics", "control", "group: uninfected control"},
		{"uninfected patient is ill", sample("", "", "", "group: uninfected patient"), NoSepsis, "non_septic_illness", "characteristics", "uninfected", "group: uninfected patient"},
		{"sepsis or septic shock is one septic group", sample("", "", "", "disease state: severe sepsis/septic shock"),
			Sepsis, "sepsis_or_septic_shock", "characteristics", "severe sepsis/septic shock", "disease state: severe sepsis/septic shock"},
		{"septic shock or sepsis", sample("Septic shock or sepsis 4", "", ""), Sepsis, "sepsis_or_septic_shock", "title", "Septic shock or sepsis", "Septic shock or sepsis 4"},
		{"shock, septic", sample("", "", "", "disease state: shock, septic"), SepticShock, "septic_shock", "characteristics", "shock, septic", "disease state: shock, septic"},
		{"sepsis with shock", sample("", "", "", "group: sepsis with shock"), SepticShock, "septic_shock", "characteristics", "sepsis with shock", "group: sepsis with shock"},
		{"donor cells given septic plasma are no patient's", sample("Donor 1, 6 h", "", "", "donor: healthy donor 1", "treatment: plasma from septic shock patient"),
			Unknown, "septic_plasma_exposure", "characteristics", "plasma from septic", "treatment: plasma from septic shock patient"},
		{"a septic patient's plasma drawn as the sample is the patient's", sample("", "", "", "sample type: plasma", "disease state: septic shock"),
			SepticShock, "septic_shock", "characteristics", "septic shock", "disease state: septic shock"},
		{"shock: septic inside a value", sample("", "", "", "disease state: shock: septic"), SepticShock, "septic_shock", "characteristics", "shock: septic", "disease state: shock: septic"},
		{"septic arthritis is a local infection", sample("", "", "", "diagnosis: septic arthritis"), Unknown, "", "", "", ""},
		{"septic loosening of a prosthesis", sample("septic_revision_patient_4", "", "", "group: septic loosening"), Unknown, "", "", "", ""},
		{"a drug against sepsis names no one's sepsis", sample("healthy volunteer 1", "", "", "treatment: anti-sepsis drug"),
			Control, "healthy_control", "title", "healthy", "healthy volunteer 1"},
		{"a drug against septic shock names no one's septic shock", sample("healthy volunteer 1", "", "", "treatment: anti-septic shock drug"),
			Control, "healthy_control", "title", "healthy", "healthy volunteer 1"},
		{"an antiseptic names no sepsis", sample("", "", "", "treatment: anti-septic wash"), Unknown, "", "", "", ""},
		{"sepsis hedged after the word", sample("", "", "", "diagnosis: sepsis (suspected)"), Unknown, "", "", "", ""},
		{"sepsis with a question mark", sample("", "", "", "diagnosis: sepsis?"), Unknown, "", "", "", ""},
		{"HIV-uninfected is no illness", sample("", "", "", "hiv status: HIV-uninfected"), Unknown, "", "", "", ""},
		{"childhood trauma is no injury", sample("", "", "", "childhood trauma: yes"), Unknown, "", "", "", ""},
		{"sepsis under evaluation", sample("", "", "", "group: evaluation for late-onset sepsis"), Unknown, "", "", "", ""},
		{"control siRNA is an experiment's condition", sample("", "", "", "transfection: control siRNA"), Unknown, "", "", "", ""},
		{"vehicle control", sample("", "", "", "treatment: vehicle control"), Unknown, "", "", "", ""},
		{"wild-type control", sample("WT control 2", "", ""), Unknown, "", "", "", ""},
		{"si-NC is no normal control", sample("si-NC_2", "", ""), Unknown, "", "", "", ""},
		{"CTL cells are no controls", sample("", "", "", "cell type: CTL"), Unknown, "", "", "", ""},
		{"an untreated control is still a control", sample("", "", "", "treatment: untreated control"), Control, "healthy_control", "characteristics", "control", "treatment: untreated control"},
		{"a likely source is no hedge of the septic shock", sample("", "", "", "disease state: septic shock, likely abdominal source"),
			SepticShock, "septic_shock", "characteristics", "septic shock", "disease state: septic shock, likely abdominal source"},
		{"a probable pneumonia is no hedge of the sepsis", sample("", "", "", "diagnosis: sepsis, probable pneumonia"), Sepsis, "sepsis", "characteristics", "sepsis", "diagnosis: sepsis, probable pneumonia"},
		{"suspected-sepsis with a hyphen", sample("", "", "", "group: suspected-sepsis"), Unknown, "", "", "", ""},
		{"septic-arthritis with a hyphen", sample("", "", "", "diagnosis: septic-arthritis"), Unknown, "", "", "", ""},
		{"plasma exchange is a septic patient's treatment", sample("", "", "", "treatment: therapeutic plasma exchange for septic shock"),
			SepticShock, "septic_shock", "characteristics", "septic shock", "treatment: therapeutic plasma exchange for septic shock"},
		{"source control is no control", sample("", "", "", "source control: yes"), Unknown, "", "", "", ""},
		{"previously healthy is no control", sample("", "", "", "comorbidity: previously healthy"), Unknown, "", "", "", ""},
		{"a healthy control previously healthy", sample("", "", "", "group: healthy control (previously healthy volunteer)"), Control, "healthy_control", "characteristics", "healthy", "group: healthy control (previously healthy volunteer)"},
		{"sepsis, suspected", sample("", "", "", "diagnosis: sepsis, suspected"), Unknown, "", "", "", ""},
		{"sepsis with a hedge in brackets", sample("", "", "", "diagnosis: sepsis (suspected, culture pending)"), Unknown, "", "", "", ""},
		{"donor cells given septic patients' plasma", sample("", "", "", "treatment: plasma from patients with septic shock"),
			Unknown, "septic_plasma_exposure", "characteristics", "plasma from patients with septic", "treatment: plasma from patients with septic shock"},
		{"none under another key says nothing", sample("", "", "", "treatment: none"), Unknown, "", "", "", ""},
		{"unaffected", sample("", "", "", "disease state: unaffected"), Control, "healthy_control", "characteristics", "unaffected", "disease state: unaffected"},
		// SIRS with infection is sepsis by Sepsis-1 and -2
		{"infectious SIRS", sample("", "", "", "diagnosis: infectious SIRS"), Sepsis, "infected_sirs", "characteristics", "infectious SIRS", "diagnosis: infectious SIRS"},
		{"SIRS plus infection", sample("SIRS + infection 4", "", ""), Sepsis, "infected_sirs", "title", "SIRS + infection", "SIRS + infection 4"},
		{"SIRS due to infection", sample("", "", "", "group: SIRS due to infection"), Sepsis, "infected_sirs", "characteristics", "SIRS due to infection", "group: SIRS due to infection"},
		{"ipSIRS", sample("ipSIRS_12", "", ""), Sepsis, "infected_sirs", "title", "ipSIRS", "ipSIRS_12"},
		{"sepsis defined as SIRS with infection is one cohort", sample("", "", "", "diagnosis: sepsis (SIRS + infection)"),
			Sepsis, "infected_sirs", "characteristics", "SIRS + infection", "diagnosis: sepsis (SIRS + infection)"},
		{"non-infectious SIRS is not infectious SIRS", sample("", "", "", "diagnosis: non-infectious SIRS"),
			NoSepsis, "non_septic_illness", "characteristics", "non-infectious", "diagnosis: non-infectious SIRS"},
		{"infection-negative SIRS", sample("", "", "", "diagnosis: infection-negative SIRS"),
			NoSepsis, "non_septic_illness", "characteristics", "SIRS", "diagnosis: infection-negative SIRS"},
		{"inSIRS", sample("inSIRS_3", "", ""), NoSepsis, "non_septic_illness", "title", "inSIRS", "inSIRS_3"},
		{"sepsis in title with underscores", sample("Experiment_Sepsis_1", "", ""), Sepsis, "sepsis", "title", "Sepsis", "Experiment_Sepsis_1"},
		{"urosepsis", sample("", "urosepsis", ""), Sepsis, "sepsis", "disease", "urosepsis", "urosepsis"},
		{"sepsis non-survivor is sepsis", sample("", "sepsis nonsurvivor", ""), Sepsis, "sepsis", "disease", "sepsis", "sepsis nonsurvivor"},
		{"sepsis-induced ALI", sample("", "", "", "disease state: sepsis-induced ALI"),
			Sepsis, "sepsis", "characteristics", "sepsis", "disease state: sepsis-induced ALI"},
		{"septicaemia", sample("", "", "", "Septicaemia"), Sepsis, "sepsis", "characteristics", "Septicaemia", "Septicaemia"},
		{"septicemia, American spelling", sample("", "", "", "disease state: septicemia"),
			Sepsis, "sepsis", "characteristics", "septicemia", "disease state: septicemia"},
		{"septicemic melioidosis", sample("", "", "", "study group: Septicemic melioidosis"),
			Sepsis, "sepsis", "characteristics", "Septicemic", "study group: Septicemic melioidosis"},
		{"septic patient", sample("", "", "septic patient 4"), Sepsis, "sepsis", "source_name", "septic", "septic patient 4"},
		{"bacteremia", sample("", "", "", "infection: S. aureus bacteremia"),
			Sepsis, "bloodstream_infection", "characteristics", "bacteremia", "infection: S. aureus bacteremia"},
		{"SIRS", sample("", "SIRS", ""), NoSepsis, "non_septic_illness", "disease", "SIRS", "SIRS"},
		{"post-surgical with underscore", sample("", "", "", "health status: POST_SURGICAL"),
			NoSepsis, "non_septic_illness", "characteristics", "POST_SURGICAL", "health status: POST_SURGICAL"},
		{"ICU control", sample("", "", "", "group: ICU control"), NoSepsis, "non_septic_illness", "characteristics", "ICU control", "group: ICU control"},
		{"post-operative control is one group, not a control and an illness", sample("Postoperative_control_4", "", ""),
			NoSepsis, "non_septic_illness", "title", "Postoperative_control", "Postoperative_control_4"},
		{"pre-operative control is a control", sample("", "", "", "group: pre-operative control"), Control, "healthy_control", "characteristics", "control", "group: pre-operative control"},
		{"pre-surgical control is a control", sample("", "", "", "group: pre-surgical control"), Control, "healthy_control", "characteristics", "control", "group: pre-surgical control"},
		{"non-ICU control is a control", sample("", "", "", "group: non-ICU control"), Control, "healthy_control", "characteristics", "control", "group: non-ICU control"},
		{"non-trauma control is a control", sample("Non_trauma_control_2", "", ""), Control, "healthy_control", "title", "control", "Non_trauma_control_2"},
		{"non-surgical SIRS is still SIRS", sample("", "", "", "group: non-surgical ICU patients with SIRS"),
			NoSepsis, "non_septic_illness", "characteristics", "SIRS", "group: non-surgical ICU patients with SIRS"},
		{"preoperative SIRS is still SIRS", sample("", "", "", "group: preoperative SIRS"), NoSepsis, "non_septic_illness", "characteristics", "SIRS", "group: preoperative SIRS"},
		{"non-ICU trauma patient is ill", sample("", "", "", "group: non-ICU trauma patient"), NoSepsis, "non_septic_illness", "characteristics", "trauma", "group: non-ICU trauma patient"},
		{"septic burn patient is septic", sample("", "", "", "group: septic burn patient"), Sepsis, "sepsis", "characteristics", "septic", "group: septic burn patient"},
		{"not infected is no group (GSE33341 healthy humans)", sample("", "", "Blood, NOT infected"), Unknown, "", "", "", ""},
		{"uninfected diabetic", sample("", "", "", "study group: Uninfected type 2 diabetes"),
			NoSepsis, "non_septic_illness", "characteristics", "Uninfected", "study group: Uninfected type 2 diabetes"},
		{"uninfected healthy is a control", sample("", "", "", "study group: Uninfected healthy"),
			Control, "healthy_control", "characteristics", "healthy", "study group: Uninfected healthy"},
		{"healthy", sample("", "", "", "health status: HEALTHY"), Control, "healthy_control", "characteristics", "HEALTHY", "health status: HEALTHY"},
		{"normal control", sample("", "normal control", ""), Control, "healthy_control", "disease", "normal control", "normal control"},
		{"normal alone", sample("", "normal", ""), Control, "healthy_control", "disease", "normal", "normal"},
		{"temoin", sample("Blood_HV01", "", "Temoin HV01"), Control, "healthy_control", "source_name", "Temoin", "Temoin HV01"},
		{"unkeyed septic shock", sample("", "", "", "Septic shock"), SepticShock, "septic_shock", "characteristics", "Septic shock", "Septic shock"},
		{"sepsis response signature", sample("CAP0001", "", "", "sepsis response signature group: group 2"),
			Sepsis, "sepsis_response_signature", "characteristics", "group 2", "sepsis response signature group: group 2"},
		{"normal and a qualifier", sample("", "normal and HIV negative", ""), Control, "healthy_control", "disease", "normal and", "normal and HIV negative"},
		{"tissue is read", sample("", "", "", "tissue: blood of patient after septic shock"),
			SepticShock, "septic_shock", "characteristics", "septic shock", "tissue: blood of patient after septic shock"},

		// a value that names several cohorts is skipped; the next field decides
		{"study-wide sentence in every sample", sample("04-0011C_Control_day1_66", "", "", "Whole blood from normal children and children with SIRS, sepsis, or septic shock."),
			Control, "healthy_control", "title", "Control", "04-0011C_Control_day1_66"},
		{"healthy beside patients", sample("Run1 Sepsis T0 n1", "", "", "source: healthy subjects and critically-ill patients"),
			Sepsis, "sepsis", "title", "Sepsis", "Run1 Sepsis T0 n1"},
		{"negation is one cohort, not two", sample("", "", "", "group: non-septic shock"), NoSepsis, "non_septic", "characteristics", "non-septic", "group: non-septic shock"},
		{"sentence alone stays unknown", sample("", "", "Whole blood from normal children and children with septic shock."), Unknown, "", "", "", ""},

		// septic shock anywhere refines a sepsis decision
		{"septic shock refines sepsis", sample("", "sepsis", "", "clinical information: septic shock survivor"),
			SepticShock, "septic_shock", "characteristics", "septic shock", "clinical information: septic shock survivor"},
		{"non-septic shock does not refine sepsis", sample("", "sepsis", "", "comparison: non-septic shock"),
			Sepsis, "sepsis", "disease", "sepsis", "sepsis"},
		{"a mixed sentence does not refine sepsis", sample("", "sepsis", "", "Whole blood from normal children and children with septic shock."),
			Sepsis, "sepsis", "disease", "sepsis", "sepsis"},

		// a flag that only refines: shock makes a sepsis patient septic shock
		{"shock flag refines sepsis", sample("301.sepsis_alone", "sepsis alone", "blood", "shock: 1", "disease state: sepsis alone"),
			SepticShock, "shock_flag", "characteristics", "1", "shock: 1"},
		{"shock flag written yes", sample("", "", "", "disease state: sepsis", "Shock: yes"),
			SepticShock, "shock_flag", "characteristics", "Shock", "Shock: yes"},
		{"shock flag unset leaves sepsis", sample("", "sepsis alone", "", "shock: 0"), Sepsis, "sepsis", "disease", "sepsis", "sepsis alone"},
		{"shock flag alone labels nothing", sample("Patient 3", "", "", "shock: 1"), Unknown, "", "", "", ""},
		{"shock flag does not make a control septic", sample("", "healthy", "", "shock: 1"), Control, "healthy_control", "disease", "healthy", "healthy"},
		{"shock flag of another key is not read", sample("", "sepsis", "", "cardiogenic shock: 1"), Sepsis, "sepsis", "disease", "sepsis", "sepsis"},
		// a severity or shock type written as shock refines sepsis too
		{"severity shock refines sepsis", sample("", "Sepsis", "", "severity: shock"),
			SepticShock, "shock_stated", "characteristics", "shock", "severity: shock"},
		{"shock type septic refines its own sepsis", sample("SS_2", "", "", "shock type: septic"),
			SepticShock, "shock_stated", "characteristics", "septic", "shock type: septic"},
		{"a severity grade is no shock", sample("", "Sepsis", "", "severity: 1"), Sepsis, "sepsis", "disease", "Sepsis", "Sepsis"},
		{"severity shock alone labels nothing", sample("Patient 3", "", "", "severity: shock"), Unknown, "", "", "", ""},
		{"shock of another type refines nothing", sample("", "Sepsis", "", "shock type: cardiogenic"), Sepsis, "sepsis", "disease", "Sepsis", "Sepsis"},
		// a definition's version is no second cohort
		{"septic shock by Sepsis-3", sample("", "", "", "diagnosis: septic shock (Sepsis-3)"),
			SepticShock, "septic_shock", "characteristics", "septic shock", "diagnosis: septic shock (Sepsis-3)"},
		{"Sepsis-2 septic shock", sample("", "", "", "diagnosis: Sepsis-2 septic shock"),
			SepticShock, "septic_shock", "characteristics", "septic shock", "diagnosis: Sepsis-2 septic shock"},
		{"sepsis and septic shock are still two", sample("", "", "", "group: severe sepsis and septic shock"), Unknown, "", "", "", ""},
		// controls in other languages
		{"German healthy volunteer", sample("", "", "", "Gruppe: gesunder Proband"), Control, "healthy_control", "characteristics", "gesunder", "Gruppe: gesunder Proband"},
		{"German control", sample("", "", "", "Gruppe: Kontrolle"), Control, "healthy_control", "characteristics", "Kontrolle", "Gruppe: Kontrolle"},
		{"French healthy volunteer", sample("", "", "", "groupe: volontaire sain"), Control, "healthy_control", "characteristics", "volontaire sain", "groupe: volontaire sain"},
		{"Portuguese control", sample("", "", "", "grupo: controle"), Control, "healthy_control", "characteristics", "controle", "grupo: controle"},
		{"Italian control", sample("", "", "", "gruppo: controllo"), Control, "healthy_control", "characteristics", "controllo", "gruppo: controllo"},

		// a sample its study excluded is in no group, whatever else it names
		{"excluded from analysis", sample("308.excluded", "", "", "disease state: not meeting the Berlin definition of sepsis with ARDS and that they were excluded from analysis"),
			Unknown, "excluded_from_analysis", "characteristics", "excluded from analysis", "disease state: not meeting the Berlin definition of sepsis with ARDS and that they were excluded from analysis"},
		{"a sample mixed from several people", sample("L163_Sepsis_GEX", "", "blood", "treatment: Mixed sample (Baby A11 Day 32 Enterobacter bloodstream infection; Baby B6 Day 38 NEC)"),
			Unknown, "mixed_sample", "characteristics", "Mixed sample", "treatment: Mixed sample (Baby A11 Day 32 Enterobacter bloodstream infection; Baby B6 Day 38 NEC)"},
		{"pooled healthy donors are still healthy", sample("", "", "pooled healthy donors"), Control, "healthy_control", "source_name", "healthy", "pooled healthy donors"},
		{"excluded in a later field outranks the disease", sample("", "sepsis", "", "note: excluded from analysis"),
			Unknown, "excluded_from_analysis", "characteristics", "excluded from analysis", "note: excluded from analysis"},
		{"not excluded is no exclusion", sample("", "", "", "status: sepsis, not excluded from analysis"),
			Sepsis, "sepsis", "characteristics", "sepsis", "status: sepsis, not excluded from analysis"},
		{"a study's exclusion criteria are no exclusion of the sample", sample("Patients with diabetes were excluded from the study", "septic shock", ""),
			SepticShock, "septic_shock", "disease", "septic shock", "septic shock"},
		{"exclusion of another thing is no exclusion of the sample", sample("", "", "", "status: not excluded from QC; excluded from analysis"),
			Unknown, "excluded_from_analysis", "characteristics", "excluded from analysis", "status: not excluded from QC; excluded from analysis"},
		{"never excluded", sample("", "", "", "status: sepsis, never excluded from analysis"),
			Sepsis, "sepsis", "characteristics", "sepsis", "status: sepsis, never excluded from analysis"},
		{"a description's exclusion is the study's", &metadata.Sample{Accession: "GSM0", Disease: "septic shock", Annotations: []metadata.Annotation{
			{Key: "description", Value: "low RIN samples were excluded from analysis"}}},
			SepticShock, "septic_shock", "disease", "septic shock", "septic shock"},
		{"a pooled reference is no mixed sample", sample("", "septic shock", "", "reference: pooled samples from healthy donors"),
			SepticShock, "septic_shock", "disease", "septic shock", "septic shock"},
		{"a bare excluded in a title is no statement", sample("308.excluded", "sepsis", ""), Sepsis, "sepsis", "disease", "sepsis", "sepsis"},

		// field order: structured annotation beats the title
		{"characteristic beats title", sample("healthy volunteer 3", "", "", "disease state: sepsis"),
			Sepsis, "sepsis", "characteristics", "sepsis", "disease state: sepsis"},
		// rule order within a field: septic shock beats a stray control
		{"priority within a field", sample("", "", "", "treatment: control", "disease state: septic shock"),
			SepticShock, "septic_shock", "characteristics", "septic shock", "disease state: septic shock"},
		// sepsis denied in other words and languages
		{"w/o sepsis", sample("", "", "", "group: w/o sepsis"), NoSepsis, "non_septic", "characteristics", "w/o sepsis", "group: w/o sepsis"},
		{"no evidence of sepsis", sample("", "", "", "diagnosis: no evidence of sepsis"), NoSepsis, "non_septic", "characteristics", "no evidence of sepsis", "diagnosis: no evidence of sepsis"},
		{"no signs of sepsis", sample("", "", "", "diagnosis: no signs of sepsis"), NoSepsis, "non_septic", "characteristics", "no signs of sepsis", "diagnosis: no signs of sepsis"},
		{"Spanish sin sepsis", sample("", "", "", "grupo: sin sepsis"), NoSepsis, "non_septic", "characteristics", "sin sepsis", "grupo: sin sepsis"},
		{"German ohne Sepsis", sample("", "", "", "Gruppe: ohne Sepsis"), NoSepsis, "non_septic", "characteristics", "ohne Sepsis", "Gruppe: ohne Sepsis"},
		{"German keine Sepsis", sample("", "", "", "Gruppe: keine Sepsis"), NoSepsis, "non_septic", "characteristics", "keine Sepsis", "Gruppe: keine Sepsis"},
		{"French pas de sepsis", sample("", "", "", "groupe: pas de sepsis"), NoSepsis, "non_septic", "characteristics", "pas de sepsis", "groupe: pas de sepsis"},
		{"Portuguese sem sepse", sample("", "", "", "grupo: sem sepse"), NoSepsis, "non_septic", "characteristics", "sem sepse", "grupo: sem sepse"},
		{"Dutch zonder sepsis", sample("", "", "", "groep: zonder sepsis"), NoSepsis, "non_septic", "characteristics", "zonder sepsis", "groep: zonder sepsis"},
		{"Italian senza sepsi", sample("", "", "", "gruppo: senza sepsi"), NoSepsis, "non_septic", "characteristics", "senza sepsi", "gruppo: senza sepsi"},
		// a normal finding of a measurement is no healthy person
		{"normal lactate", sample("ED patient 2", "", "", "lactate: normal"), Unknown, "", "", "", ""},
		{"normal chest x-ray", sample("ED patient 4", "", "", "chest x-ray: normal"), Unknown, "", "", "", ""},
		{"normal renal function", sample("", "", "", "renal function: normal"), Unknown, "", "", "", ""},
		{"normal karyotype", sample("c2", "", "", "karyotype: normal"), Unknown, "", "", "", ""},
		{"normal as a disease state is", sample("", "", "", "disease state: normal"), Control, "healthy_control", "characteristics", "normal", "disease state: normal"},
		// what a patient's care controls is no control person
		{"glycaemic control arm", sample("pt1", "", "", "arm: tight glycemic control"), Unknown, "", "", "", ""},
		{"volume-controlled ventilation", sample("pt3", "", "", "ventilation mode: volume control"), Unknown, "", "", "", ""},
		{"a control person beside a care term", sample("", "", "", "group: healthy control", "ventilation mode: pressure control"), Control, "healthy_control", "characteristics", "healthy", "group: healthy control"},
		// keys are not read: the key of a MARS code says sepsis and controls
		{"key text is not read", sample("", "", "", "sepsis_and_controls: X7"), Unknown, "", "", "", ""},
		// ignored keys
		{"outcome is ignored", sample("Patient 19, Day1", "", "", "survival: Non Survivor", "time point: D01"), Unknown, "", "", "", ""},
		{"thrombocytopenia normal is not a control", sample("", "", "", "thrombocytopenia: D_normal"), Unknown, "", "", "", ""},
		{"a named sepsis denied", sample("", "", "", "los status: no late-onset sepsis"), NoSepsis, "non_septic", "characteristics", "no late-onset sepsis", "los status: no late-onset sepsis"},
		{"neonatal sepsis denied", sample("", "", "", "diagnosis: no neonatal sepsis"), NoSepsis, "non_septic", "characteristics", "no neonatal sepsis", "diagnosis: no neonatal sepsis"},
		// other languages and shorthands
		{"Portuguese healthy volunteer", sample("", "", "", "grupo: voluntário sadio"), Control, "healthy_control", "characteristics", "voluntário", "grupo: voluntário sadio"},
		{"Spanish septic shock", sample("", "", "", "grupo: shock séptico"), SepticShock, "septic_shock", "characteristics", "shock séptico", "grupo: shock séptico"},
		{"Spanish non-infectious SIRS", sample("", "", "", "grupo: SRIS no infeccioso"), NoSepsis, "non_septic_illness", "characteristics", "SRIS", "grupo: SRIS no infeccioso"},
		{"Chinese sepsis", sample("", "", "", "分组: 脓毒症"), Sepsis, "sepsis", "characteristics", "脓毒症", "分组: 脓毒症"},
		{"Chinese septic shock", sample("", "", "", "分组: 脓毒性休克"), SepticShock, "septic_shock", "characteristics", "脓毒性休克", "分组: 脓毒性休克"},
		{"Chinese healthy control", sample("", "", "", "分组: 健康对照"), Control, "healthy_control", "characteristics", "健康对照", "分组: 健康对照"},
		{"Japanese sepsis", sample("", "", "", "群: 敗血症"), Sepsis, "sepsis", "characteristics", "敗血症", "群: 敗血症"},
		// what names no cohort in a study that is not about sepsis
		{"sepsis denied inside a value", sample("", "", "", "post-transplant complication: CMV reactivation; sepsis: no"), Unknown, "", "", "", ""},
		{"Chinese not healthy", sample("", "", "", "分组: 非健康对照"), Unknown, "", "", "", ""},
		{"Chinese sub-healthy", sample("", "", "", "分组: 亚健康人群"), Unknown, "", "", "", ""},
		{"Chinese model control", sample("", "", "", "分组: 模型对照组"), Unknown, "", "", "", ""},
		{"a volunteer with a disease", sample("", "", "", "disease: volunteer with type 2 diabetes"), Unknown, "", "", "", ""},
		{"a volunteer with a disease in Portuguese", sample("", "", "", "grupo: voluntário com diabetes tipo 2"), Unknown, "", "", "", ""},
		{"an infected volunteer", sample("", "", "", "group: infected volunteer"), Unknown, "", "", "", ""},
		{"a non-infectious organ disease", sample("", "", "", "diagnosis: non-infectious uveitis"), Unknown, "", "", "", ""},
		{"a non-infectious organ disease in Spanish", sample("", "", "", "diagnóstico: uveítis no infecciosa"), Unknown, "", "", "", ""},
		{"non-infectious SIRS still", sample("", "", "", "group: non-infectious SIRS"), NoSepsis, "non_septic_illness", "characteristics", "non-infectious", "group: non-infectious SIRS"},
		{"Chinese sepsis denied", sample("", "", "", "分组: 非脓毒症"), NoSepsis, "non_septic", "characteristics", "非脓毒症", "分组: 非脓毒症"},
		{"Chinese sepsis suspected", sample("", "", "", "分组: 疑似脓毒症"), Unknown, "", "", "", ""},
		{"Chinese shock not infectious", sample("", "", "", "分组: 非感染性休克"), Unknown, "", "", "", ""},
		{"a definition beside another label", sample("", "", "", "group: SIRS (Sepsis-2 criteria)"), NoSepsis, "non_septic_illness", "characteristics", "SIRS", "group: SIRS (Sepsis-2 criteria)"},
		{"a definition alone names its sepsis", sample("", "", "", "diagnosis: Sepsis-3"), Sepsis, "sepsis", "characteristics", "Sepsis", "diagnosis: Sepsis-3"},
		{"sepsis with shock in short", sample("", "", "", "dx: Seps + shock"), SepticShock, "septic_shock", "characteristics", "Seps + shock", "dx: Seps + shock"},
		{"no sepsis by a definition", sample("", "", "", "diagnosis: infection without organ dysfunction (no sepsis by Sepsis-3)"), NoSepsis, "non_septic", "characteristics", "no sepsis", "diagnosis: infection without organ dysfunction (no sepsis by Sepsis-3)"},
		{"an ICU control in short", sample("ICU-ctrl-4", "", ""), NoSepsis, "non_septic_illness", "title", "ICU-ctrl", "ICU-ctrl-4"},
		{"a sepsis work-up is a suspicion", sample("", "", "", "group: sepsis work-up, culture negative"), Unknown, "", "", "", ""},
		{"negative flag says nothing", sample("", "", "", "sepsis: no"), Unknown, "", "", "", ""},
		// sepsis given by its standard models, not their sham controls
		{"caecal ligation and puncture", sample("", "", "", "treatment: cecal ligation and puncture"), Sepsis, "sepsis_model", "characteristics", "cecal ligation and puncture", "treatment: cecal ligation and puncture"},
		{"colon ascendens stent peritonitis", sample("CASP 6 h", "", "", "model: colon ascendens stent peritonitis"), Sepsis, "sepsis_model", "characteristics", "colon ascendens stent peritonitis", "model: colon ascendens stent peritonitis"},
		{"sham of caecal ligation and puncture", sample("", "", "", "treatment: sham surgery without caecal ligation and puncture"), Unknown, "", "", "", ""},
		// the last resort: a group under a key that is ignored for what it
		// usually holds
		{"group under a day key", sample("", "", "", "group_day: SepticShock_D0"), SepticShock, "septic_shock", "characteristics", "SepticShock", "group_day: SepticShock_D0"},
		{"group code under a day key", sample("", "", "", "group_day: HC_D0"), Control, "group_code", "characteristics", "HC", "group_day: HC_D0"},
		{"group under a subject key", sample("", "", "", "subject: healthy control"), Control, "healthy_control", "characteristics", "healthy", "subject: healthy control"},
		{"an outcome names no group", sample("", "", "", "outcome: died", "time point: D01"), Unknown, "", "", "", ""},
		{"criteria met", sample("", "", "", "sepsis-3 criteria: met"), Sepsis, "sepsis", "characteristics", "sepsis", "sepsis-3 criteria: met"},
		// a cell line is no patient, whatever its treatment names
		{"cell line given a patient's plasma", sample("HUVEC + septic plasma 1", "", "", "cell type: HUVEC", "treatment: plasma from septic shock patient"),
			Unknown, "cell_line", "characteristics", "HUVEC", "cell type: HUVEC"},
		{"a patient's own monocytes are the patient's", sample("", "", "", "cell type: monocytes", "disease state: septic shock"),
			SepticShock, "septic_shock", "characteristics", "septic shock", "disease state: septic shock"},
		{"criteria not met says nothing", sample("", "", "", "sepsis-3 criteria: not met"), Unknown, "", "", "", ""},
		{"SIRS with a suspected infection", sample("", "", "", "diagnosis: SIRS with suspected infection"), Unknown, "", "", "", ""},
		// A bare 1 or 0 is a yes or a no, unless a rule reads the key
		// (shock_flag, sepsis_response_signature: their own cases).
		{"flag of one", sample("", "", "", "sepsis: 1"), Sepsis, "sepsis", "characteristics", "sepsis", "sepsis: 1"},
		{"flag of one beside a healthy title", sample("Healthy donor 4", "", "", "control: 1"), Control, "healthy_control", "characteristics", "control", "control: 1"},
		{"flag of zero says nothing", sample("", "", "", "sepsis: 0", "septic shock: 0"), Unknown, "", "", "", ""},
		{"flag of zero leaves the other fields", sample("Septic shock patient 2", "", "", "sirs: 0"), SepticShock, "septic_shock", "title", "Septic shock", "Septic shock patient 2"},
		{"NA diagnosis", sample("Subject 65, Day 1", "NA", "", "diagnosis: NA"), Unknown, "", "", "", ""},

		// glued, shortened and progressing wordings
		{"healthy control glued to its number", sample("HealthyControl01", "", ""), Control, "healthy_control", "title", "HealthyControl01", "HealthyControl01"},
		{"healthy donor glued", sample("HealthyDonor3", "", ""), Control, "healthy_control", "title", "HealthyDonor3", "HealthyDonor3"},
		{"normal with a sample number", sample("Normal_01", "", ""), Control, "numbered_normal", "title", "Normal_01", "Normal_01"},
		{"normal glued to its number", sample("Normal02", "", ""), Control, "numbered_normal", "title", "Normal02", "Normal02"},
		{"normal replicate", sample("Normal_rep1", "", ""), Control, "numbered_normal", "title", "Normal_rep1", "Normal_rep1"},
		{"a karyotype's normal with a number is no control", sample("", "", "", "karyotype: normal 46"), Unknown, "", "", "", ""},
		{"a histology's normal with a number is no control", sample("", "", "", "histology: normal 2"), Unknown, "", "", "", ""},
		{"normal saline is no control", sample("", "", "", "treatment: normal saline"), Unknown, "", "", "", ""},
		{"blood bank donor", sample("", "", "", "subject: blood bank donor"), Control, "healthy_control", "characteristics", "blood bank donor", "subject: blood bank donor"},
		{"sepsis patient glued", sample("SepsisPatient_3", "", ""), Sepsis, "sepsis", "title", "SepsisPatient", "SepsisPatient_3"},
		{"septic shock patient glued", sample("SepticShockPatient_3", "", ""), SepticShock, "septic_shock", "title", "SepticShockPatient", "SepticShockPatient_3"},
		{"septic shock shortened", sample("SeptShock_07", "", ""), SepticShock, "septic_shock", "title", "SeptShock", "SeptShock_07"},
		{"sept. shock", sample("", "", "", "group: Sept. shock"), SepticShock, "septic_shock", "characteristics", "Sept. shock", "group: Sept. shock"},
		{"September is no septic shock", sample("", "", "", "collection: Sept 2019"), Unknown, "", "", "", ""},
		{"a date in September before a shock wave is no septic shock", sample("", "", "", "date: 12 Sept - shock wave"), Unknown, "", "", "", ""},
		{"sepsis progressing to septic shock", sample("", "", "", "status: sepsis progressing to septic shock"),
			SepticShock, "septic_shock", "characteristics", "sepsis progressing to septic shock", "status: sepsis progressing to septic shock"},
		{"sepsis, then septic shock by an arrow", sample("", "", "", "clinical status: sepsis → septic shock"),
			SepticShock, "septic_shock", "characteristics", "sepsis → septic shock", "clinical status: sepsis → septic shock"},
		{"Chinese septic shock written with sepsis", sample("", "", "", "group: 脓毒症休克"), SepticShock, "septic_shock", "characteristics", "脓毒症休克", "group: 脓毒症休克"},
		{"sepsis criteria fulfilled", sample("", "", "", "sepsis criteria: fulfilled"), Sepsis, "sepsis", "characteristics", "sepsis", "sepsis criteria: fulfilled"},
		{"sepsis criteria not fulfilled says nothing alone", sample("", "", "", "sepsis criteria: not fulfilled"), Unknown, "", "", "", ""},
		{"ICU control glued to its number", sample("ctrl_ICU_3", "", ""), NoSepsis, "non_septic_illness", "title", "ctrl_ICU", "ctrl_ICU_3"},
		{"a control in a surgical mask is a control", sample("Control_surgical_mask_1", "", ""), Control, "healthy_control", "title", "Control", "Control_surgical_mask_1"},
		{"a trauma-free control names two groups", sample("", "", "", "group: control trauma-free"), Unknown, "", "", "", ""},
		{"non-septic control", sample("", "", "", "group: non-septic control"), NoSepsis, "non_septic", "characteristics", "non-septic control", "group: non-septic control"},
		{"non-septic ICU control", sample("", "", "", "group: non-septic ICU control"), NoSepsis, "non_septic", "characteristics", "non-septic ICU control", "group: non-septic ICU control"},
		{"non-COVID ICU", sample("", "", "", "disease state: non-COVID ICU"), NoSepsis, "negated_infection", "characteristics", "non-COVID ICU", "disease state: non-COVID ICU"},

		// things that must stay UNKNOWN
		{"bare shock", sample("", "shock", ""), Unknown, "", "", "", ""},
		{"a vehicle control written after the word", sample("", "", "", "treatment: control (vehicle)"), Unknown, "", "", "", ""},
		{"pneumonia", sample("", "bacterial pneumonia", ""), Unknown, "", "", "", ""},
		{"aseptic is not septic", sample("", "aseptic meningitis", ""), Unknown, "", "", "", ""},
		{"cancer", sample("", "breast cancer", ""), Unknown, "", "", "", ""},
		{"nothing", sample("", "", ""), Unknown, "", "", "", ""},
	}
	c := Default()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := c.Classify(tt.s)
			want := Decision{Label: tt.label, Method: MethodRule, Rule: tt.rule, Field: tt.field, Matched: tt.matched, Value: tt.value}
			if key, _, keyed := strings.Cut(tt.value, ": "); keyed && tt.field == "characteristics" {
				want.Key = key // sample() makes "key: value" a keyed characteristic
			}
			if tt.label == Unknown && tt.rule == "" {
				want = Decision{Label: Unknown, Method: MethodDefault}
			}
			// Evidence is checked by TestRefinementEvidence.
			got := d
			got.Evidence = ""
			if got != want {
				t.Errorf("got  %+v\nwant %+v", d, want)
			}
		})
	}
}

func TestEveryDefaultRuleIsTested(t *testing.T) {
	// TestDefaultRules names the rule it expects; a rule added without a
	// case there fails here.
	tested := map[string]bool{}
	c := Default()
	for _, s := range []*metadata.Sample{
		sample("", "", "", "abdominal_sepsis_and_controls: abdo_s"), sample("", "", "", "abdominal_sepsis_and_controls: ctrl_GI"),
		sample("", "non-septic shock", ""), sample("", "septic shock", ""), sample("", "sepsis", ""),
		sample("", "bacteremia", ""), sample("", "SIRS", ""), sample("", "healthy", ""),
		sample("", "", "", "sepsis response signature group: 1"), sample("", "sepsis", "", "shock: 1"),
		sample("", "excluded from the analysis", ""), sample("", "mixed sample", ""), sample("", "infectious SIRS", ""), sample("", "sepsis without shock", ""), sample("", "", "", "cell line: THP-1"),
		sample("", "", "", "disease state: none"), sample("", "", "", "disease state: severe sepsis/septic shock"),
		sample("", "", "", "stimulus: septic serum"), sample("", "", "", "infection: UTI without bacteremia"), sample("", "sepsis", "", "severity: shock"),
		sample("", "", "", "group: non infected controls"), sample("", "", "", "shock type: cardiogenic"), sample("", "", "", "infection: uninfected"),
		sample("", "", "", "treatment: cecal ligation and puncture"), sample("", "", "", "disease state: non-COVID-19"),
		sample("", "", "", "sepsis source: abdominal"), sample("Normal_01", "", ""), sample("", "", "", "sirs: yes", "infection: yes"),
	} {
		tested[c.Classify(s).Rule] = true
	}
	for _, r := range DefaultRules() {
		if !tested[r.Name] {
			t.Errorf("default rule %s has no test case", r.Name)
		}
	}
}

func TestOverridesWin(t *testing.T) {
	c, err := New(DefaultRules(), nil, map[string]Label{" GSM0 ": "septic-shock", "GSM9": Control})
	if err != nil {
		t.Fatal(err)
	}
	d := c.Classify(sample("healthy volunteer", "healthy", ""))
	want := Decision{Label: SepticShock, Method: MethodOverride, Field: "accession", Matched: "GSM0", Value: "GSM0"}
	if d != want {
		t.Errorf("got %+v, want %+v", d, want)
	}
	other := sample("", "sepsis", "")
	other.Accession = "GSM1"
	if d := c.Classify(other); d.Method != MethodRule || d.Label != Sepsis {
		t.Errorf("sample without override: %+v", d)
	}
}

func TestCustomRulesFieldsAndKeys(t *testing.T) {
	rules := []Rule{
		{Name: "cap", Label: Sepsis, Pattern: `^cap$`, Keys: `^pneumonia diagnoses$`},
		{Name: "title_only", Label: NoSepsis, Pattern: `trauma`, Fields: []string{"refinebio_title"}},
	}
	c, err := New(rules, []string{"characteristics", "disease", "title"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := c.Classify(sample("", "", "", "pneumonia_diagnoses: cap")); d.Rule != "cap" || d.Label != Sepsis {
		t.Errorf("keyed rule: %+v", d)
	}
	if d := c.Classify(sample("", "", "", "other: cap")); d.Label != Unknown {
		t.Errorf("keyed rule read another key: %+v", d)
	}
	if d := c.Classify(sample("", "trauma", "")); d.Label != Unknown {
		t.Errorf("title-only rule read the disease field: %+v", d)
	}
	if d := c.Classify(sample("Trauma_12", "", "")); d.Rule != "title_only" || d.Field != "title" || d.Matched != "Trauma" {
		t.Errorf("title-only rule: %+v", d)
	}
	// a characteristic:KEY field reads only that key
	c, err = New([]Rule{{Name: "any", Label: Sepsis, Pattern: `yes|sepsis`}}, []string{"characteristic:disease state"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := c.Classify(sample("sepsis", "", "", "disease_state: Sepsis")); d.Field != "characteristic:disease state" || d.Value != "disease state: Sepsis" {
		t.Errorf("characteristic field: %+v", d)
	}
}

// A rule whose fields name a characteristic by key reads that key where the
// classifier reads every characteristic ("characteristics", as the default
// fields do), and no other key there.
func TestRuleCharacteristicFieldReadInCharacteristics(t *testing.T) {
	rules := []Rule{{Name: "creb", Label: Sepsis, Pattern: `creb`, Fields: []string{"characteristic:genotype/variation", "characteristic:Age"}}}
	c, err := New(rules, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name         string
		chars        []string
		label        Label
		field, value string
	}{
		{"the named key", []string{"tissue: kidney marrow", "genotype/variation: human CREB overexpressing"}, Sepsis,
			"characteristics", "genotype/variation: human CREB overexpressing"},
		{"the named key in other case and spacing", []string{"Genotype/Variation : CREB"}, Sepsis, "characteristics", "Genotype/Variation: CREB"},
		{"another key", []string{"tissue: CREB-expressing marrow"}, Unknown, "", ""},
		{"an ignored key the rule names", []string{"age: CREB"}, Sepsis, "characteristics", "age: CREB"},
		{"an ignored key it does not name", []string{"sex: CREB"}, Unknown, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := c.Classify(sample("CREB fish", "", "", tt.chars...))
			if d.Label != tt.label || d.Field != tt.field || d.Value != tt.value {
				t.Errorf("got %s in %q (%q), want %s in %q (%q): %+v", d.Label, d.Field, d.Value, tt.label, tt.field, tt.value, d)
			}
		})
	}
}

func TestMixedValuesOption(t *testing.T) {
	s := sample("", "", "", "Whole blood from normal children and children with septic shock.")
	if d := Default().Classify(s); d.Label != Unknown {
		t.Fatalf("mixed value read by default: %+v", d)
	}
	c, err := New(DefaultRules(), nil, nil, WithMixedValues(true))
	if err != nil {
		t.Fatal(err)
	}
	if d := c.Classify(s); d.Label != SepticShock {
		t.Errorf("with mixed values kept: %+v", d)
	}
}

func TestIgnoredKeysOption(t *testing.T) {
	// An ignored key is read only when no other field labels the sample.
	s := sample("Patient 3, sepsis", "", "", "survival: septic shock survivor")
	if d := Default().Classify(s); d.Label != Sepsis || d.Field != "title" {
		t.Fatalf("survival key read before the title by default: %+v", d)
	}
	c, err := New(DefaultRules(), nil, nil, WithIgnoredKeys(""))
	if err != nil {
		t.Fatal(err)
	}
	if d := c.Classify(s); d.Label != SepticShock {
		t.Errorf("with no ignored keys: %+v", d)
	}
}

func TestConfigErrors(t *testing.T) {
	ok := Rule{Name: "ok", Label: Sepsis, Pattern: "sepsis"}
	tests := []struct {
		name   string
		rules  []Rule
		fields []string
		over   map[string]Label
		opts   []Option
		msg    string
	}{
		{"bad regex", []Rule{{Name: "r", Label: Sepsis, Pattern: "(sepsis"}}, nil, nil, nil, "illness rule r: bad pattern"},
		{"empty pattern", []Rule{{Name: "r", Label: Sepsis}}, nil, nil, nil, "empty pattern"},
		{"bad exclude", []Rule{{Name: "r", Label: Sepsis, Pattern: "x", Exclude: "[z"}}, nil, nil, nil, "bad exclude pattern"},
		{"bad keys", []Rule{{Name: "r", Label: Sepsis, Pattern: "x", Keys: "(k"}}, nil, nil, nil, "bad keys pattern"},
		{"unknown label", []Rule{{Name: "r", Label: "SICK", Pattern: "x"}}, nil, nil, nil, `unknown label "SICK"`},
		{"duplicate names", []Rule{ok, ok}, nil, nil, nil, `two rules are named "ok"`},
		{"refines an unknown label", []Rule{{Name: "r", Label: SepticShock, Pattern: "x", Refines: "SICK"}}, nil, nil, nil, `illness rule r: bad label to refine`},
		{"refines its own label", []Rule{{Name: "r", Label: Sepsis, Pattern: "x", Refines: "sepsis"}}, nil, nil, nil, "refines its own label SEPSIS"},
		{"refines UNKNOWN", []Rule{{Name: "r", Label: Sepsis, Pattern: "x", Refines: Unknown}}, nil, nil, nil, "refines UNKNOWN"},
		{"refines_match without refines", []Rule{{Name: "r", Label: Sepsis, Pattern: "x", RefinesMatch: "sirs"}}, nil, nil, nil, "has refines_match but refines no label"},
		{"bad refines_match", []Rule{{Name: "r", Label: Sepsis, Pattern: "x", Refines: NoSepsis, RefinesMatch: "("}}, nil, nil, nil, `bad refines_match pattern "("`},
		{"empty rule field", []Rule{{Name: "r", Label: Sepsis, Pattern: "x", Fields: []string{" "}}}, nil, nil, nil, "empty field name"},
		{"empty classifier field", []Rule{ok}, []string{"title", ""}, nil, nil, "field 2 is empty"},
		{"bad override label", []Rule{ok}, nil, map[string]Label{"GSM1": "ILL"}, nil, "override for sample GSM1"},
		{"bad ignored keys", []Rule{ok}, nil, nil, []Option{WithIgnoredKeys("(")}, "bad ignored-keys pattern"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.rules, tt.fields, tt.over, tt.opts...)
			if err == nil {
				t.Fatalf("no error; classifier %v", c)
			}
			var qe *qc.Error
			if !errors.As(err, &qe) || !errors.Is(err, qc.IllnessInferenceFailed) || qe.Code != 3001 {
				t.Fatalf("want *qc.Error code 3001, got %T %v", err, err)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not say %q", err, tt.msg)
			}
		})
	}
}

func TestRulesAreTriedByPriority(t *testing.T) {
	c, err := New([]Rule{
		{Name: "late", Label: Control, Priority: 9, Pattern: "x"},
		{Name: "early", Label: Sepsis, Priority: 1, Pattern: "x"},
		{Name: "tie", Label: NoSepsis, Priority: 9, Pattern: "x"},
	}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range c.Rules() {
		names = append(names, r.Name)
	}
	if got := strings.Join(names, ","); got != "early,late,tie" {
		t.Errorf("order %s", got)
	}
	if d := c.Classify(sample("x", "", "")); d.Rule != "early" {
		t.Errorf("decided by %s", d.Rule)
	}
}

// TestPriorityWithinOneValue pins what Rule.Priority decides and what it
// does not: two labels matched at separate places of one value make the
// value mixed, skipped under either order (GSE71270's titles); an Exclude
// or a rule spanning both places lets one label win, and with mixed values
// kept the priority decides.
func TestPriorityWithinOneValue(t *testing.T) {
	kidney := func(p int) Rule { return Rule{Name: "kidney", Label: Sepsis, Priority: p, Pattern: `kidney`} }
	control := func(p int) Rule { return Rule{Name: "control", Label: Control, Priority: p, Pattern: `control`} }
	controlTitle := "Kidney marrow_Control-zebrafish_4"
	tests := []struct {
		name  string
		rules []Rule
		opts  []Option
		title string
		label Label
		rule  string
	}{
		{"two labels in one value, kidney first: skipped", []Rule{kidney(1), control(2)}, nil, controlTitle, Unknown, ""},
		{"two labels in one value, control first: skipped", []Rule{kidney(2), control(1)}, nil, controlTitle, Unknown, ""},
		{"one label in the value: priority not needed", []Rule{kidney(2), control(1)}, nil, "Kidney marrow_CREB-zebrafish_2", Sepsis, "kidney"},
		{"an exclude takes the other rule out of the value", []Rule{
			{Name: "kidney", Label: Sepsis, Priority: 1, Pattern: `kidney`, Exclude: `control`}, control(2)}, nil, controlTitle, Control, "control"},
		{"a rule spanning both places claims them", []Rule{kidney(1), control(2),
			{Name: "marrow_control", Label: Control, Priority: 0, Pattern: `kidney marrow.control`}}, nil, controlTitle, Control, "marrow_control"},
		{"mixed values kept: kidney first wins", []Rule{kidney(1), control(2)}, []Option{WithMixedValues(true)}, controlTitle, Sepsis, "kidney"},
		{"mixed values kept: control first wins", []Rule{kidney(2), control(1)}, []Option{WithMixedValues(true)}, controlTitle, Control, "control"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.rules, []string{"title"}, nil, tt.opts...)
			if err != nil {
				t.Fatal(err)
			}
			d := c.Classify(sample(tt.title, "", ""))
			if d.Label != tt.label || d.Rule != tt.rule {
				t.Errorf("got %s by rule %q, want %s by rule %q (%+v)", d.Label, d.Rule, tt.label, tt.rule, d)
			}
		})
	}
}

func TestClassifyNeverPanics(t *testing.T) {
	c := Default()
	odd := []*metadata.Sample{
		nil,
		{},
		{Accession: "GSM1", Title: "\xff\xfe_\x00sepsis", Disease: strings.Repeat("_", 10000)},
		{Annotations: []metadata.Annotation{{Characteristic: true}, {Key: "", Value: "   "}, {Key: "\x00", Value: "yes", Characteristic: true}}},
		{Annotations: []metadata.Annotation{{Key: strings.Repeat("k", 1<<16), Value: "septic shock", Characteristic: true}}},
		{Title: "Sépsis_ñ_感染症_septic_shock", Annotations: []metadata.Annotation{{Key: "diagnosis", Value: "\u200bseptic\u00a0shock", Characteristic: true}}},
	}
	for i, s := range odd {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("sample %d: panic %v", i, r)
				}
			}()
			d := c.Classify(s)
			if _, err := ParseLabel(string(d.Label)); err != nil {
				t.Errorf("sample %d: label %q", i, d.Label)
			}
		}()
	}
}

func TestDecisionString(t *testing.T) {
	for _, tt := range []struct {
		d    Decision
		want string
	}{
		{Decision{Label: Sepsis, Method: MethodRule, Rule: "sepsis", Field: "title", Matched: "Sepsis"}, `SEPSIS (rule sepsis matched "Sepsis" in title)`},
		{Decision{Label: SepticShock, Method: MethodRule, Rule: RuleCohortCode, Field: "title", Matched: "Shock", Evidence: "sepsis cohort: sample GSM1 is SEPSIS"},
			`SEPTIC_SHOCK (rule cohort_code matched "Shock" in title; sepsis cohort: sample GSM1 is SEPSIS)`},
		{Decision{Label: Control, Method: MethodOverride}, "CONTROL (override)"},
		{Decision{Label: Unknown, Method: MethodDefault}, "UNKNOWN (no rule matched)"},
	} {
		if got := tt.d.String(); got != tt.want {
			t.Errorf("got %q want %q", got, tt.want)
		}
	}
}

// TestRefinementEvidence checks that a label refined by another field of
// the same sample names the decision it refines (crafted samples).
func TestRefinementEvidence(t *testing.T) {
	c := Default()
	for _, tt := range []struct {
		s        *metadata.Sample
		label    Label
		evidence string
	}{
		{sample("", "sepsis", "", "clinical information: septic shock survivor"), SepticShock, `refines SEPSIS: rule sepsis matched "sepsis" in disease`},
		{sample("DM007", "", "Whole blood from non-infected patient with type 2 diabetes", "Illness: Control/type 2 diabetes"),
			NoSepsis, `refines CONTROL: rule healthy_control matched "Control" in characteristic:Illness`},
		{sample("H001", "", "Whole blood from healthy donor", "Illness: Control/healthy"), Control, ""},
		{sample("R007", "", "Whole blood from patient who had recovered from melioidosis", "Illness: Control/Recovery"), Control, ""},
	} {
		d := c.Classify(tt.s)
		if d.Label != tt.label || d.Evidence != tt.evidence {
			t.Errorf("%s: got %s (evidence %q), want %s (evidence %q)", tt.s.Title, d.Label, d.Evidence, tt.label, tt.evidence)
		}
	}
}

// TestDecisionWhere: a decision names the field it read, narrowed to the
// characteristic's key when it read a keyed characteristic, so that the
// warehouse can say which characteristic labelled a sample.
func TestDecisionWhere(t *testing.T) {
	c := Default()
	for _, tc := range []struct {
		s     *metadata.Sample
		where string
		str   string
	}{
		{sample("", "", "", "health status: SEPSIS"), "characteristic:health status", `SEPSIS (rule sepsis matched "SEPSIS" in characteristic:health status)`},
		{sample("", "", "", "septic shock"), "characteristics", `SEPTIC_SHOCK (rule septic_shock matched "septic shock" in characteristics)`},
		{sample("", "sepsis", ""), "disease", `SEPSIS (rule sepsis matched "sepsis" in disease)`},
		{sample("Seps_P_1", "", ""), "title", ""},
	} {
		d := c.Classify(tc.s)
		if got := d.Where(); got != tc.where {
			t.Errorf("%+v: Where() = %q, want %q", d, got, tc.where)
		}
		if tc.str != "" && d.String() != tc.str {
			t.Errorf("String() = %q, want %q", d.String(), tc.str)
		}
	}
	narrowed := Decision{Field: "characteristic:disease state", Key: "disease state"}
	if got := narrowed.Where(); got != "characteristic:disease state" {
		t.Errorf("a decision on one configured characteristic: Where() = %q", got)
	}
	if got := (Decision{Field: "title", Key: "stray"}).Where(); got != "title" {
		t.Errorf("a key beside a field that is no characteristic: Where() = %q, want title", got)
	}
}

// TestRefiningRules: a rule with Refines relabels a sample whatever label
// it refines and however that label was reached: a rule of any label, a
// group code, or a cohort rule; and it labels nothing alone.
func TestRefiningRules(t *testing.T) {
	custom, err := New(append(DefaultRules(),
		Rule{Name: "burn_sirs", Label: Unknown, Refines: NoSepsis, Pattern: `\bburns?\b`, Keys: `^injury$`},
		Rule{Name: "resolved_shock", Label: Sepsis, Refines: SepticShock, Pattern: `\bresolved\b`, Keys: `^course$`},
	), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		c      *Classifier
		s      *metadata.Sample
		label  Label
		rule   string
		refers string // the rule the evidence says it refines
	}{
		{"refines NO_SEPSIS", custom, sample("", "SIRS", "", "injury: burn"), Unknown, "burn_sirs", "non_septic_illness"},
		{"refines SEPTIC_SHOCK", custom, sample("", "septic shock", "", "course: resolved"), Sepsis, "resolved_shock", "septic_shock"},
		{"labels nothing alone", custom, sample("", "", "", "course: resolved"), Unknown, "", ""},
		{"refines a group code's SEPSIS", Default(), sample("Seps_P3", "", "", "shock: 1"), SepticShock, "shock_flag", RuleGroupCode},
		{"refines a SEPTIC_SHOCK that refined SEPSIS", custom, sample("", "sepsis", "", "clinical information: septic shock", "course: resolved"), Sepsis, "resolved_shock", "septic_shock"},
		// Shock written as septic under a key that names shock: the word
		// septic labels SEPSIS, the key makes it septic shock.
		{"shock: septic", Default(), sample("", "", "", "shock: septic"), SepticShock, "shock_stated", "sepsis"},
		{"type of shock: septic", Default(), sample("", "", "", "type of shock: septic"), SepticShock, "shock_stated", "sepsis"},
		{"shock etiology: septic", Default(), sample("", "", "", "shock etiology: septic"), SepticShock, "shock_stated", "sepsis"},
		// SIRS with infection written under keys of their own: sepsis by
		// its first definitions; not a trauma or post-surgical patient's
		// infection, nor one denied, doubted or unknown.
		{"SIRS and infection flags", Default(), sample("", "", "", "sirs: yes", "infection: yes"), Sepsis, "sirs_with_infection", "non_septic_illness"},
		{"infection confirmed beside SIRS", Default(), sample("", "", "", "infection: confirmed", "sirs: present"), Sepsis, "sirs_with_infection", "non_septic_illness"},
		{"SIRS with its infection's source", Default(), sample("", "", "", "disease state: SIRS", "source of infection: lung"), Sepsis, "sirs_with_infection", "non_septic_illness"},
		{"SIRS without infection", Default(), sample("", "", "", "sirs: yes", "infection: no"), NoSepsis, "non_septic_illness", ""},
		{"SIRS with infection suspected", Default(), sample("", "", "", "disease state: SIRS", "infection: suspected"), NoSepsis, "non_septic_illness", ""},
		{"SIRS with infection unknown", Default(), sample("", "", "", "disease state: SIRS", "infection status: unknown"), NoSepsis, "non_septic_illness", ""},
		{"trauma with infection", Default(), sample("", "", "", "disease state: trauma", "infection: yes"), NoSepsis, "non_septic_illness", ""},
		{"post-surgical with infection", Default(), sample("", "", "", "health status: POST_SURGICAL", "infection: yes"), NoSepsis, "non_septic_illness", ""},
		{"SIRS with infection, sepsis denied", Default(), sample("", "", "", "disease state: SIRS", "sepsis: no", "infection: yes"), NoSepsis, "non_septic_illness", ""},
		{"infection-negative SIRS is not refined", Default(), sample("", "", "", "disease state: inSIRS", "infection: yes"), NoSepsis, "non_septic_illness", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := tc.c.Classify(tc.s)
			if d.Label != tc.label || d.Rule != tc.rule || (tc.refers != "" && !strings.Contains(d.Evidence, "rule "+tc.refers+" ")) {
				t.Errorf("got %s (evidence %q), want %s by %q refining %q", d, d.Evidence, tc.label, tc.rule, tc.refers)
			}
		})
	}
	// A patient the study's text labels SEPSIS, flagged in shock.
	study := &metadata.Study{Title: "Whole blood expression in sepsis", Description: "Patients admitted with sepsis."}
	d := Default().ClassifyCohort(study, []*metadata.Sample{sample("Patient 4, Day1", "", "", "shock: 1")})[0]
	if d.Label != SepticShock || d.Rule != "shock_flag" || !strings.Contains(d.Evidence, "rule "+RuleStudyContext+" ") {
		t.Errorf("study-context patient in shock: %s (evidence %q), want SEPTIC_SHOCK by shock_flag refining %s", d, d.Evidence, RuleStudyContext)
	}
}

// TestDefaultFieldOrderDecides pins DefaultFields' order where two fields
// disagree: refine.bio's disease, then its disease stage, then the
// submitter's characteristics; the first field a rule labels decides.
func TestDefaultFieldOrderDecides(t *testing.T) {
	withStage := func(disease, stage string, chars ...string) *metadata.Sample {
		s := sample("", disease, "", chars...)
		s.DiseaseStage = stage
		return s
	}
	tests := []struct {
		name  string
		s     *metadata.Sample
		label Label
		field string
	}{
		{"disease stage before characteristics", withStage("", "septic shock", "disease state: healthy control"), SepticShock, "disease_stage"},
		{"disease stage before characteristics, other labels", withStage("", "healthy control", "disease state: septic shock"), Control, "disease_stage"},
		{"disease before disease stage", withStage("sepsis", "healthy control"), Sepsis, "disease"},
		{"a later field's septic shock refines an earlier sepsis", withStage("sepsis", "septic shock"), SepticShock, "disease_stage"},
		{"characteristics before the title", sample("healthy control 3", "", "", "disease state: septic shock"), SepticShock, "characteristics"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := Default().Classify(tt.s); d.Label != tt.label || d.Field != tt.field {
				t.Errorf("got %s from %s, want %s from %s (%+v)", d.Label, d.Field, tt.label, tt.field, d)
			}
		})
	}
}

// TestDefaultPrioritiesBetweenKeys pins default rule priorities where two
// characteristics of one sample are read by rules of different labels:
// "disease state: None" (no_disease, a control) is read before "infection:
// uninfected" (uninfected, ill without sepsis), and a caecal ligation and
// puncture (sepsis_model) before the post-operative state it leaves
// (non_septic_illness).
func TestDefaultPrioritiesBetweenKeys(t *testing.T) {
	tests := []struct {
		s     *metadata.Sample
		label Label
		rule  string
	}{
		{sample("", "", "", "disease state: None", "infection: uninfected"), Control, "no_disease"},
		{sample("", "", "", "infection: uninfected", "disease state: None"), Control, "no_disease"},
		{sample("", "", "", "treatment: cecal ligation and puncture, post-operative day 1"), Sepsis, "sepsis_model"},
	}
	for _, tt := range tests {
		if d := Default().Classify(tt.s); d.Label != tt.label || d.Rule != tt.rule {
			t.Errorf("%+v: got %s by %s, want %s by %s", tt.s.Annotations, d.Label, d.Rule, tt.label, tt.rule)
		}
	}
}
