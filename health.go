package genexp

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/genexp/genexp/qc"
	"github.com/genexp/genexp/warehouse"
)

// HealthStatus is the state of a health check, or of a warehouse overall.
type HealthStatus string

// Health statuses, from best to worst.
const (
	Healthy  HealthStatus = "healthy"
	Degraded HealthStatus = "warning"
	Critical HealthStatus = "critical"
)

func (s HealthStatus) rank() int {
	switch s {
	case Healthy:
		return 0
	case Degraded:
		return 1
	}
	return 2
}

// HealthInputs are the observations a health report is derived from. The
// caller makes them (opening the warehouse, asking it, measuring the disk);
// DeriveHealth only judges, so every rule can be tested on its own.
type HealthInputs struct {
	// Warehouse names the warehouse, secrets redacted.
	Warehouse string
	// OpenErr is why the warehouse could not be opened; nil when it was.
	OpenErr error
	// Health is what the warehouse said about itself, and HealthErr why it
	// could not say (both zero when it was not asked).
	Health    *warehouse.Health
	HealthErr error
	// Disk is the free space where the warehouse file lives (nil when the
	// warehouse is not a local file), DiskErr why it could not be measured.
	Disk    *DiskSpace
	DiskErr error
	// WriteChecked is set when it was tried whether the warehouse can be
	// written (a DuckDB file: duckdb.CheckWritable), and WriteErr is why
	// it cannot be.
	WriteChecked bool
	WriteErr     error
	// Now is when the observations were made.
	Now time.Time
}

// DiskSpace is the space of the file system holding a warehouse file.
type DiskSpace struct {
	Path string `json:"path"`
	// FreeBytes is the space genexp's user may still write (what df
	// calls available); TotalBytes is the file system's size.
	FreeBytes  uint64 `json:"free_bytes"`
	TotalBytes uint64 `json:"total_bytes"`
}

// HealthLimits are the thresholds DeriveHealth applies.
type HealthLimits struct {
	// WarnFreeBytes and CriticalFreeBytes: less free disk than these is a
	// warning or critical. Defaults 1 GiB and 100 MiB: a DuckDB load needs
	// room for its write-ahead log and for the replaced facts until the
	// checkpoint.
	WarnFreeBytes, CriticalFreeBytes uint64
	// StuckAfter: a run whose steps are still RUNNING this long after it
	// started was most likely killed. Default 6 h.
	StuckAfter time.Duration
}

// DefaultHealthLimits returns the documented defaults.
func DefaultHealthLimits() HealthLimits {
	return HealthLimits{WarnFreeBytes: 1 << 30, CriticalFreeBytes: 100 << 20, StuckAfter: 6 * time.Hour}
}

// HealthCheck is one judged observation.
type HealthCheck struct {
	Name   string       `json:"name"`
	Status HealthStatus `json:"status"`
	Detail string       `json:"detail"`
}

// HealthReport is a warehouse's health: every check, and the overall status,
// which is the worst check's.
type HealthReport struct {
	// Status is the worst of the checks' statuses.
	Status HealthStatus `json:"status"`
	// Warehouse names the warehouse checked, its password redacted.
	Warehouse string    `json:"warehouse"`
	CheckedAt time.Time `json:"checked_at"`
	// Checks are every observation judged, in a fixed order.
	Checks []HealthCheck `json:"checks"`
	// Health is what the warehouse said of itself; nil (no "details" in
	// JSON) when it could not be opened or read.
	Health *warehouse.Health `json:"details,omitempty"`
	Disk   *DiskSpace        `json:"disk,omitempty"`
}

