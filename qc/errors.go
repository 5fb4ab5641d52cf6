package qc

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Severity says what a finding does to a load: an Error stops the study, a
// Warning loads it and stays visible, Info is recorded only.
type Severity int

// Severities, ordered so that a larger value is worse.
const (
	SeverityInfo Severity = iota
	SeverityWarning
	SeverityError
)

// String returns "INFO", "WARNING" or "ERROR", the spelling stored in the
// warehouse.
func (s Severity) String() string {
	switch s {
	case SeverityInfo:
		return "INFO"
	case SeverityWarning:
		return "WARNING"
	default:
		return "ERROR"
	}
}

// ParseSeverity reads the spelling String returns (case-insensitive).
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "INFO":
		return SeverityInfo, nil
	case "WARNING", "WARN":
		return SeverityWarning, nil
	case "ERROR":
		return SeverityError, nil
	}
	return 0, fmt.Errorf("qc: unknown severity %q (want INFO, WARNING or ERROR)", s)
}

// Error is a coded failure or finding with its location. Fields that do not
// apply are zero: Line and Column count from 1, so 0 means "no line".
type Error struct {
	// Code is the error's number (codes.go); the CLI maps it to an exit
	// status.
	Code Code
	// Severity decides what the error stops: an ERROR stops its study, a
	// WARNING or an INFO is recorded and the load goes on.
	Severity Severity
	// Study is the study accession the error concerns, when known.
	Study string
	// File is the file name as the user knows it (a path, or "zip!entry").
	File string
	// Line and Column locate the error in a text file, counting from 1.
	// In a tab-separated file (matrix, sample sheet) Column counts fields;
	// in JSON it counts bytes of the line, as most tools do.
	Line, Column int64
	// Path locates the error inside a JSON document (such as
	// "samples.GSM1.refinebio_annotations[0]").
	Path string
	// Msg says what is wrong, in words a researcher understands.
	Msg string
	// Err is the underlying cause, if any.
	Err error
}

// Error formats the error as "file:line:col: path: msg: cause [code NAME]"
// (the study in place of the file when there is no file; each part only
// when set).
func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.FormatInt(e.Line, 10))
			if e.Column > 0 {
				b.WriteByte(':')
				b.WriteString(strconv.FormatInt(e.Column, 10))
			}
		}
		if e.Path != "" {
			b.WriteString(": ")
			b.WriteString(e.Path)
		}
		b.WriteString(": ")
	} else if e.Study != "" {
		b.WriteString(e.Study)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Err != nil {
		if e.Msg != "" {
			b.WriteString(": ")
		}
		b.WriteString(e.Err.Error())
	}
	// A cause of the same code already ends with the tag: say it once.
	var inner *Error
	if !errors.As(e.Err, &inner) || inner.Code != e.Code {
		fmt.Fprintf(&b, " [%d %s]", int(e.Code), e.Code.Name())
	}
	return b.String()
}

// Details is the finding's message with its cause and JSON path, without
// the file, line and column, which a validation log keeps in columns of
// their own.
func (e *Error) Details() string {
	d := e.Msg
	if e.Err != nil {
		if d != "" {
			d += ": "
		}
		d += e.Err.Error()
	}
	if e.Path != "" {
		d += " (at " + e.Path + ")"
	}
	return d
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is e's Code, so errors.Is(err, qc.ParseError)
// works through any amount of wrapping.
func (e *Error) Is(target error) bool {
	c, ok := target.(Code)
	return ok && c == e.Code
}

// Errorf returns an ERROR-severity *Error with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Severity: SeverityError, Msg: fmt.Sprintf(format, args...)}
}

// Wrap returns an ERROR-severity *Error with code and message around cause.
func Wrap(code Code, cause error, msg string) *Error {
	return &Error{Code: code, Severity: SeverityError, Msg: msg, Err: cause}
}

// CodeOf returns the code of the first *Error in err's chain, and false if
// there is none.
func CodeOf(err error) (Code, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e.Code, true
	}
	return 0, false
}

// SeverityOf returns the severity of the first *Error in err's chain; an
// error without one is a SeverityError.
func SeverityOf(err error) Severity {
	var e *Error
	if errors.As(err, &e) {
		return e.Severity
	}
	return SeverityError
}

// MsgCROnly is the message of a matrix or sample sheet whose lines end in
// a carriage return only (InvalidFormat).
const MsgCROnly = "carriage return (CR) with no line feed after it: the lines seem to end in CR only, " +
	"as in old Mac \"Tab Delimited Text\" exports; genexp reads LF or CRLF line ends, so convert them " +
	"(for example: tr '\\r' '\\n' < old.tsv > new.tsv) and load again"

// Shorten cuts a value quoted in a message to at most limit bytes, at a
// character boundary, ending a cut value with "..." (a limit below 3 is
// taken as 3: the "..." alone).
func Shorten(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := max(limit, 3) - 3
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// ShortenMiddle cuts a name quoted in a message to at most limit bytes as
// Shorten does, but keeps its end as well as its beginning, with "..."
// between them: names of one study often differ only at the end
// ("..., sample 1", "..., sample 2"), which Shorten would cut off.
func ShortenMiddle(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	keep := max(limit, 3) - 3
	head := (keep + 1) / 2
	for head > 0 && !utf8.RuneStart(s[head]) {
		head--
	}
	tail := len(s) - (keep - head)
	for tail < len(s) && !utf8.RuneStart(s[tail]) {
		tail++
	}
	return s[:head] + "..." + s[tail:]
}
