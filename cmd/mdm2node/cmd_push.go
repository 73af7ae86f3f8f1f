package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/mdm2node/mdm2node/config"
	"github.com/mdm2node/mdm2node/results"
)

func init() {
	register("push", "send every DICOM file under a folder with C-STORE: push DIR -to AE@HOST:PORT [-calling-ae AE]", runPush)
}

func runPush(args []string) error {
	flags := flag.NewFlagSet("push", flag.ContinueOnError)
	to := flags.String("to", "", "destination as AE@HOST:PORT, for example PACS@127.0.0.1:104")
	callingAE := flags.String("calling-ae", config.DefaultAETitle, "calling AE title of the association")
	connect := flags.Duration("connect-timeout", config.DefaultConnectTimeout, "longest wait for the connection, A-ASSOCIATE-AC and A-RELEASE-RP")
	dimse := flags.Duration("dimse-timeout", config.DefaultDeliveryDIMSE, "longest wait for each PDU of a C-STORE response")
	flags.Usage = func() {
		fmt.Fprintln(flags.Output(), "usage: mdm2node push DIR -to AE@HOST:PORT [-calling-ae AE]")
		fmt.Fprintln(flags.Output(), "Sends every DICOM file under DIR (Part 10 files and bare data sets in")
		fmt.Fprintln(flags.Output(), "Implicit or Explicit VR Little Endian) on one association, prints one line")
		fmt.Fprintln(flags.Output(), "per file and a summary, and exits with status 1 when any file failed.")
		fmt.Fprintln(flags.Output(), "Files that are not DICOM are listed as skipped.")
		flags.PrintDefaults()
	}
	// The folder may come before or after the flags.
	var dir string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		dir, args = args[0], args[1:]
	}
	if err := flags.Parse(args); err != nil {
		return err
	}
	if dir == "" && flags.NArg() == 1 {
		dir = flags.Arg(0)
	} else if flags.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", flags.Args())
	}
	if dir == "" || *to == "" {
		flags.Usage()
		return errors.New("a folder and -to AE@HOST:PORT are required")
	}
	peer, err := parseDestination(*to)
	if err != nil {
		return err
	}
	if err := config.CheckAETitle(*callingAE); err != nil {
		return fmt.Errorf("-calling-ae: %v", err)
	}

	// 1. The DICOM files under dir.
	var instances []results.Instance
	skipped := 0
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		inst, err := results.ReadInstance(path)
		if err != nil {
			skipped++
			fmt.Printf("skipped  %s: %v\n", path, err)
			return nil
		}
		instances = append(instances, inst)
		return nil
	})
	if err != nil {
		return err
	}
	if len(instances) == 0 {
		return fmt.Errorf("no DICOM files under %s (%d other files skipped)", dir, skipped)
	}

	// 2. One association for all of them.
	start := time.Now()
	res, assocErr := results.Send(context.Background(), peer.Address(), results.SendConfig{
		CallingAE:      *callingAE,
		CalledAE:       peer.AETitle,
		ConnectTimeout: *connect,
		DIMSETimeout:   *dimse,
	}, instances)

	// 3. Per-file lines and the summary. Without an association every
	// file failed for the same reason, which is printed once.
	if assocErr != nil {
		fmt.Printf("0 sent, %d failed, %d skipped to %s: no association\n", len(instances), skipped, *to)
		return assocErr
	}
	sent, failed := 0, 0
	for i, r := range res {
		switch {
		case r.Stored() && r.Status != 0:
			sent++
			fmt.Printf("warning  %s: status %04X\n", instances[i].Path, r.Status)
		case r.Stored():
			sent++
			fmt.Printf("sent     %s\n", instances[i].Path)
		default:
			failed++
			fmt.Printf("failed   %s: %v\n", instances[i].Path, r.Err)
		}
	}
	fmt.Printf("%d sent, %d failed, %d skipped to %s in %v\n", sent, failed, skipped, *to, time.Since(start).Round(time.Millisecond))
	if failed > 0 {
		return fmt.Errorf("%d of %d files failed", failed, len(instances))
	}
	return nil
}

// parseDestination parses AE@HOST:PORT.
func parseDestination(s string) (config.Peer, error) {
	ae, addr, ok := strings.Cut(s, "@")
	if !ok {
		return config.Peer{}, fmt.Errorf("destination %q is not AE@HOST:PORT", s)
	}
	if err := config.CheckAETitle(ae); err != nil {
		return config.Peer{}, fmt.Errorf("destination %q: %v", s, err)
	}
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return config.Peer{}, fmt.Errorf("destination %q: %v", s, err)
	}
	port, err := strconv.Atoi(portText)
	if err != nil || port < 1 || port > 65535 || host == "" {
		return config.Peer{}, fmt.Errorf("destination %q: host or port (1 to 65535) invalid", s)
	}
	return config.Peer{AETitle: ae, Host: host, Port: port}, nil
}
