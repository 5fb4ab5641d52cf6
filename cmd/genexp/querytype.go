package main

import "strings"

// sqlType is a column's type as the driver names it
// (sql.ColumnType.DatabaseTypeName), read into a tree: what a value
// scanned into any cannot tell by its Go type alone (a DATE from a
// TIMESTAMP, both time.Time; a UUID from a BLOB, both []byte; the order of
// a STRUCT's fields, which arrive as a Go map).
type sqlType struct {
	name       string     // the base name in upper case: DOUBLE, TIMESTAMPTZ, LIST, STRUCT, MAP, DECIMAL, …
	elem       *sqlType   // LIST and ARRAY: the element's type
	key, value *sqlType   // MAP
	fields     []sqlField // STRUCT and UNION, in declared order
}

// sqlField is a STRUCT field or UNION member.
type sqlField struct {
	name string
	typ  *sqlType
}

// field returns the type of the field or member named name, nil if none.
func (t *sqlType) field(name string) *sqlType {
	if t == nil {
		return nil
	}
	for _, f := range t.fields {
		if f.name == name {
			return f.typ
		}
	}
	return nil
}

// elemType returns the element type of a LIST or ARRAY, nil if t is none.
func (t *sqlType) elemType() *sqlType {
	if t == nil {
		return nil
	}
	return t.elem
}

// is reports whether t's base name is one of names.
func (t *sqlType) is(names ...string) bool {
	if t == nil {
		return false
	}
	for _, n := range names {
		if t.name == n {
			return true
		}
	}
	return false
}

// parseSQLType reads a type name as DuckDB's Go driver writes it:
// "DOUBLE", "DECIMAL(18,3)", "VARCHAR[]", "INTEGER[3]",
// `STRUCT("a" INTEGER, "b" VARCHAR[])`, "MAP(VARCHAR, DOUBLE)",
// `UNION("n" INTEGER, "s" VARCHAR)`; SQL Server's names are plain words.
// It returns nil for a name it cannot read: values are then written by
// their Go type alone.
func parseSQLType(s string) *sqlType {
	p := typeParser{s: s}
	t := p.typ()
	if !p.ok || p.i != len(p.s) {
		return nil
	}
	return t
}

type typeParser struct {
	s  string
	i  int
	ok bool
}

func (p *typeParser) peek(prefix string) bool { return strings.HasPrefix(p.s[p.i:], prefix) }

func (p *typeParser) eat(prefix string) bool {
	if p.peek(prefix) {
		p.i += len(prefix)
		return true
	}
	p.ok = false
	return false
}

func (p *typeParser) typ() *sqlType {
	p.ok = true
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			break
		}
		p.i++
	}
	if p.i == start {
		p.ok = false
		return nil
	}
	t := &sqlType{name: strings.ToUpper(p.s[start:p.i])}
	if p.peek("(") {
		p.i++
		switch t.name {
		case "STRUCT", "UNION":
			for {
				name, ok := p.quoted()
				if !ok || !p.eat(" ") {
					p.ok = false
					return nil
				}
				ft := p.typ()
				if !p.ok {
					return nil
				}
				t.fields = append(t.fields, sqlField{name, ft})
				if p.peek(", ") {
					p.i += 2
					continue
				}
				if !p.eat(")") {
					return nil
				}
				break
			}
		case "MAP":
			if t.key = p.typ(); !p.ok || !p.eat(", ") {
				return nil
			}
			if t.value = p.typ(); !p.ok || !p.eat(")") {
				return nil
			}
		default: // DECIMAL(18,3), NVARCHAR(50): parameters that change no format
			end := strings.IndexByte(p.s[p.i:], ')')
			if end < 0 {
				p.ok = false
				return nil
			}
			p.i += end + 1
		}
	}
	for p.peek("[") {
		end := strings.IndexByte(p.s[p.i:], ']')
		if end < 0 {
			p.ok = false
			return nil
		}
		name := "ARRAY"
		if end == 1 {
			name = "LIST"
		}
		p.i += end + 1
		t = &sqlType{name: name, elem: t}
	}
	p.ok = true
	return t
}

// quoted reads a double-quoted name, "" standing for one quote.
func (p *typeParser) quoted() (string, bool) {
	if !p.peek(`"`) {
		return "", false
	}
	p.i++
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		p.i++
		if c != '"' {
			b.WriteByte(c)
			continue
		}
		if p.peek(`"`) {
			p.i++
			b.WriteByte('"')
			continue
		}
		return b.String(), true
	}
	return "", false
}
