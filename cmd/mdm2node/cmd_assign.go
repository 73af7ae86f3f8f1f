package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"time"

	"github.com/mdm2node/mdm2node/config"
	"github.com/mdm2node/mdm2node/series/tracker"
	"github.com/mdm2node/mdm2node/store"
	"github.com/mdm2node/mdm2node/store/audit"
)

func init() {
	register("assign", "choose the series of a role by hand: assign -data-dir DIR STUDY_UID SERIES_UID ROLE", runAssign)
}

func runAssign(args []string) error {
	fs := flag.NewFlagSet("assign", flag.ContinueOnError)
	dataDir := fs.String("data-dir", "", "data folder of the node (default: storage.data_dir of -config)")
	configPath := fs.String("config", "", "configuration file to take the data folder and audit log from")
	auditPath := fs.String("audit", "", "audit log to record the assignment in (default: audit.path of -config)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: mdm2node assign [-data-dir DIR | -config FILE] STUDY_UID SERIES_UID ROLE")
		fmt.Fprintln(fs.Output(), "Overrides the role rules: SERIES_UID fills ROLE (ct, t1wi or t2fs) of the study,")
		fmt.Fprintln(fs.Output(), "recorded with the reason \"assigned by administrator\". A study already reported")
		fmt.Fprintln(fs.Output(), "is processed again as a new version. While mdm2node serve runs, the assignment")
		fmt.Fprintln(fs.Output(), "is handed to it and applied within a second; see mdm2node studies.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 3 {
		fs.Usage()
		return fmt.Errorf("want STUDY_UID SERIES_UID ROLE, got %d arguments", fs.NArg())
	}
	studyUID, seriesUID, role := fs.Arg(0), fs.Arg(1), fs.Arg(2)
	switch role {
	case "ct", "t1wi", "t2fs":
	default:
		return fmt.Errorf("role %q is not ct, t1wi or t2fs", role)
	}
	cfg := config.Default()
	if *configPath != "" {
		var err error
		if cfg, err = config.Load(*configPath); err != nil {
			return err
		}
	}
	dir := *dataDir
	if dir == "" {
		dir = cfg.Storage.DataDir
	}
	if *auditPath == "" {
		*auditPath = cfg.Audit.Path
	}
	who := "unknown user"
	if u, err := user.Current(); err == nil {
		who = "user " + u.Username
	}

	indexPath := filepath.Join(dir, store.IndexFile)
	if _, err := os.Stat(indexPath); err != nil {
		return fmt.Errorf("no index in %s: nothing has been stored there yet, or it is not a data folder of the node", dir)
	}
	now := time.Now()
	ix, err := store.OpenIndex(indexPath, false, time.Second)
	if errors.Is(err, store.ErrLocked) {
		// A running server holds the index: hand the assignment to its
		// tracker, which checks, applies and audits it.
		path, werr := tracker.WriteAssignment(dir, studyUID, seriesUID, role, who, now)
		if werr != nil {
			return werr
		}
		fmt.Printf("mdm2node serve is running: assignment handed to it (%s); it is applied within a second, or refused with the reason in the audit log\n", path)
		return nil
	}
	if err != nil {
		return err
	}
	err = ix.AssignRole(studyUID, seriesUID, role, now)
	if cerr := ix.Close(); err == nil {
		err = cerr
	}
	if l, aerr := audit.Open(*auditPath); aerr == nil {
		if werr := l.Write(tracker.AssignmentEvent(studyUID, seriesUID, role, who, err, now)); werr != nil {
			fmt.Fprintf(os.Stderr, "mdm2node assign: audit log: %v\n", werr)
		}
		l.Close()
	} else {
		fmt.Fprintf(os.Stderr, "mdm2node assign: audit log not written: %v\n", aerr)
	}
	if err != nil {
		return err
	}
	fmt.Printf("series %s assigned to role %s of study %s (%s); the node applies it when it next runs\n", seriesUID, role, studyUID, store.AssignedReason)
	return nil
}
