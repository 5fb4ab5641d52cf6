package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"syscall"
	"unicode"

	"github.com/genexp/genexp"
	"github.com/genexp/genexp/internal/textdist"
	"github.com/genexp/genexp/qc"
)

// Exit statuses.
const (
	exitOK       = 0 // everything loaded (or was already loaded)
	exitFailed   = 1 // at least one study or download failed
	exitUsage    = 2 // bad command line or configuration
	exitNoAccess = 3 // the warehouse could not be opened or written (busy, unreachable, newer schema, storage)
)

const usage = `genexp loads refine.bio gene-expression downloads into a warehouse.

Usage:
  genexp load   [flags] PATH...   load downloads (zip, folder, study folder or matrix)
  genexp init   [flags]           create or migrate the warehouse schema
  genexp status [flags]           show loaded studies and recent runs
  genexp query  [flags] "SQL"     run a query; print a table, or export tsv, csv or json
  genexp validate [flags] PATH... read and check downloads; writes nothing
  genexp health [flags] [--json]  check the warehouse: reachable, writable, schema, runs, failures, disk
  genexp features [flags] [STUDY...] recompute loaded studies' features (all when none is named)
  genexp config [--config FILE]   print the effective configuration: every key, with its default
  genexp bench  read|load [flags] measure reading or loading a generated download
  genexp version                  print genexp's version, its drivers' and its schema's (also --version)

Common flags (before the command or among its arguments; bench takes
--config only, and its own --db names the file it creates):
  --db FILE        DuckDB warehouse file (default genexp.duckdb)
  --dsn DSN        warehouse DSN instead of --db (a DuckDB path, or sqlserver://...)
  --config FILE    pipeline configuration (YAML)
  --log-format F   text or json (default: logging.format, else text on a
                   terminal, json otherwise; with json, a failure on stderr
                   is a JSON record too)
  --log-level L    DEBUG, INFO, WARN or ERROR (default: logging.level, INFO;
                   WARN on a terminal unless set)

Exit status: 0 success; 1 a study failed, or the run timed out; 2 bad usage,
configuration or query; 3 the warehouse could not be opened or written
(busy, unreachable, newer schema, no permission, disk full); 4 an input could
not be read; 5 analytics failed; 6 (validate, load --dry-run) warnings about
the data only; 130 (SIGINT), 143 (SIGTERM) or 129 (SIGHUP: the terminal
closed) interrupted.

'genexp help COMMAND' (or 'genexp COMMAND -h') says what each command does,
its exit statuses and its flags.
`

type command struct {
	name string
	run  func(args []string, stdout, stderr io.Writer) int
}

func run(args []string, stdout, stderr io.Writer) int {
	cmds := []command{
		{"load", cmdLoad},
		{"init", cmdInit},
		{"status", cmdStatus},
		{"query", cmdQuery},
		{"validate", cmdValidate},
		{"health", cmdHealth},
		{"features", cmdFeatures},
		{"config", cmdConfig},
		{"bench", cmdBench},
		{"version", cmdVersion},
	}
	if len(args) > 0 && (args[0] == "--version" || args[0] == "-version") {
		args = append([]string{"version"}, args[1:]...)
	}
	if len(args) >= 2 && args[0] == "help" && args[1] != "help" {
		// "help bench load" is "bench load -h".
		for _, c := range cmds {
			if c.name == args[1] {
				return writing("genexp help", stdout, stderr, func(w io.Writer) int {
					return c.run(append(slices.Clone(args[2:]), "-h"), w, stderr)
				})
			}
		}
		fmt.Fprintf(stderr, "genexp: %s\n%s\n", unknownCommand(args[1], cmds), helpLine)
		return exitUsage
	}
	args = commandFirst(args, cmds)
	if i, ok := leadingCommon(args); ok && i > 0 {
		// common flags, then no command: commandFirst moved none
		if i < len(args) && args[i] == "help" {
			return printUsage(stdout, stderr, exitOK)
		}
		return noCommand(args, i, cmds, stderr)
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) == 0 {
			return printUsage(stdout, stderr, exitUsage)
		}
		return printUsage(stdout, stderr, exitOK)
	}
	for _, c := range cmds {
		if c.name == args[0] {
			return writing("genexp "+c.name, stdout, stderr, func(w io.Writer) int {
				return c.run(args[1:], w, stderr)
			})
		}
	}
	fmt.Fprintf(stderr, "genexp: %s\n%s\n", unknownCommand(args[0], cmds), helpLine)
	return exitUsage
}

