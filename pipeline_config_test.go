package genexp_test

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/illness"
	"github.com/genexp/genexp/qc"
)

// records is a slog.Handler that keeps every record, for tests that read
// what the pipeline logged.
type records struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (h *records) Enabled(context.Context, slog.Level) bool { return true }

func (h *records) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.recs = append(h.recs, r.Clone())
	return nil
}

func (h *records) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *records) WithGroup(string) slog.Handler      { return h }

// find returns the records with message msg, each as its level and its
// attributes rendered as strings.
func (h *records) find(msg string) []logged {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []logged
	for _, r := range h.recs {
		if r.Message != msg {
			continue
		}
		l := logged{level: r.Level, attrs: map[string]string{}}
		r.Attrs(func(a slog.Attr) bool {
			l.attrs[a.Key] = a.Value.String()
			return true
		})
		out = append(out, l)
	}
	return out
}

type logged struct {
	level slog.Level
	attrs map[string]string
}

// illnessWarnings returns the run-level findings about the illness
// settings, by path.
func illnessWarnings(rep *genexp.Report) map[string]*qc.Error {
	out := map[string]*qc.Error{}
	for _, f := range rep.Findings {
		if f.Code == qc.IllnessInferenceFailed {
			out[f.Path] = f
		}
	}
	return out
}