// DeriveHealth judges the observations. The rules, check by check:
//
//   - reachable: healthy when the warehouse opened; warning when another
//     process holds it for writing (a load is running: nothing else can be
//     checked, but nothing is wrong); critical otherwise.
//   - schema: healthy at this genexp's version; warning with no schema or an
//     older one (genexp init, or the next load, migrates it); critical when
//     newer (this genexp cannot write it), unreadable, or when the
//     migrations cannot make or bring it up to date
//     (warehouse.Health.SchemaMismatch: objects of other data named as
//     genexp's, or a version applied from another text of its migration).
//   - failures: healthy when no step failed in the window, or when every
//     one that did was made good by a later success of its study
//     (warehouse.Health.ResolvedFailedSteps: a rerun after a Ctrl-C or a
//     fixed input); warning while any is not.
//   - runs: healthy, listing the last run; warning when a run has steps
//     RUNNING that no process is going on with: any, when the warehouse
//     says opening it excluded every writer (warehouse.Health.NoWriter, a
//     DuckDB file), else those RUNNING for longer than StuckAfter (SQL
//     Server, where runs write side by side). Such a run was killed, or
//     could not record its failure; the next load or features run marks
//     its steps FAILED.
//     Warning too when the last run was stopped (interrupted or timed out)
//     before steps it had to run (warehouse.RunSummary.Stopped), or inside
//     its last step (StopReason set, nothing SKIPPED): part of its input
//     was not loaded until the same load is run again. Warning too when
//     the latest load among the runs listed (HealthRequest.Runs) did not
//     finish and only features runs came after it: killed (its steps found
//     abandoned and FAILED with reason "aborted",
//     warehouse.RunSummary.Aborted, which only a DuckDB warehouse marks;
//     on SQL Server a killed run shows as steps RUNNING past StuckAfter),
//     or stopped. A killed load leaves no row for the studies it never
//     reached, and recomputing features makes good only those it did; the
//     next load clears it.
//   - features: made when the warehouse checked them
//     (warehouse.Health.FeaturesChecked, at this genexp's schema
//     version; a warning when it could not, FeaturesError): warning when a loaded study's features are stale (they no
//     longer describe its current facts, labels or exclusions, or a
//     migration changed how they are computed), as the views serve them
//     as they were computed; healthy otherwise, saying how many studies
//     have no features (loaded with analytics.enabled off, or stopped
//     before their analytics step: nothing wrong is served).
//   - writable: for a DuckDB file, critical when the file, its
//     write-ahead log or its directory refuses writing (permissions, a
//     read-only file system: every load would fail), healthy otherwise. It
//     creates an empty probe file, which a full disk still allows: free
//     space is the disk check's.
//   - disk: for a warehouse file, healthy above WarnFreeBytes free, warning
//     below it, critical below CriticalFreeBytes; warning when it cannot be
//     measured.
//
// Checks that cannot run because an earlier one failed are omitted. The
// overall status is the worst status of the checks made.
func DeriveHealth(in HealthInputs, lim HealthLimits) HealthReport {
	rep := HealthReport{Warehouse: in.Warehouse, CheckedAt: in.Now.UTC(), Disk: in.Disk}
	if in.OpenErr == nil && in.HealthErr == nil {
		// A warehouse that could not be read said nothing: no details
		// rather than its zero value, schema version 0 and no runs.
		rep.Health = in.Health
	}
	if h := rep.Health; h != nil && h.Runs == nil {
		// No runs is an empty list in JSON, not null.
		c := *h
		c.Runs = []warehouse.RunSummary{}
		rep.Health = &c
	}
	add := func(name string, st HealthStatus, format string, args ...any) {
		rep.Checks = append(rep.Checks, HealthCheck{Name: name, Status: st, Detail: fmt.Sprintf(format, args...)})
	}
	switch {
	case in.OpenErr == nil:
		add("reachable", Healthy, "the warehouse opened")
	case errors.Is(in.OpenErr, qc.WarehouseBusy):
		add("reachable", Degraded, "another process is writing to the warehouse (a load is running); the checks that read it skipped")
	default:
		add("reachable", Critical, "the warehouse cannot be opened: %s", in.OpenErr)
	}
	if in.OpenErr == nil {
		h := in.Health
		switch {
		case in.HealthErr != nil:
			add("schema", Critical, "the warehouse could not describe itself: %s", in.HealthErr)
		case h == nil:
			add("schema", Degraded, "this warehouse cannot report its health")
		case h.SchemaVersion == 0 && h.SchemaMismatch != "":
			add("schema", Critical, "no genexp schema, and none can be created: %s", h.SchemaMismatch)
		case h.SchemaVersion == 0:
			add("schema", Degraded, "no genexp schema yet; run genexp init (or load) to create it")
		case h.SchemaVersion < h.ExpectedSchemaVersion && h.SchemaMismatch != "":
			add("schema", Critical, "schema version %d, older than this genexp's %d, and genexp init cannot migrate it: %s",
				h.SchemaVersion, h.ExpectedSchemaVersion, h.SchemaMismatch)
		case h.SchemaVersion < h.ExpectedSchemaVersion:
			add("schema", Degraded, "schema version %d, older than this genexp's %d; genexp init migrates it", h.SchemaVersion, h.ExpectedSchemaVersion)
		case h.SchemaVersion > h.ExpectedSchemaVersion:
			add("schema", Critical, "schema version %d is newer than this genexp's %d; use a newer genexp", h.SchemaVersion, h.ExpectedSchemaVersion)
		case h.SchemaMismatch != "":
			add("schema", Critical, "loads will fail: %s", h.SchemaMismatch)
		default:
			add("schema", Healthy, "schema version %d", h.SchemaVersion)
		}
		if in.HealthErr == nil && h != nil && h.SchemaVersion > 0 {
			switch open := h.FailedSteps - h.ResolvedFailedSteps; {
			case open > 0:
				some := ""
				if h.ResolvedFailedSteps > 0 {
					some = fmt.Sprintf(", %d of them not since made good by a successful rerun", open)
				}
				add("failures", Degraded, "%s in %s in the last 24 h%s%s", plural(h.FailedSteps, "failed step"), plural(h.FailedRuns, "run"),
					some, openFailures(h.OpenFailures, open))
			case h.FailedSteps > 0:
				add("failures", Healthy, "%s in %s in the last 24 h, each since made good by a successful rerun",
					plural(h.FailedSteps, "failed step"), plural(h.FailedRuns, "run"))
			default:
				add("failures", Healthy, "no failed steps in the last 24 h")
			}
			st, detail := runsCheck(h.Runs, h.NoWriter, in.Now, lim)
			add("runs", st, "%s", detail)
			switch {
			case h.FeaturesError != "":
				add("features", Degraded, "the features could not be checked: %s", h.FeaturesError)
			case h.FeaturesChecked:
				st, detail := featuresCheck(h)
				add("features", st, "%s", detail)
			}
		}
	}
	if in.WriteChecked {
		if in.WriteErr != nil {
			add("writable", Critical, "loads will fail: %s", in.WriteErr)
		} else {
			add("writable", Healthy, "the warehouse file and its directory allow writing (permissions only; the disk check reports free space)")
		}
	}
	if in.Disk != nil || in.DiskErr != nil {
		switch {
		case in.DiskErr != nil:
			add("disk", Degraded, "free disk space could not be measured: %s", in.DiskErr)
		case in.Disk.FreeBytes < lim.CriticalFreeBytes:
			add("disk", Critical, "%s free at %s (critical below %s)", bytesIEC(in.Disk.FreeBytes), in.Disk.Path, bytesIEC(lim.CriticalFreeBytes))
		case in.Disk.FreeBytes < lim.WarnFreeBytes:
			add("disk", Degraded, "%s free at %s (warning below %s)", bytesIEC(in.Disk.FreeBytes), in.Disk.Path, bytesIEC(lim.WarnFreeBytes))
		default:
			add("disk", Healthy, "%s free of %s at %s", bytesIEC(in.Disk.FreeBytes), bytesIEC(in.Disk.TotalBytes), in.Disk.Path)
		}
	}
	rep.Status = Healthy
	for _, c := range rep.Checks {
		if c.Status.rank() > rep.Status.rank() {
			rep.Status = c.Status
		}
	}
	return rep
}