// writing runs f with stdout and says on stderr, under the name who, when
// what f wrote could not be written. A command that printed nothing of its
// output (a full disk) has not succeeded, whatever it did: exitOK becomes
// exitFailed, and a failure keeps its own status but is not silent about
// its lost summary. A reader that went away (genexp status | head) took
// what it wanted: that is no failure, and nothing is said.
func writing(who string, stdout, stderr io.Writer, f func(io.Writer) int) int {
	ow := &outputWriter{w: stdout}
	code := f(ow)
	if ow.err == nil || errors.Is(ow.err, syscall.EPIPE) {
		return code
	}
	if ow.say != nil {
		ow.say(fmt.Sprintf("%s: writing the output: %v", strings.TrimPrefix(who, "genexp "), ow.err))
	} else {
		fmt.Fprintf(stderr, "%s: writing the output: %v\n", who, ow.err)
	}
	if code == exitOK {
		return exitFailed
	}
	return code
}

// printUsage prints the usage to stdout and returns code, or exitFailed
// when the usage could not be written and code is exitOK (see writing).
func printUsage(stdout, stderr io.Writer, code int) int {
	return writing("genexp", stdout, stderr, func(w io.Writer) int {
		fmt.Fprint(w, usage)
		return code
	})
}

// commonValued are the common flags, each of which takes a value.
var commonValued = map[string]bool{"db": true, "dsn": true, "config": true, "log-format": true, "log-level": true}

// commandFirst moves common flags written before the command
// (`genexp --log-level WARN load x.zip`) to just after it, and after
// bench's benchmark, where the command parses them. Anything else before
// the command is left as it is, to be refused as no command.
func commandFirst(args []string, cmds []command) []string {
	i, ok := leadingCommon(args)
	if !ok || i == 0 || i >= len(args) || !slices.ContainsFunc(cmds, func(c command) bool { return c.name == args[i] }) {
		return args
	}
	at := i + 1
	if args[i] == "bench" && at < len(args) && !strings.HasPrefix(args[at], "-") {
		at++
	}
	out := append([]string{}, args[i:at]...)
	out = append(out, args[:i]...)
	return append(out, args[at:]...)
}

// leadingCommon returns the index of the first argument after the common
// flags (each with its value) that args begins with; ok is false when a
// flag there is no common one or lacks its value.
func leadingCommon(args []string) (i int, ok bool) {
	for i < len(args) && strings.HasPrefix(args[i], "-") {
		name, _, withValue := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		if !commonValued[name] || strings.HasPrefix(args[i], "---") {
			return i, false
		}
		if withValue {
			i++
		} else if i += 2; i > len(args) {
			return i, false
		}
	}
	return i, true
}

// noCommand reports a command line whose common flags (args[:i], as
// leadingCommon reads them) are followed by no command, or by a word that
// is none, and returns exitUsage: as a JSON record when the flags ask for
// JSON (--log-format json), else as a line and, for a missing command,
// the usage; an unknown one gets the command it is probably a typo of
// and where the commands are listed. It names the
// flags, not their values: --dsn may hold a password.
func noCommand(args []string, i int, cmds []command, stderr io.Writer) int {
	var c common
	var names []string
	for j := 0; j < i; j++ {
		name, value, withValue := strings.Cut(args[j], "=")
		if !withValue && j+1 < i {
			j++
			value = args[j]
		}
		names = append(names, name)
		if strings.TrimLeft(name, "-") == "log-format" {
			c.logFormat = value
		}
	}
	msg, then := "missing command after the flags "+strings.Join(names, " "), "\n"+usage
	if i < len(args) {
		msg, then = unknownCommand(args[i], cmds), helpLine+"\n"
	}
	if c.jsonUsage() {
		c.say(stderr, slog.LevelError, "genexp: "+msg)
		return exitUsage
	}
	fmt.Fprintf(stderr, "genexp: %s\n%s", msg, then)
	return exitUsage
}

// common holds the flags every command takes, and what the configuration
// says about where messages go.
type common struct {
	db, dsn, configFile string
	logFormat, logLevel string

	// From the configuration (see config): its logging.file and
	// logging.format, and whether it sets logging.level itself rather
	// than leaving the default.
	cfgLogFile, cfgLogFormat string
	cfgLevelSet              bool

	// targetFromConfig: the warehouse is the configuration's
	// database.connection_string (no --db or --dsn), so an error about
	// its DSN is placed there (see placeTargetError).
	targetFromConfig bool

	// fileLog is the handler writing logging.file once logger has opened
	// it: the command's own failure goes there as well as to stderr, so
	// that the file tells how a run ended.
	fileLog slog.Handler
}

// register registers the common flags.
func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.db, "db", "genexp.duckdb", "DuckDB warehouse file")
	fs.StringVar(&c.dsn, "dsn", "", "warehouse DSN (a DuckDB path, or sqlserver://...); overrides --db")
	c.registerNoWarehouse(fs)
}

