package main

import (
	"encoding/json"
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

// studyListing is one study with its series, as `studies -json` prints it.
type studyListing struct {
	store.StudyRecord
	SeriesList []store.SeriesRecord `json:"series_list"`
}

func runStudies(args []string) error {
	fs := flag.NewFlagSet("studies", flag.ContinueOnError)
	dataDir := fs.String("data-dir", "", "data folder of the node (default: storage.data_dir of -config)")
	configPath := fs.String("config", "", "configuration file to take the data folder from")
	asJSON := fs.Bool("json", false, "print JSON: an array of studies, each with its series")
	wait := fs.Duration("wait", 2*time.Second, "how long to wait for the index while another process writes it")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: mdm2node studies [-data-dir DIR | -config FILE] [-json]")
		fmt.Fprintln(fs.Output(), "Lists the studies in the node's index. The index is opened read-only;")
		fmt.Fprintln(fs.Output(), "while a server holds it, the command waits -wait and then fails.")
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

	ix, err := store.OpenIndexReadOnly(dir, *wait)
	if errors.Is(err, store.ErrLocked) {
		return fmt.Errorf("the index of %s is held by a running mdm2node serve; stop the server to list its studies, or use the audit log (mdm2node audit tail) while it runs", dir)
	}
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("no index in %s: nothing has been stored there yet, or it is not a data folder of the node", dir)
	}
	if err != nil {
		return err
	}
	defer ix.Close()

	studies, err := ix.Studies()
	if err != nil {
		return err
	}
	listing := make([]studyListing, 0, len(studies))
	for _, st := range studies {
		series, err := ix.SeriesOfStudy(st.StudyInstanceUID)
		if err != nil {
			return err
		}
		listing = append(listing, studyListing{StudyRecord: st, SeriesList: series})
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(listing)
	}
	return printStudies(listing)
}

// printStudies prints one line per study and an indented line per series.
// Patient names stay out of this view; -json has them.
func printStudies(listing []studyListing) error {
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
