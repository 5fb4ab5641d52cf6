package expression

import (
	"bytes"
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
	cellTooLarge                 // a finite number beyond ±MaxMagnitude
	cellInvalid                  // anything else
)

// pow10 holds the powers of ten that float64 represents exactly.
var pow10 = [...]float64{
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
}

// parseCell parses one whole cell (no tab inside).
func parseCell(b []byte) (float64, cellKind) {
	v, n, kind := scanCell(b)
	if n != len(b) {
		return 0, cellInvalid
	}
	return v, kind
}

// scanCell parses the cell at the start of b, which runs to the first tab
// or to the end of b, and returns its value, its length and its kind.
// Numbers must be plain decimal ([+-]digits[.digits][(e|E)[+-]digits], with
// digits on at least one side of the dot); hexadecimal floats, underscores,
// spaces and the words strconv accepts ("inf", "nan") are not numbers here.
//
// The value always equals strconv.ParseFloat's, bit for bit. Cells whose
// mantissa fits in 53 bits with a power of ten up to 1e22 take Clinger's
// fast path (one correctly rounded IEEE multiply or divide); other mantissas
// of up to 19 digits take the Eisel–Lemire algorithm; what neither can
// decide goes to strconv.ParseFloat itself.
//
// Scanning and converting in one pass, rather than splitting the line
// first, is what makes the reader fast: each byte of a cell is looked at
// once.
func scanCell(b []byte) (float64, int, cellKind) {
	i := 0
	neg := false
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		neg = b[0] == '-'
		i++
	}
	var mant uint64
	nd := 0          // significant digits in mant
	exp := 0         // value = mant × 10^exp (before the exponent part)
	inexact := false // a nonzero digit did not fit in mant
	digits := 0      // digits seen, leading zeros included
	for ; i < len(b); i++ {
		c := b[i] - '0'
		if c > 9 {
			break
		}
		digits++
		if nd < 19 {
			mant = mant*10 + uint64(c)
			if mant != 0 {
				nd++
			}
		} else {
			exp++
			inexact = inexact || c != 0
		}
	}
	if i < len(b) && b[i] == '.' {
		i++
		for ; i < len(b); i++ {
			c := b[i] - '0'
			if c > 9 {
				break
			}
			digits++
			if nd < 19 {
				mant = mant*10 + uint64(c)
				exp--
				if mant != 0 {
					nd++
				}
			} else {
				inexact = inexact || c != 0
			}
		}
	}
	if digits == 0 {
		return scanWord(b)
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		eneg := false
		if i < len(b) && (b[i] == '-' || b[i] == '+') {
			eneg = b[i] == '-'
			i++
		}
		start := i
		e := 0
		for ; i < len(b); i++ {
			c := b[i] - '0'
			if c > 9 {
				break
			}
			if e < 10000 { // as strconv caps an exponent, so that the values agree however long it is
				e = e*10 + int(c)
			}
		}
		if i == start {
			return 0, cellEnd(b, i), cellInvalid
		}
		if eneg {
			e = -e
		}
		exp += e
	}
	if i < len(b) && b[i] != '\t' {
		return 0, cellEnd(b, i), cellInvalid
	}
	if !inexact {
		if mant == 0 {
			if neg {
				return math.Copysign(0, -1), i, cellNumber
			}
			return 0, i, cellNumber
		}
		if mant <= 1<<53 && exp >= -22 && exp <= 22 {
			f := float64(mant)
			if exp < 0 {
				f /= pow10[-exp]
			} else {
				f *= pow10[exp]
			}
			if neg {
				f = -f
			}
			return f, i, cellNumber
		}
		if f, ok := eiselLemire(mant, exp, neg); ok {
			return f, i, cellNumber
		}
	}
	// Well-formed decimal that the fast paths cannot decide. The string
	// aliases b only during the call: strconv copies what it keeps in a
	// *NumError, which is dropped here anyway.
	f, err := strconv.ParseFloat(unsafe.String(&b[0], i), 64)
	if math.IsInf(f, 0) {
		return 0, i, cellInfinite
	}
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, i, cellInvalid
	}
	// An underflow reports ErrRange with a finite result (0 or a
	// subnormal); that result is the value.
	return f, i, cellNumber
}

// cellEnd returns the index of the tab that ends the cell holding b[i], or
// len(b).
func cellEnd(b []byte, i int) int {
	if j := bytes.IndexByte(b[i:], '\t'); j >= 0 {
		return i + j
	}
	return len(b)
}

// scanWord classifies a cell with no digits.
func scanWord(b []byte) (float64, int, cellKind) {
	n := cellEnd(b, 0)
	switch string(b[:n]) {
	case "", "NA", "N/A", "na", "n/a", "#N/A", "NaN", "nan", "NAN", "-nan", "-NaN", "null", "NULL", "None":
		return math.NaN(), n, cellMissing
	case "inf", "Inf", "INF", "+inf", "+Inf", "-inf", "-Inf", "-INF",
		"infinity", "Infinity", "+Infinity", "-infinity", "-Infinity", "INFINITY", "-INFINITY":
		return 0, n, cellInfinite
	}
	return 0, n, cellInvalid
}

// MaxMagnitude is the largest magnitude a matrix value may have; a cell
// beyond ±MaxMagnitude stops the stream with a qc.ParseError naming it, as
// an infinite one does. No expression measure comes near it (refine.bio's
// largest are counts in the millions), and the warehouse squares values
// for variances and standard deviations over millions of rows: a value
// whose square, summed that often, overflows a float64 (from about 1e154)
// would make those statistics fail for every query that reads the study.
// Messages write it as ±1e100; a test holds the two together.
const MaxMagnitude = 1e100