// featuresCheck judges the features check of a warehouse that made it.
func featuresCheck(h *warehouse.Health) (HealthStatus, string) {
	none := ""
	if n := h.StudiesWithoutFeatures; n > 0 {
		none = fmt.Sprintf("; %s %s no features (loaded with analytics.enabled off, or stopped before their analytics step): "+
			"genexp features --if-stale computes them", plural(n, "loaded study"), agree(n, "has", "have"))
	}
	if h.StaleFeatures == 0 {
		return Healthy, "no loaded study's features are stale" + none
	}
	names := strings.Join(h.StaleFeatureStudies, ", ")
	if more := h.StaleFeatures - len(h.StaleFeatureStudies); more > 0 {
		names += fmt.Sprintf(" and %d more", more)
	}
	return Degraded, fmt.Sprintf("the features of %s are stale (%s): they no longer describe the study's current facts, "+
		"labels or exclusions, or a migration changed how they are computed, and the views serve them as they were computed; "+
		"genexp features --if-stale computes them again, as does a load of the study%s",
		plural(h.StaleFeatures, "study"), names, none)
}

// openFailures lists the failed steps not made good that the warehouse
// named (the latest of open), for the failures check: each by its study,
// or by its file when it has none, its step, code and start. The same
// failure of reruns (one study, step and code) is named once, at its
// latest start, with how many of the list it stands for.
func openFailures(fs []warehouse.FailedStep, open int) string {
	if len(fs) == 0 {
		return ""
	}
	type named struct {
		what string
		at   time.Time // the latest start (fs is newest first)
		n    int
	}
	var list []*named
	byWhat := map[string]*named{}
	for _, f := range fs {
		what := f.Study
		if what == "" {
			what = f.File
		}
		if what == "" {
			what = "run " + f.RunID
		}
		what += " " + f.Step
		if f.ErrorCode != 0 {
			what += fmt.Sprintf(" [%d]", f.ErrorCode)
		}
		if e := byWhat[what]; e != nil {
			e.n++
			continue
		}
		e := &named{what: what, at: f.StartedAt, n: 1}
		byWhat[what] = e
		list = append(list, e)
	}
	parts := make([]string, len(list))
	for i, e := range list {
		parts[i] = e.what + " at " + e.at.UTC().Format(time.RFC3339)
		if e.n > 1 {
			parts[i] += fmt.Sprintf(" (%d times)", e.n)
		}
	}
	more := ""
	if open > len(fs) {
		more = fmt.Sprintf(" and %d more", open-len(fs))
	}
	return "; latest: " + strings.Join(parts, ", ") + more + " (genexp status shows them)"
}

