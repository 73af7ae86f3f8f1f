package main

import (
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/mdm2node/mdm2node/store"
)

func init() {
	register("resend", "queue a delivered or failed result delivery again: resend -data-dir DIR ID", runResend)
}

func runResend(args []string) error {
	flags := flag.NewFlagSet("resend", flag.ContinueOnError)
	dataDir := flags.String("data-dir", "", "data folder of the node (default: storage.data_dir of -config)")
	configPath := flags.String("config", "", "configuration file to take the data folder from")
	wait := flags.Duration("wait", 2*time.Second, "how long to wait for the index while another process writes it")
	flags.Usage = func() {
		fmt.Fprintln(flags.Output(), "usage: mdm2node resend [-data-dir DIR | -config FILE] ID")
		fmt.Fprintln(flags.Output(), "Sets a delivered or failed delivery (ID from `mdm2node deliveries`) back to")
		fmt.Fprintln(flags.Output(), "pending with no attempts, due now. While `mdm2node serve` runs, it leaves a")
		fmt.Fprintln(flags.Output(), "request that the server's delivery worker performs within a few seconds;")
		fmt.Fprintln(flags.Output(), "a request for a pending or unknown ID is then only logged by the server.")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		return err
	}
	if flags.NArg() != 1 {
		flags.Usage()
		return fmt.Errorf("one delivery ID is required, got %d arguments", flags.NArg())
	}
	id, err := store.ParseDeliveryID(flags.Arg(0))
	if err != nil {
		return err
	}
	dir, err := dataDirOf(*dataDir, *configPath)
	if err != nil {
		return err
	}

	// 1. The index, for writing.
	ix, err := openIndexForDeliveries(dir, false, *wait)
	if errors.Is(err, store.ErrLocked) {
		// A running server holds the index: its delivery worker performs
		// the request within a few seconds.
		path, rerr := store.RequestResend(dir, id)
		if rerr != nil {
			return fmt.Errorf("%w; and the resend request could not be written: %v", err, rerr)
		}
		fmt.Printf("mdm2node serve is running: resend of delivery %d requested (%s); check it with `mdm2node deliveries`\n", id, path)
		return nil
	}
	if err != nil {
		return err
	}
	defer ix.Close()

	// 2. The resend itself.
	d, err := ix.ResendDelivery(id, time.Now())
	if err != nil {
		return err
	}
	fmt.Printf("delivery %d of %s to %s queued again\n", d.ID, d.SOPInstanceUID, d.Destination)
	return nil
}