// registerNoWarehouse registers the common flags but --db and --dsn, for
// a command that opens no warehouse.
func (c *common) registerNoWarehouse(fs *flag.FlagSet) {
	fs.StringVar(&c.configFile, "config", "", "pipeline configuration file (YAML)")
	fs.StringVar(&c.logFormat, "log-format", "", "log format: text or json (default: logging.format, else text on a terminal, json otherwise)")
	fs.StringVar(&c.logLevel, "log-level", "", "log level: DEBUG, INFO, WARN or ERROR (default: logging.level, INFO; WARN on a terminal unless set)")
}

// newFlagSet returns the flag set of command name, whose -h prints help
// (what the command does and its exit statuses) and then the flags.
func newFlagSet(name, help string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("genexp "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "%s\nFlags:\n", strings.TrimRight(help, "\n")+"\n")
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses flags that may follow positional arguments too
// (`genexp load x.zip --db w.duckdb`). Only an argument that can be a flag
// is taken for one (see flagLike): SQL that begins with a comment
// ("-- count studies\nSELECT …") or a minus sign is an argument. After
// "--" every argument is positional. Help asked for with -h goes to
// stdout and parseFlags returns flag.ErrHelp (see flagExit); a bad flag is
// reported on the flag set's output, with the defined flag it is probably
// a typo of (--dbb: --db) and where the help is, not the help itself,
// which would bury the one line that matters.
func parseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) ([]string, error) {
	usage := fs.Usage
	fs.Usage = func() {} // printed below, to where it belongs
	defer func() { fs.Usage = usage }()
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if !flagLike(a) {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name, _, withValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if f := fs.Lookup(name); f != nil && !withValue && !isBoolFlag(f) && i+1 < len(args) {
			i++ // its value, whatever it looks like
			flags = append(flags, args[i])
		}
	}
	out := fs.Output()
	fs.SetOutput(io.Discard) // the error is said below, with the command's name
	err := fs.Parse(flags)
	fs.SetOutput(out)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			stderr := fs.Output()
			fs.SetOutput(stdout)
			defer fs.SetOutput(stderr)
			usage()
			return nil, err
		}
		fmt.Fprintf(out, "%s: %s\n", fs.Name(), err)
		if hint := flagHint(fs, err); hint != "" {
			fmt.Fprintln(out, hint)
		}
		fmt.Fprintln(out, seeHelp(fs))
		return nil, err
	}
	return append(fs.Args(), pos...), nil
}

// flagHint names the flag of fs that an undefined one err reports is
// probably a typo of ("did you mean --db?"), or is "" (see
// textdist.Nearest).
func flagHint(fs *flag.FlagSet, err error) string {
	name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: ")
	if !ok {
		return ""
	}
	bare := strings.TrimLeft(name, "-")
	if (bare == "db" || bare == "dsn") && fs.Name() == "genexp validate" {
		// A common flag of the commands that open a warehouse.
		return "validate opens no warehouse, so it takes no --" + bare + "; to check what a load would do against one, run genexp load --dry-run --" + bare + " ..."
	}
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	if near := textdist.Nearest(bare, names); near != "" {
		return "did you mean --" + near + "?"
	}
	return ""
}

// unknownCommand says that word is no command, with the command it is
// probably a typo of, and where the commands are listed.
func unknownCommand(word string, cmds []command) string {
	names := make([]string, len(cmds))
	for i, c := range cmds {
		names[i] = c.name
	}
	msg := fmt.Sprintf("unknown command %q", word)
	if near := textdist.Nearest(strings.TrimLeft(word, "-"), names); near != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", near)
	}
	return msg
}

// helpLine follows the refusal of an unknown command.
const helpLine = "Run 'genexp help' for the commands."

// seeHelp is the line that follows a usage error: where the command's
// help is.
func seeHelp(fs *flag.FlagSet) string {
	return "Run '" + fs.Name() + " -h' for what it does, its flags and its exit statuses."
}

// flagLike reports whether a can be a flag: one or two dashes, then a name
// that begins with a letter and holds no blank, then "=value" or nothing.
func flagLike(a string) bool {
	name, ok := strings.CutPrefix(a, "-")
	if !ok {
		return false
	}
	name = strings.TrimPrefix(name, "-")
	name, _, _ = strings.Cut(name, "=")
	if name == "" || !('a' <= name[0] && name[0] <= 'z' || 'A' <= name[0] && name[0] <= 'Z') {
		return false
	}
	return !strings.ContainsFunc(name, unicode.IsSpace)
}

// isBoolFlag reports whether f takes no value (-v rather than -v x).
func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// arity is how many positional arguments a command takes: at least min,
// at most max (-1: any number); hint, when set, follows the refusal of too
// many (where the argument probably belongs).
type arity struct {
	min, max int
	what     string // what the arguments are, for the refusal of too few
	hint     string
}

