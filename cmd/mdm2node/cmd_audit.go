package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/mdm2node/mdm2node/config"
	"github.com/mdm2node/mdm2node/store/audit"
)

func init() {
	register("audit", "read the audit log: audit tail [-f] [-n N] [-config FILE | -path FILE]", runAudit)
}

func runAudit(args []string) error {
	if len(args) == 0 || args[0] != "tail" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
			fmt.Println("usage: mdm2node audit tail [-f] [-n N] [-json] [-config FILE | -path FILE]")
			return flag.ErrHelp
		}
		return fmt.Errorf("usage: mdm2node audit tail [-f] [-n N] [-json] [-config FILE | -path FILE]")
	}
	fs := flag.NewFlagSet("audit tail", flag.ContinueOnError)
	follow := fs.Bool("f", false, "keep printing events as they are appended, until interrupted")
	last := fs.Int("n", 20, "print the last N events first (0: all)")
	configPath := fs.String("config", "", "configuration file whose audit.path to read (default config.yaml when present)")
	path := fs.String("path", "", "audit log file to read (overrides -config)")
	raw := fs.Bool("json", false, "print the events as JSON lines instead of text")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	file, err := auditPath(*path, *configPath)
	if err != nil {
		return err
	}
	show := func(e audit.Event) {
		if *raw {
			b, _ := json.Marshal(&e)
			fmt.Println(string(b))
			return
		}
		fmt.Println(audit.Format(e))
	}

	// 1. The last N events.
	var offset int64
	f, err := os.Open(file)
	switch {
	case err == nil:
		var events []audit.Event
		err = audit.Scan(f, func(e audit.Event) {
			events = append(events, e)
			if *last > 0 && len(events) > 2*(*last) {
				events = append(events[:0], events[len(events)-*last:]...)
			}
		}, func(line string, err error) {
			fmt.Fprintf(os.Stderr, "mdm2node audit: skipped a line that is not an event: %v\n", err)
		})
		if st, serr := f.Stat(); serr == nil {
			offset = st.Size()
		}
		f.Close()
		if err != nil {
			return err
		}
		if *last > 0 && len(events) > *last {
			events = events[len(events)-*last:]
		}
		for _, e := range events {
			show(e)
		}
	case errors.Is(err, os.ErrNotExist) && *follow:
		fmt.Fprintf(os.Stderr, "mdm2node audit: %s does not exist yet; waiting for it\n", file)
	default:
		return err
	}

	// 2. Then follow.
	if !*follow {
		return nil
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return audit.Follow(ctx, file, offset, show)
}

// auditPath picks the audit log: -path, else audit.path of -config, else of
// ./config.yaml when it exists, else the default.
func auditPath(path, configPath string) (string, error) {
	if path != "" {
		return path, nil
	}
	if configPath == "" {
		if _, err := os.Stat("config.yaml"); err == nil {
			configPath = "config.yaml"
		}
	}
	if configPath == "" {
		return config.DefaultAuditPath, nil
	}
	cfg, err := config.Load(configPath)
	if err != nil {
		return "", err
	}
	return cfg.Audit.Path, nil
}
