package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/mdm2node/mdm2node/config"
	"github.com/mdm2node/mdm2node/store"
)

func init() {
	register("studies", "list the stored studies: studies -data-dir DIR [-json]", runStudies)
}

func runStudies(args []string) error {
	fs := flag.NewFlagSet("studies", flag.ContinueOnError)
	dataDir := fs.String("data-dir", "", "data folder of the node (default: storage.data_dir of -config)")
	configPath := fs.String("config", "", "configuration file to take the data folder from")
	asJSON := fs.Bool("json", false, "print JSON: an array of studies, each with its series")
	wait := fs.Duration("wait", 2*time.Second, "how long to wait for the index while another process writes it")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: mdm2node studies [-data-dir DIR | -config FILE] [-json]")
		fmt.Fprintln(fs.Output(), "Lists the studies in the node's index, opened read-only. While a server")
		fmt.Fprintln(fs.Output(), "holds the index, it waits -wait and then lists the server's snapshot,")
		fmt.Fprintln(fs.Output(), "which is at most a few seconds old.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	dir := *dataDir
	if dir == "" {
		cfg := config.Default()
		if *configPath != "" {
			var err error
			if cfg, err = config.Load(*configPath); err != nil {
				return err
			}
		}
		dir = cfg.Storage.DataDir
	}

	listing, note, err := readListing(dir, *wait)
	if err != nil {
		return err
	}
	states, err := readStudyStates(dir, note != "", *wait)
	if err != nil {
		return err
	}
	if *asJSON {
		return encodeStudiesWithStates(os.Stdout, listing, states)
	}
	if note != "" {
		fmt.Fprintln(os.Stderr, note)
	}
	if err := printStudies(listing); err != nil {
		return err
	}
	return printStudyStates(os.Stdout, listing, states)
}

// readListing reads the studies from the index, or, while a running server
// holds the index, from the snapshot the server rewrites every few seconds.
// note names the snapshot read, empty when the index was read.
func readListing(dir string, wait time.Duration) (listing []store.StudyListing, note string, err error) {
	ix, err := store.OpenIndexReadOnly(dir, wait)
	if errors.Is(err, store.ErrLocked) {
		snap, serr := store.ReadSnapshot(dir)
		if serr != nil {
			return nil, "", fmt.Errorf("the index of %s is held by a running mdm2node serve and it has written no snapshot yet (%v); retry in a few seconds", dir, serr)
		}
		note = fmt.Sprintf("mdm2node serve is running: this is its snapshot of %s", snap.Written.Local().Format(time.DateTime))
		return snap.Studies, note, nil
	}
	if errors.Is(err, os.ErrNotExist) {
		return nil, "", fmt.Errorf("no index in %s: nothing has been stored there yet, or it is not a data folder of the node", dir)
	}
	if err != nil {
		return nil, "", err
	}
	defer ix.Close()
	listing, err = ix.Listing()
	return listing, "", err
}

// printStudies prints one line per study and an indented line per series.
// Patient names stay out of this view; -json has them.
func printStudies(listing []store.StudyListing) error {
	if len(listing) == 0 {
		fmt.Println("no studies stored")
		return nil
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "STUDY UID\tPATIENT ID\tDATE\tMODALITIES\tSERIES\tINSTANCES\tDESCRIPTION")
	for _, st := range listing {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%d\t%d\t%s\n", st.StudyInstanceUID, orDash(st.PatientID), orDash(st.StudyDate),
			orDash(strings.Join(st.Modalities, ",")), st.Series, st.Instances, st.Description)
		for _, se := range st.SeriesList {
			fmt.Fprintf(w, "  series %s\t%s\t%s\t%s\t\t%d\t%s\n", se.SeriesInstanceUID, "#"+orDash(se.SeriesNumber),
				orDash(se.SeriesDate), orDash(se.Modality), se.Instances, se.Description)
		}
	}
	return w.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
