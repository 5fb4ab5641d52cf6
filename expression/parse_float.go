package expression

import (
	"errors"
	"math"
	"strconv"
	"unsafe"
)

// cellKind classifies a matrix cell.
type cellKind uint8

const (
	cellNumber   cellKind = iota // a finite decimal number
	cellMissing                  // empty, NA, NaN and their spellings
	cellInfinite                 // inf, Infinity, or a number too large for float64
	cellInvalid                  // anything else
)

// pow10 holds the powers of ten that float64 represents exactly.
var pow10 = [...]float64{
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
}

// parseCell parses one matrix cell. Numbers must be plain decimal
// ([+-]digits[.digits][(e|E)[+-]digits]); hexadecimal floats, underscores and
// the words strconv accepts ("inf", "nan") are not numbers here.
//
// Most cells take Clinger's fast path: when the decimal mantissa fits in 53
// bits and the power of ten is exactly representable, one IEEE multiply or
// divide gives the correctly rounded result, which is what strconv.ParseFloat
// returns. Every other well-formed number goes to strconv.ParseFloat itself,
// so the result always equals strconv's bit for bit.
func parseCell(b []byte) (float64, cellKind) {
	if len(b) == 0 {
		return math.NaN(), cellMissing
	}
	i := 0
	neg := false
	if b[0] == '-' || b[0] == '+' {
		neg = b[0] == '-'
		i++
	}
	var mant uint64
	digits := 0 // significant digits accumulated in mant
	exp10 := 0  // decimal exponent adjustment from the digits
	sawDigit := false
	sawDot := false
	truncated := false
	for ; i < len(b); i++ {
		c := b[i]
		if c >= '0' && c <= '9' {
			sawDigit = true
			if c == '0' && digits == 0 {
				if sawDot {
					exp10--
				}
				continue
			}
			if digits < 19 {
				mant = mant*10 + uint64(c-'0')
				digits++
				if sawDot {
					exp10--
				}
			} else {
				truncated = true
				if !sawDot {
					exp10++
				}
			}
			continue
		}
		if c == '.' && !sawDot {
			sawDot = true
			continue
		}
		break
	}
	if !sawDigit {
		return classifyWord(b)
	}
	if i < len(b) {
		if b[i] != 'e' && b[i] != 'E' {
			return 0, cellInvalid
		}
		i++
		eneg := false
		if i < len(b) && (b[i] == '-' || b[i] == '+') {
			eneg = b[i] == '-'
			i++
		}
		if i == len(b) {
			return 0, cellInvalid
		}
		e := 0
		for ; i < len(b); i++ {
			c := b[i]
			if c < '0' || c > '9' {
				return 0, cellInvalid
			}
			if e < 100000 {
				e = e*10 + int(c-'0')
			}
		}
		if eneg {
			e = -e
		}
		exp10 += e
	}
	if mant == 0 && !truncated {
		if neg {
			return math.Copysign(0, -1), cellNumber
		}
		return 0, cellNumber
	}
	if !truncated && mant <= 1<<53 && exp10 >= -22 && exp10 <= 22 {
		f := float64(mant)
		if exp10 < 0 {
			f /= pow10[-exp10]
		} else {
			f *= pow10[exp10]
		}
		if neg {
			f = -f
		}
		return f, cellNumber
	}
	// The cell is well-formed decimal; strconv decides the rounding. The
	// string header aliases b only for the duration of the call: on error
	// strconv keeps the string in a *NumError, which is discarded here.
	f, err := strconv.ParseFloat(unsafe.String(&b[0], len(b)), 64)
	if math.IsInf(f, 0) {
		return 0, cellInfinite
	}
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, cellInvalid
	}
	// An underflow reports ErrRange with a finite result (0 or a
	// subnormal); that result is the value.
	return f, cellNumber
}

// classifyWord classifies a cell with no digits.
func classifyWord(b []byte) (float64, cellKind) {
	switch string(b) {
	case "NA", "N/A", "na", "n/a", "NaN", "nan", "NAN", "-nan", "null", "NULL", "None":
		return math.NaN(), cellMissing
	case "inf", "Inf", "INF", "+inf", "+Inf", "-inf", "-Inf", "-INF",
		"infinity", "Infinity", "+Infinity", "-infinity", "-Infinity", "INFINITY", "-INFINITY":
		return 0, cellInfinite
	}
	return 0, cellInvalid
}
