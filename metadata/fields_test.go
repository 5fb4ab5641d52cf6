package metadata_test

import (
	"testing"
	"time"
)

// TestParseJSONPrefixedKeyWins: a sample holding a key with and without
// the "refinebio_" prefix reads the prefixed one, the key current
// downloads write; the unprefixed key is read only when alone (early 2018).
func TestParseJSONPrefixedKeyWins(t *testing.T) {
	tests := []struct {
		name, sample, want string
	}{
		{"both, prefixed first", `{"refinebio_accession_code": "A1", "refinebio_title": "A", "title": "B"}`, "A"},
		{"both, unprefixed first", `{"refinebio_accession_code": "A1", "title": "B", "refinebio_title": "A"}`, "A"},
		{"unprefixed alone", `{"refinebio_accession_code": "A1", "title": "B"}`, "B"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, err := parseJSON(t, `{"samples": {"A1": `+tc.sample+`}}`)
			if err != nil {
				t.Fatal(err)
			}
			if got := sample(t, d, "A1").Title; got != tc.want {
				t.Errorf("Title = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestParseJSONTimesAreUTC: a time given with an offset is the same
// instant in UTC (the clock and here the date shift); one without a zone
// is read as UTC.
func TestParseJSONTimesAreUTC(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2020-01-02T01:30:00+02:00", time.Date(2020, 1, 1, 23, 30, 0, 0, time.UTC)},
		{"2020-01-02T01:30:00.25-05:00", time.Date(2020, 1, 2, 6, 30, 0, 250e6, time.UTC)},
		{"2020-01-02 01:30:00+02:00", time.Date(2020, 1, 1, 23, 30, 0, 0, time.UTC)},
		{"2020-01-02 01:30:00+02", time.Date(2020, 1, 1, 23, 30, 0, 0, time.UTC)},
		{"2020-01-02T01:30:00Z", time.Date(2020, 1, 2, 1, 30, 0, 0, time.UTC)},
		{"2020-01-02 01:30:00", time.Date(2020, 1, 2, 1, 30, 0, 0, time.UTC)},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			d, err := parseJSON(t, `{"created_at": "`+tc.in+`", "experiments": {"E-1": {"accession_code": "E-1",
				"source_first_published": "`+tc.in+`"}}}`)
			if err != nil {
				t.Fatal(err)
			}
			for what, got := range map[string]time.Time{"created_at": d.CreatedAt.Val, "source_first_published": study(t, d, "E-1").FirstPublished.Val} {
				if !got.Equal(tc.want) || got.Location() != time.UTC || got.Hour() != tc.want.Hour() || got.Day() != tc.want.Day() {
					t.Errorf("%s = %v (zone %v), want %v", what, got, got.Location(), tc.want)
				}
			}
			if !d.CreatedAt.Valid {
				t.Error("created_at read as unknown")
			}
		})
	}
}
