package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/mdm2node/mdm2node/config"
	"github.com/mdm2node/mdm2node/store"
)

func init() {
	register("deliveries", "list pending, delivered and failed result deliveries: deliveries -data-dir DIR [-json]", runDeliveries)
}

func runDeliveries(args []string) error {
	flags := flag.NewFlagSet("deliveries", flag.ContinueOnError)
	dataDir := flags.String("data-dir", "", "data folder of the node (default: storage.data_dir of -config)")
	configPath := flags.String("config", "", "configuration file to take the data folder from")
	asJSON := flags.Bool("json", false, "print JSON: an array of deliveries")
	state := flags.String("state", "", "list only deliveries in this state: pending, delivered or failed")
	wait := flags.Duration("wait", 2*time.Second, "how long to wait for the index while another process writes it")
	flags.Usage = func() {
		fmt.Fprintln(flags.Output(), "usage: mdm2node deliveries [-data-dir DIR | -config FILE] [-json] [-state STATE]")
		fmt.Fprintln(flags.Output(), "Lists the result delivery queue in the node's index, opened read-only.")
		fmt.Fprintln(flags.Output(), "While a server holds the index, it waits -wait and then lists the snapshot")
		fmt.Fprintln(flags.Output(), "that the server's delivery worker rewrites after every change.")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		return err
	}
	if flags.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", flags.Args())
	}
	switch store.DeliveryState(*state) {
	case "", store.DeliveryPending, store.DeliveryDelivered, store.DeliveryFailed:
	default:
		return fmt.Errorf("-state %q is not pending, delivered or failed", *state)
	}
	dir, err := dataDirOf(*dataDir, *configPath)
	if err != nil {
		return err
	}

	all, note, err := readDeliveries(dir, *wait)
	if err != nil {
		return err
	}
	if note != "" && !*asJSON {
		fmt.Fprintln(os.Stderr, note)
	}
	list := []store.Delivery{}
	for _, d := range all {
		if *state == "" || string(d.State) == *state {
			list = append(list, d)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tDESTINATION\tATTEMPTS\tQUEUED\tNEXT/DONE\tSOP INSTANCE UID\tLAST ERROR")
	for _, d := range list {
		when := ""
		switch d.State {
		case store.DeliveryPending:
			when = d.NextAttempt.Local().Format(time.DateTime)
		case store.DeliveryDelivered:
			when = d.Delivered.Local().Format(time.DateTime)
		default:
			when = d.LastAttempt.Local().Format(time.DateTime)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\t%s\t%s\n", d.ID, d.State, d.Destination, d.Attempts,
			d.Queued.Local().Format(time.DateTime), when, d.SOPInstanceUID, d.LastError)
	}
	return tw.Flush()
}

// readDeliveries reads the queue from the index, or, while a running
// server holds the index, from the snapshot its delivery worker rewrites
// after every change. note names the snapshot that was read.
func readDeliveries(dir string, wait time.Duration) (list []store.Delivery, note string, err error) {
	ix, err := openIndexForDeliveries(dir, true, wait)
	if errors.Is(err, store.ErrLocked) {
		snap, serr := store.ReadDeliveriesSnapshot(dir)
		if serr != nil {
			return nil, "", fmt.Errorf("%w; and its delivery worker has written no snapshot (%v)", err, serr)
		}
		note = fmt.Sprintf("mdm2node serve is running: this is its delivery snapshot of %s", snap.Written.Local().Format(time.DateTime))
		return snap.Deliveries, note, nil
	}
	if err != nil {
		return nil, "", err
	}
	defer ix.Close()
	list, err = ix.Deliveries()
	return list, "", err
}

// dataDirOf returns dataDir, else storage.data_dir of the configuration
// file, else the default data folder.
func dataDirOf(dataDir, configPath string) (string, error) {
	if dataDir != "" {
		return dataDir, nil
	}
	cfg := config.Default()
	if configPath != "" {
		var err error
		if cfg, err = config.Load(configPath); err != nil {
			return "", err
		}
	}
	return cfg.Storage.DataDir, nil
}

// openIndexForDeliveries opens the index of dir, explaining the two usual
// failures: a running server holds it, or there is none.
func openIndexForDeliveries(dir string, readOnly bool, wait time.Duration) (*store.Index, error) {
	path := filepath.Join(dir, store.IndexFile)
	if _, err := os.Stat(path); err != nil && errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no index in %s: nothing has been stored there yet, or it is not a data folder of the node", dir)
	}
	ix, err := store.OpenIndex(path, readOnly, wait)
	switch {
	case errors.Is(err, store.ErrLocked):
		return nil, fmt.Errorf("the index of %s is held by a running mdm2node serve; stop it and run this again: %w", dir, err)
	}
	return ix, err
}
