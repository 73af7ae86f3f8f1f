// Command gencohort writes a synthetic cohort for the learning benchmark and
// for trying `mdm2node train`. It writes a manifest CSV and a feature table
// CSV with the feature layout of the node: 851 radiomics and 2048 deep
// features for each of CT, T1WI and T2FS, 8,697 columns in all. The cohort sizes and the
// clinical variables follow the figures of the reference study (89 training
// and 38 validation patients; age median 48 years, LDH median 160 U/L, both
// higher with WDLPS). A few features of each block carry a class signal; the
// rest are correlated noise. The output depends only on -seed.
package main

import (
	"encoding/csv"
	"flag"
	"fmt"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
)

func main() {
	out := flag.String("out", "cohort", "output `folder`")
	seed := flag.Uint64("seed", 1, "random seed")
	train := flag.Int("train", 89, "training patients")
	validation := flag.Int("validation", 38, "validation patients")
	radiomics := flag.Int("radiomics", 851, "radiomics features per modality")
	deep := flag.Int("deep", 2048, "deep features per modality")
	flag.Parse()
	if err := os.MkdirAll(*out, 0o755); err != nil {
		log.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(*seed, 0xc0))
	n := *train + *validation

	// Labels: 58 of 127 WDLPS in the study, about 46 %.
	labels := make([]int, n)
	for i := range labels {
		if rng.Float64() < 58.0/127.0 {
			labels[i] = 1
		}
	}

	// Manifest.
	mf, err := os.Create(filepath.Join(*out, "manifest.csv"))
	if err != nil {
		log.Fatal(err)
	}
	mw := csv.NewWriter(mf)
	mw.Write([]string{"study", "label", "cohort", "age", "ldh", "size_cm", "sex"})
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("SYN%04d", i+1)
		cohort := "train"
		if i >= *train {
			cohort = "validation"
		}
		label := "lipoma"
		if labels[i] == 1 {
			label = "WDLPS"
		}
		age := 44 + 8*float64(labels[i]) + 14*rng.NormFloat64()
		ldh := 150 + 22*float64(labels[i]) + 30*rng.NormFloat64()
		size := math.Exp(1.9 + 0.6*rng.NormFloat64())
		sex := "F"
		if rng.IntN(2) == 1 {
			sex = "M"
		}
		mw.Write([]string{ids[i], label, cohort, strconv.Itoa(int(math.Round(math.Max(age, 18)))),
			strconv.Itoa(int(math.Round(math.Max(ldh, 80)))), strconv.FormatFloat(size, 'f', 1, 64), sex})
	}
	mw.Flush()
	if err := mf.Close(); err != nil {
		log.Fatal(err)
	}

	// Feature table: blocks of features sharing a latent factor, a handful
	// with a class shift.
	var names []string
	for _, m := range []string{"CT", "T1WI", "T2FS"} {
		for j := 0; j < *radiomics; j++ {
			names = append(names, fmt.Sprintf("%s_original_feature%03d", m, j))
		}
		for j := 0; j < *deep; j++ {
			names = append(names, fmt.Sprintf("%s_deep_resnet50_%04d", m, j))
		}
	}
	p := len(names)
	shift := make([]float64, p)
	scale := make([]float64, p)
	load := make([]float64, p)
	for j := range shift {
		if rng.Float64() < 0.004 {
			shift[j] = 0.6 + 0.8*rng.Float64()
		}
		scale[j] = math.Exp(rng.NormFloat64())
		load[j] = rng.Float64()
	}
	ff, err := os.Create(filepath.Join(*out, "features.csv"))
	if err != nil {
		log.Fatal(err)
	}
	fw := csv.NewWriter(ff)
	fw.Write(append([]string{"study"}, names...))
	rec := make([]string, p+1)
	for i := 0; i < n; i++ {
		latent := rng.NormFloat64()
		rec[0] = ids[i]
		for j := 0; j < p; j++ {
			v := load[j]*latent + math.Sqrt(1-load[j]*load[j])*rng.NormFloat64() + shift[j]*float64(labels[i])
			rec[j+1] = strconv.FormatFloat(scale[j]*v, 'g', 8, 64)
		}
		fw.Write(rec)
	}
	fw.Flush()
	if err := ff.Close(); err != nil {
		log.Fatal(err)
	}
	fmt.Printf("wrote %d studies x %d features to %s\n", n, p, *out)
}