// An override, a field or a rule's field that nothing of the run used is
// reported at the end of the run: a finding in the report at WARNING
// (never an ERROR: the studies load) and a WARN record naming its
// configuration key. Settings that were used are not.
func TestUnusedIllnessSettingsAreReported(t *testing.T) {
	dir := t.TempDir()
	cr := crafted{study: "GSE61", genes: 40, columns: samples("GSM", 3), sheet: samples("GSM", 4)}
	folder := cr.write(t, dir)
	titleRule := illness.Rule{Name: "titled", Label: illness.Control, Pattern: `title of`}
	many := map[string]illness.Label{"gsm4": illness.Sepsis}
	for i := range 23 {
		many[fmt.Sprintf("GSM99%02d", i)] = illness.Sepsis
	}
	tests := []struct {
		name       string
		fields     []string
		rules      []illness.Rule
		overrides  map[string]illness.Label
		classifier illness.IllnessClassifier
		want       []string // paths of the findings
		wantMsg    string   // a finding says this
		control    int      // samples labeled CONTROL
	}{
		{name: "every setting used", fields: []string{"title"}, rules: []illness.Rule{titleRule},
			overrides: map[string]illness.Label{"GSM1": illness.Sepsis, "GSM4": illness.Sepsis}, control: 2},
		{name: "an override naming no sample", rules: []illness.Rule{titleRule},
			overrides: map[string]illness.Label{"GSM1": illness.Sepsis, "GSM9999999": illness.Sepsis},
			want:      []string{"illness_inference.overrides.GSM9999999"}, wantMsg: "GSM9999999 is no sample of this run", control: 2},
		{name: "an override in the wrong case", rules: []illness.Rule{titleRule},
			overrides: map[string]illness.Label{"gsm4": illness.Sepsis},
			want:      []string{"illness_inference.overrides.gsm4"}, wantMsg: "gsm4 is no sample of this run, so its override was not used (did you mean GSM4? accessions are matched as written)", control: 3},
		{name: "the built-in fields listed by hand, as genexp config writes them", fields: illness.DefaultFields(),
			rules: []illness.Rule{titleRule}, control: 3},
		{name: "a misspelt global field", fields: []string{"titel"}, rules: []illness.Rule{titleRule},
			want: []string{"illness_inference.fields"}, wantMsg: `field "titel" held no value in any sample of this run`},
		{name: "a misspelt field of one rule", rules: []illness.Rule{{Name: "titled", Label: illness.Control, Pattern: `title of`, Fields: []string{"titel"}}},
			want: []string{"illness_inference.rules[0].fields"}, wantMsg: `illness_inference.rules[0].fields (rule titled): field "titel"`},
		{name: "a rule's field the classifier does not read", fields: []string{"title"},
			rules: []illness.Rule{{Name: "titled", Label: illness.Control, Pattern: `title of`, Fields: []string{"title", "source_name"}}},
			want:  []string{"illness_inference.rules[0].fields"}, wantMsg: `field "source_name" is not one the classifier reads`, control: 3},
		{name: "a rule's characteristic field is read within characteristics",
			rules: []illness.Rule{{Name: "keyed", Label: illness.Control, Pattern: `title of`, Fields: []string{"title", "characteristic:disease state"}}},
			want:  []string{"illness_inference.rules[0].fields"}, wantMsg: `field "characteristic:disease state" held no value`, control: 3},
		{name: "a characteristic key is a field name", fields: []string{"title", "characteristic:disease state"},
			rules: []illness.Rule{titleRule}, want: []string{"illness_inference.fields"}, wantMsg: `"characteristic:disease state" held no value`, control: 3},
		{name: "many overrides naming no sample: one finding, and one for the wrong case", rules: []illness.Rule{titleRule}, overrides: many,
			want:    []string{"illness_inference.overrides", "illness_inference.overrides.gsm4"},
			wantMsg: "23 overrides name no sample of this run, so they were not used (misspelt accessions, or samples of other downloads): GSM9900, GSM9901, ", control: 3},
		{name: "another classifier: its fields are its own, the overrides are checked", fields: []string{"titel"},
			classifier: illness.Default(), overrides: map[string]illness.Label{"GSM8": illness.Sepsis},
			want: []string{"illness_inference.overrides.GSM8"}, wantMsg: "GSM8 is no sample"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := genexp.DefaultConfig()
			cfg.Quality.MinGenesPerSample = 1
			cfg.Illness.Fields, cfg.Illness.Rules, cfg.Illness.Overrides = tt.fields, tt.rules, tt.overrides
			logs := &records{}
			opts := []genexp.Option{genexp.WithConfig(cfg), genexp.WithLogger(slog.New(logs))}
			if tt.classifier != nil {
				opts = append(opts, genexp.WithClassifier(tt.classifier))
			}
			w := openWarehouse(t)
			p, err := genexp.New(w, opts...)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := p.Load(context.Background(), folder)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Failed() || len(rep.Studies) != 1 || rep.Studies[0].Outcome == "" {
				t.Fatalf("the study did not load: %+v", rep)
			}
			if got := rep.Studies[0].Illness[illness.Control]; got != tt.control {
				t.Errorf("%d samples CONTROL, want %d (%v)", got, tt.control, rep.Studies[0].Illness)
			}
			found := illnessWarnings(rep)
			if got := slices.Sorted(maps.Keys(found)); !slices.Equal(got, tt.want) {
				t.Fatalf("findings at %v, want %v", got, tt.want)
			}
			saw := tt.wantMsg == ""
			for _, f := range found {
				if f.Severity != qc.SeverityWarning {
					t.Errorf("%s is a %s, want a WARNING", f.Path, f.Severity)
				}
				saw = saw || strings.Contains(f.Msg, tt.wantMsg)
			}
			if !saw {
				t.Errorf("no finding says %q: %v", tt.wantMsg, rep.Findings)
			}
			var paths []string
			for _, r := range logs.find("finding") {
				if r.attrs["code"] != "3001" {
					continue
				}
				if r.level != slog.LevelWarn || r.attrs["severity"] != "WARNING" || r.attrs["detail"] == "" {
					t.Errorf("record %+v: want WARN with its severity and text", r)
				}
				paths = append(paths, r.attrs["path"])
			}
			slices.Sort(paths)
			if !slices.Equal(paths, tt.want) {
				t.Errorf("WARN records at %v, want %v", paths, tt.want)
			}
			// Every finding is a row of meta_data_validation_log, these too.
			var logged int
			if err := w.DB().QueryRow(`SELECT COUNT(*) FROM meta_data_validation_log
				WHERE validation_code = 3001 AND severity = 'WARNING' AND details LIKE '%(at illness_inference.%'`).Scan(&logged); err != nil {
				t.Fatal(err)
			}
			if logged != len(found) {
				t.Errorf("%d of %d configuration findings in meta_data_validation_log", logged, len(found))
			}
		})
	}
}

// A run that read nothing says nothing of the configuration: every
// override and field would look unused.
func TestUnusedIllnessSettingsNeedARun(t *testing.T) {
	cfg := genexp.DefaultConfig()
	cfg.Illness.Fields = []string{"titel"}
	cfg.Illness.Overrides = map[string]illness.Label{"GSM9999999": illness.Sepsis}
	p, err := genexp.New(openWarehouse(t), genexp.WithConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := p.Load(context.Background(), t.TempDir()+"/missing")
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Errors) != 1 {
		t.Fatalf("errors %v, want the missing path's", rep.Errors)
	}
	if found := illnessWarnings(rep); len(found) > 0 {
		t.Errorf("findings about a configuration no sample was read against: %v", found)
	}
}