func runsCheck(runs []warehouse.RunSummary, noWriter bool, now time.Time, lim HealthLimits) (HealthStatus, string) {
	if len(runs) == 0 {
		return Healthy, "no runs yet"
	}
	for _, r := range runs {
		if r.Running > 0 && noWriter {
			return Degraded, fmt.Sprintf("run %s started %s ago and still has %s RUNNING, but no process is writing to the warehouse: "+
				"the run was killed or could not record its end; rerun it (the next load or genexp features marks those steps FAILED)",
				r.RunID, now.Sub(r.StartedAt).Round(time.Second), plural(r.Running, "step"))
		}
		if r.Running > 0 && now.Sub(r.StartedAt) > lim.StuckAfter {
			return Degraded, fmt.Sprintf("run %s started %s ago and still has %s RUNNING: it was most likely killed; rerun it",
				r.RunID, now.Sub(r.StartedAt).Round(time.Minute), plural(r.Running, "step"))
		}
	}
	last := runs[0]
	head := fmt.Sprintf("last run %s started %s (%s, %s)",
		last.RunID, last.StartedAt.UTC().Format(time.RFC3339), plural(last.Studies, "study"), plural(last.Steps, "step"))
	if last.Running == 0 && (last.Stopped > 0 || last.StopReason != "") {
		why, rerun := "", "rerun the same genexp features"
		if last.Load {
			rerun = "rerun the same genexp load (what it loaded is a duplicate; a study whose features it stopped gets them)"
		}
		if last.StopReason != "" {
			why = " (" + last.StopReason + ")"
		}
		if last.StopReason == reasonTimedOut {
			rerun += ", with a larger processing.timeout_seconds if it needs longer"
		}
		failed := ""
		if last.Failed > 0 {
			failed = fmt.Sprintf(", and %s failed", plural(last.Failed, "step"))
		}
		if last.Stopped == 0 {
			return Degraded, fmt.Sprintf("%s was stopped%s during a step, which failed and did none of its work "+
				"(a study's load, or its features); %s", head, why, rerun)
		}
		return Degraded, fmt.Sprintf("%s was stopped%s before %d of its steps began%s: part of its work was not done; %s",
			head, why, last.Stopped, failed, rerun)
	}
	if k := unfinishedLoad(runs); k != nil {
		how := fmt.Sprintf("was killed (%s found abandoned by a later run)", plural(k.Aborted, "step"))
		if k.Aborted == 0 {
			how = "was stopped"
			if k.StopReason != "" {
				how += " (" + k.StopReason + ")"
			}
		}
		return Degraded, fmt.Sprintf("%s; the latest load, run %s started %s, %s and no load has run since: "+
			"studies it had not reached may not be loaded; rerun the same genexp load (what it loaded before is a duplicate)",
			head, k.RunID, k.StartedAt.UTC().Format(time.RFC3339), how)
	}
	state := "finished"
	switch {
	case last.Running > 0:
		state = "running"
	case last.Failed > 0:
		state = "finished with " + plural(last.Failed, "failed step")
	}
	return Healthy, head + ", " + state
}

// unfinishedLoad returns the latest load of runs (most recent first) when
// it did not finish: killed (warehouse.RunSummary.Aborted) or stopped (an
// interrupt or its timeout: Stopped, StopReason); or nil, when it finished
// or no load is listed. A later load leaves nothing to say, even of other
// paths: it is the load to look at.
func unfinishedLoad(runs []warehouse.RunSummary) *warehouse.RunSummary {
	for i := range runs {
		if r := &runs[i]; r.Load {
			if r.Aborted > 0 || r.Stopped > 0 || r.StopReason != "" {
				return r
			}
			return nil
		}
	}
	return nil
}

// agree returns one when n is 1, else many: the word that agrees with a
// count ("has" or "have", "it" or "them").
func agree(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// plural says "1 study", "2 studies", "0 failed steps": n and the noun,
// in the plural unless n is 1.
func plural[N ~int | ~int64 | ~uint64](n N, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "y") {
		noun = strings.TrimSuffix(noun, "y") + "ies"
	} else {
		noun += "s"
	}
	return fmt.Sprintf("%d %s", n, noun)
}

func bytesIEC(n uint64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := uint64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
