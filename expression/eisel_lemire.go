package expression

import (
	"math"
	"math/big"
	"math/bits"
	"sync"
	"sync/atomic"
)

// Powers of ten for eiselLemire: pow10Table()[q-pow10Min] holds the 128
// most significant bits of 10^q (hi, lo), truncated, for q in
// [pow10Min, pow10Max]. Outside that range a float64 is 0 or infinite for
// any 19-digit mantissa.
const (
	pow10Min = -348
	pow10Max = 347
)

type pow10Entries [pow10Max - pow10Min + 1][2]uint64

var (
	pow10Ready atomic.Pointer[pow10Entries]
	pow10Once  sync.Once
)

// pow10Table returns the table, computing it on first use with math/big:
// exact arithmetic, so the table cannot hold a typo, at the cost of half a
// millisecond the first time a cell needs it rather than at every program
// start. After that it is one load, cheap enough for the per-cell path.
func pow10Table() *pow10Entries {
	if t := pow10Ready.Load(); t != nil {
		return t
	}
	return pow10Slow()
}

func pow10Slow() *pow10Entries {
	pow10Once.Do(func() { pow10Ready.Store(computePow10()) })
	return pow10Ready.Load()
}

func computePow10() *pow10Entries {
	t := new(pow10Entries)
	ten := big.NewInt(10)
	for q := pow10Min; q <= pow10Max; q++ {
		p := new(big.Int).Exp(ten, big.NewInt(int64(abs(q))), nil)
		var m *big.Int
		if q >= 0 {
			// The top 128 bits of 10^q.
			if n := p.BitLen(); n > 128 {
				m = p.Rsh(p, uint(n-128))
			} else {
				m = p.Lsh(p, uint(128-n))
			}
		} else {
			// The top 128 bits of 1/10^-q: floor(2^(n+127) / 10^-q) lies in
			// [2^127, 2^128) because 10^-q is not a power of two.
			num := new(big.Int).Lsh(big.NewInt(1), uint(p.BitLen()+127))
			m = num.Quo(num, p)
		}
		lo := new(big.Int).And(m, new(big.Int).SetUint64(math.MaxUint64))
		t[q-pow10Min] = [2]uint64{new(big.Int).Rsh(m, 64).Uint64(), lo.Uint64()}
	}
	return t
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// eiselLemire converts mant × 10^exp10 to the nearest float64, following
// the Eisel–Lemire algorithm (D. Lemire, "Number parsing at a gigabyte per
// second", 2021): multiply the normalized mantissa by a 128-bit
// approximation of the power of ten and keep the top 54 bits. It reports
// false whenever the approximation cannot decide the rounding, or the
// result would be subnormal or infinite; the caller then asks
// strconv.ParseFloat, so a true answer is always the correctly rounded
// value. mant must be nonzero.
func eiselLemire(mant uint64, exp10 int, neg bool) (float64, bool) {
	if exp10 < pow10Min || exp10 > pow10Max {
		return 0, false
	}
	pow := &pow10Table()[exp10-pow10Min]
	lz := bits.LeadingZeros64(mant)
	mant <<= uint(lz)
	hi, lo := bits.Mul64(mant, pow[0])
	// The low 9 bits of hi are all ones and adding the rest of the
	// product could carry into them: take the next 64 bits of the power
	// into account.
	if hi&0x1ff == 0x1ff && lo+mant < lo {
		hi2, lo2 := bits.Mul64(mant, pow[1])
		sum, carry := bits.Add64(lo, hi2, 0)
		hi += carry
		lo = sum
		if hi&0x1ff == 0x1ff && lo == math.MaxUint64 && lo2+mant < lo2 {
			return 0, false
		}
	}
	top := hi >> 63
	m := hi >> (top + 9) // 54 bits
	// Exactly halfway between two floats: the truncated power cannot say
	// which way to round.
	if lo == 0 && hi&0x1ff == 0 && m&3 == 1 {
		return 0, false
	}
	// floor(exp10 × log2(10)) via 217706/2^16, then the binary exponent
	// of the product, biased.
	e := int64((217706*exp10)>>16) + 64 + 1023 - int64(lz) - int64(1^top)
	m += m & 1
	m >>= 1
	if m >= 1<<53 {
		m >>= 1
		e++
	}
	if e < 1 || e > 0x7fe {
		return 0, false
	}
	b := uint64(e)<<52 | m&(1<<52-1)
	if neg {
		b |= 1 << 63
	}
	return math.Float64frombits(b), true
}
