package expression

import (
	"bytes"
	"math"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/genexp/genexp/expression/synth"
)

// plainDecimal is the number syntax parseCell accepts.
var plainDecimal = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$`)

var missingWords = map[string]bool{
	"": true, "NA": true, "N/A": true, "na": true, "n/a": true, "#N/A": true, "NaN": true, "nan": true,
	"NAN": true, "-nan": true, "-NaN": true, "null": true, "NULL": true, "None": true,
}

// checkCell compares parseCell with strconv.ParseFloat on one cell.
func checkCell(t *testing.T, s string) {
	t.Helper()
	v, kind := parseCell([]byte(s))
	switch {
	case strings.Contains(s, "\t"):
		if kind != cellInvalid {
			t.Fatalf("parseCell(%q) accepted a cell holding a tab", s)
		}
	case missingWords[s]:
		if kind != cellMissing || !math.IsNaN(v) {
			t.Fatalf("parseCell(%q) = %v, %d; want missing", s, v, kind)
		}
	case plainDecimal.MatchString(s):
		want, err := strconv.ParseFloat(s, 64)
		if math.IsInf(want, 0) {
			if kind != cellInfinite {
				t.Fatalf("parseCell(%q) = %v, %d; want infinite", s, v, kind)
			}
			return
		}
		if err != nil && !strings.Contains(err.Error(), "range") {
			t.Fatalf("strconv rejects %q: %v", s, err)
		}
		if kind != cellNumber || math.Float64bits(v) != math.Float64bits(want) {
			t.Fatalf("parseCell(%q) = %v (%#x), %d; strconv says %v (%#x)", s, v, math.Float64bits(v), kind, want, math.Float64bits(want))
		}
	default:
		if kind == cellNumber || kind == cellMissing {
			t.Fatalf("parseCell(%q) = %v, %d; want it rejected", s, v, kind)
		}
	}
}

// hardCells are decimals near the edges of every conversion path.
var hardCells = []string{
	"0", "-0", "+0", "0.0", "-0.0", "00000", "0e0", "0e-999999999", "0.000e+12",
	"1", "1.", ".5", "-.5", "+1.5", "1e0", "1E+1", "1e-1", "12345678901234567890",
	"0.1", "0.2", "0.3", "1.1", "3.14159265358979323846", "2.718281828459045",
	"0.6307356617559152", "0.27770359003596856", "19037.898", "8163.5845", "0.0", "1e-05",
	"9007199254740992", "9007199254740993", "9007199254740994", "9007199254740995",
	"9223372036854775807", "9223372036854775808", "18446744073709551615", "18446744073709551616",
	"1.00000000000000011102230246251565404236316680908203125",
	"1.00000000000000011102230246251565404236316680908203124",
	"1.00000000000000011102230246251565404236316680908203126",
	"1e22", "1e23", "8.41e21", "4.5e15", "1e-22", "1e-23", "123456789e-30",
	"2.2250738585072011e-308", "2.2250738585072012e-308", "2.2250738585072014e-308",
	"4.9406564584124654e-324", "4.9e-324", "2.4703282292062327e-324", "2.4703282292062328e-324", "1e-400",
	"1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308", "1e308", "1e309", "-1e400",
	"179769313486231580793728971405303415079934132710037826936173778980444968292764750946649017977587207096330286416692887910946555547851940402630657488671505820681908902000708383676273854845817711531764475730270069855571366959622842914819860834936475292719074168444365510704342711559699508093042880177904174497791.9999999999",
	"0.000000000000000000000000000000000000000000001", "1" + strings.Repeat("0", 400), "1" + strings.Repeat("0", 400) + "e-400",
	"0." + strings.Repeat("0", 330) + "1", strings.Repeat("9", 25), "1e2147483648", "1e-2147483649",
	"NA", "NaN", "nan", "", "#N/A", "Inf", "-Inf", "inf", "Infinity", "-infinity",
	"0x1p3", "0X10", "1_000", "1e", "1e+", "e5", ".", "-", "+", "-.", "1..2", "1.2.3", "1,5", " 1", "1 ",
	"1e5x", "1x", "++1", "--1", "1-", "\"1\"", "1\t2", "1\x00", "\xff", "١", "１",
}

func TestParseCellHard(t *testing.T) {
	for _, s := range hardCells {
		checkCell(t, s)
	}
	for s := range missingWords {
		checkCell(t, s) // each spelling a missing value has
	}
	// An exponent past strconv's cap on its digits, against a million
	// zeros: strconv reads 0, and so must the reader.
	checkCell(t, "0."+strings.Repeat("0", 1_000_010)+"1e1000005")
	checkCell(t, "1"+strings.Repeat("0", 1_000_010)+"e-1000005")
}

// TestParseCellRandom compares parseCell with strconv on values written the
// ways matrices write them (shortest, fixed and exponent forms, float32
// precision) and on random digit strings that exercise every path.
func TestParseCellRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 100_000
	if testing.Short() {
		n = 10_000
	}
	for range n {
		f := math.Float64frombits(rng.Uint64())
		if math.IsNaN(f) || math.IsInf(f, 0) {
			continue
		}
		checkCell(t, strconv.FormatFloat(f, 'g', -1, 64))
		checkCell(t, strconv.FormatFloat(f, 'e', rng.IntN(25), 64))
		g := rng.NormFloat64() * math.Pow(10, float64(rng.IntN(20)-10))
		checkCell(t, strconv.FormatFloat(g, 'f', -1, 64))
		checkCell(t, strconv.FormatFloat(g, 'f', rng.IntN(20), 64))
		checkCell(t, strconv.FormatFloat(float64(float32(g)), 'f', -1, 32))
		var b strings.Builder
		for range 1 + rng.IntN(24) {
			b.WriteByte(byte('0' + rng.IntN(10)))
		}
		if rng.IntN(2) == 0 {
			b.WriteString("e" + strconv.Itoa(rng.IntN(700)-350))
		}
		checkCell(t, b.String())
	}
}

func TestPow10Table(t *testing.T) {
	tab := pow10Table()
	for _, c := range []struct {
		q      int
		hi, lo uint64
	}{
		{0, 0x8000000000000000, 0},
		{1, 0xa000000000000000, 0},
		{2, 0xc800000000000000, 0},
		{-1, 0xcccccccccccccccc, 0xcccccccccccccccc},
		{-2, 0xa3d70a3d70a3d70a, 0x3d70a3d70a3d70a3},
	} {
		if got := tab[c.q-pow10Min]; got != [2]uint64{c.hi, c.lo} {
			t.Errorf("10^%d: %#x %#x, want %#x %#x", c.q, got[0], got[1], c.hi, c.lo)
		}
	}
	for i, e := range tab {
		if e[0]>>63 != 1 {
			t.Fatalf("10^%d is not normalized: %#x", i+pow10Min, e[0])
		}
	}
}

// FuzzParseCell: parseCell never panics, accepts exactly the plain decimals
// (and the missing spellings), and agrees with strconv.ParseFloat bit for
// bit on every decimal it accepts.
func FuzzParseCell(f *testing.F) {
	for _, s := range hardCells {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkCell(t, s)
	})
}

// TestEiselLemire checks the algorithm on its own: when it answers, the
// answer is strconv's, and it answers nearly always (a silent fallback to
// strconv would be correct but slow).
func TestEiselLemire(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n = 200_000
	answered, normal := 0, 0
	for range n {
		mant := rng.Uint64N(1e19-1) + 1
		exp := rng.IntN(600) - 300
		neg := rng.IntN(2) == 0
		s := strconv.FormatUint(mant, 10) + "e" + strconv.Itoa(exp)
		if neg {
			s = "-" + s
		}
		want, _ := strconv.ParseFloat(s, 64)
		got, ok := eiselLemire(mant, exp, neg)
		if a := math.Abs(want); !math.IsInf(want, 0) && a >= 0x1p-1022 {
			normal++
		}
		if !ok {
			continue
		}
		answered++
		if math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("eiselLemire(%s) = %v, strconv says %v", s, got, want)
		}
	}
	// Every normal result should be answered but for the rare halfway
	// ambiguities.
	if answered < normal*999/1000 {
		t.Errorf("eiselLemire answered only %d of %d normal results", answered, normal)
	}
}

// BenchmarkScanCell converts the cells of generated matrices, one at a time.
func BenchmarkScanCell(b *testing.B) {
	for _, tech := range []synth.Technology{synth.Microarray, synth.RNASeq} {
		b.Run(string(tech), func(b *testing.B) {
			src, err := synth.NewMatrix(synth.MatrixSpec{Genes: 200, Samples: 500, Seed: 1, Technology: tech})
			if err != nil {
				b.Fatal(err)
			}
			var buf bytes.Buffer
			src.WriteTo(&buf)
			var cells [][]byte
			for _, line := range bytes.Split(buf.Bytes(), []byte("\n"))[1:] {
				if f := bytes.Split(line, []byte("\t")); len(f) > 1 {
					cells = append(cells, f[1:]...)
				}
			}
			b.ResetTimer()
			var sum float64
			for b.Loop() {
				for _, c := range cells {
					v, _, _ := scanCell(c)
					sum += v
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(cells)), "ns/cell")
		})
	}
}
