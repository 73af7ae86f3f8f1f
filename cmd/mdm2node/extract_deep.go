package main

import (
	"fmt"
	"log/slog"
	"os"
	"sync"

	"github.com/mdm2node/mdm2node/config"
	"github.com/mdm2node/mdm2node/pipeline/deep"
)

func init() {
	featureSets["deep"] = extractDeep
}

// deepState holds the process's one deep-feature session, created on first
// use from the configuration of that first call and kept until exit,
// because creating a session loads the whole network.
var deepState struct {
	once sync.Once
	sess *deep.Session
	pre  deep.Preprocess
	err  error
}

// extractDeep computes the deep features of one region with the extractor
// in the deep section of the configuration. An input without a modality is
// windowed by percentiles, as MR is.
func extractDeep(in extractInput) ([]string, []float64, error) {
	deepState.once.Do(func() {
		cfg := config.Default()
		if in.ConfigPath != "" {
			if cfg, deepState.err = config.Load(in.ConfigPath); deepState.err != nil {
				return
			}
		}
		ext, pre, opt, err := deep.FromConfig(cfg.Deep)
		if err != nil {
			deepState.err = err
			return
		}
		opt.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
		deepState.sess, deepState.err = deep.Open(ext, opt)
		deepState.pre = pre
	})
	if deepState.err != nil {
		return nil, nil, fmt.Errorf("deep features: %w", deepState.err)
	}
	values, err := deepState.sess.Features(in.Image, in.Mask, in.Modality, deepState.pre)
	if err != nil {
		return nil, nil, err
	}
	ext := deepState.sess.Extractor()
	return ext.FeatureNames(), values, nil
}
