// Package ident checks identifiers (gene ids, sample and study
// accessions) for what would make two that print alike two keys, or that
// a warehouse could not store, for every package that reads them.
package ident

import (
	"fmt"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/genexp/genexp/qc"
)

// Problem is expression.IDProblem, whose comment says what it refuses
// and why. The metadata package uses it too: metadata may not import
// expression, whose tests import metadata through the illness classifier.
func Problem(id []byte, limit int) (string, qc.Code) {
	plain := true
	for _, c := range id {
		if c < 0x20 || c >= 0x7f {
			plain = false
			break
		}
	}
	if plain && len(id) <= limit && (len(id) == 0 || id[0] != ' ' && id[len(id)-1] != ' ') {
		return "", 0 // the common case: short printable ASCII
	}
	if !utf8.Valid(id) {
		return "is not valid UTF-8", qc.EncodingError
	}
	units, chars := 0, 0
	for _, r := range string(id) {
		chars++
		if unicode.IsControl(r) {
			return fmt.Sprintf("holds the control character U+%04X at character %d", r, chars), qc.EncodingError
		}
		if r == '\uFEFF' {
			return fmt.Sprintf("holds a byte order mark (U+FEFF) at character %d, as a file joined from several keeps the mark of each; remove it", chars),
				qc.EncodingError
		}
		if unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp, unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector) {
			return fmt.Sprintf("holds the invisible character U+%04X at character %d", r, chars), qc.EncodingError
		}
		units += utf16.RuneLen(r)
	}
	if units > limit {
		return fmt.Sprintf("is %d characters long; the warehouse holds at most %d", units, limit), qc.ParseError
	}
	if first, _ := utf8.DecodeRune(id); unicode.IsSpace(first) {
		return fmt.Sprintf("begins with %s; an id may not begin or end with blanks (remove them)", blankName(first)), qc.ParseError
	}
	if last, _ := utf8.DecodeLastRune(id); unicode.IsSpace(last) {
		return fmt.Sprintf("ends with %s; an id may not begin or end with blanks (remove them)", blankName(last)), qc.ParseError
	}
	return "", 0
}

func blankName(r rune) string {
	if r == ' ' {
		return "a space"
	}
	return fmt.Sprintf("the blank character U+%04X", r)
}