// noArgs is the arity of a command that takes no positional argument.
var noArgs = arity{max: 0, hint: "the warehouse is named with --db FILE or --dsn DSN"}

// parse parses the command's flags (see parseFlags), checks the values
// of the common ones and the number of positional arguments. On a usage
// error it says why, as one JSON record when --log-format json was parsed
// (so that a reader of stderr never gets a mix), else as text followed by
// the help, and reports false with the exit status; -h reports false with
// exitOK.
func (c *common) parse(fs *flag.FlagSet, args []string, stdout io.Writer, want arity) ([]string, int, bool) {
	stderr := fs.Output()
	if ow, ok := stdout.(*outputWriter); ok {
		// The output's loss is said as the command says its failures: a
		// JSON record on a stderr that carries JSON.
		ow.say = func(msg string) { c.say(stderr, slog.LevelError, msg) }
	}
	var flagMsg bytes.Buffer
	fs.SetOutput(&flagMsg)
	pos, err := parseFlags(fs, args, stdout)
	fs.SetOutput(stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil, exitOK, false
	}
	if err != nil {
		if c.jsonUsage() {
			msg := fs.Name() + ": " + oneLine(err)
			if hint := flagHint(fs, err); hint != "" {
				msg += " (" + hint + ")"
			}
			c.say(stderr, slog.LevelError, msg)
		} else {
			stderr.Write(flagMsg.Bytes())
		}
		return nil, exitUsage, false
	}
	if err := c.checkLogFlags(); err != nil {
		return nil, c.usageFail(fs, err.Error()), false
	}
	configGiven := false
	fs.Visit(func(f *flag.Flag) { configGiven = configGiven || f.Name == "config" })
	if configGiven && strings.TrimSpace(c.configFile) == "" {
		// Read as no file, it would run on the built-in defaults, the
		// configuration meant (a variable left unset: --config "$CFG")
		// not read.
		return nil, c.usageFail(fs, "--config names no file (an empty value; an unset variable?): give the configuration file, or leave --config out for the built-in defaults"), false
	}
	switch {
	case len(pos) < want.min:
		return nil, c.usageFail(fs, "missing "+want.what), false
	case want.max >= 0 && len(pos) > want.max:
		// An argument may be a DSN given without --dsn: shown redacted.
		shown := make([]string, len(pos))
		for i, a := range pos {
			shown[i] = qc.RedactDSN(a)
		}
		var msg string
		if want.max > 0 {
			msg = fmt.Sprintf("takes %d argument (%s), got %d: %q", want.max, want.what, len(pos), shown)
		} else {
			msg = fmt.Sprintf("takes no arguments, got %q", shown)
		}
		if want.hint != "" {
			msg += "; " + want.hint
		}
		return nil, c.usageFail(fs, msg), false
	}
	return pos, exitOK, true
}

// jsonUsage reports whether a usage error is a JSON record: when
// --log-format json was given (and parsed before the error). The
// configuration is not read yet when the command line is wrong.
func (c *common) jsonUsage() bool {
	return strings.EqualFold(strings.TrimSpace(c.logFormat), "json")
}

// usageFail reports a usage error of the command fs parses, msg, and
// returns exitUsage: as one JSON record, or a line and where the help is.
func (c *common) usageFail(fs *flag.FlagSet, msg string) int {
	if c.jsonUsage() {
		c.say(fs.Output(), slog.LevelError, fs.Name()+": "+msg)
		return exitUsage
	}
	fmt.Fprintf(fs.Output(), "%s: %s\n%s\n", fs.Name(), msg, seeHelp(fs))
	return exitUsage
}

// checkLogFlags checks --log-format and --log-level, for every command,
// whether or not it logs.
func (c *common) checkLogFlags() error {
	if f := strings.ToLower(strings.TrimSpace(c.logFormat)); f != "" && f != "text" && f != "json" {
		return fmt.Errorf("--log-format: %q is neither text nor json", c.logFormat)
	}
	if c.logLevel != "" {
		if _, _, err := c.level(genexp.LoggingConfig{}); err != nil {
			return err
		}
	}
	return nil
}

// flagExit is the exit status of a command whose flags did not parse: 0
// when help was asked for, else exitUsage.
func flagExit(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitUsage
}

func oneLine(err error) string { return oneLineStr(err.Error()) }

// dsnAsPath refuses a PATH that is a warehouse DSN rather than a download
// (and names no file): it would be logged and recorded as a path, password
// and all. The message shows it redacted; "" when every path may be one.
func dsnAsPath(paths []string) string {
	for _, p := range paths {
		if !genexp.IsSQLServerDSN(p) && !strings.Contains(p, "://") {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			continue
		}
		return fmt.Sprintf("%q is a warehouse DSN, not a download; name the warehouse with --dsn, and give the downloads as PATH", qc.RedactDSN(p))
	}
	return ""
}
