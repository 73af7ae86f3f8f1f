package deep

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/mdm2node/mdm2node/config"
)

func TestFromConfigDefaults(t *testing.T) {
	t.Setenv(LibraryEnv, "")
	ext, pre, opt, err := FromConfig(config.Default().Deep)
	if err != nil {
		t.Fatal(err)
	}
	want := Extractor{
		Architecture: "resnet50", File: config.DefaultDeepModelFile,
		InputName: "input", OutputName: "features", InputSize: 224, Layout: LayoutNCHW,
		Mean: ImageNetMean, Std: ImageNetStd, Features: 2048,
	}
	if d := cmp.Diff(want, ext); d != "" {
		t.Errorf("extractor (-want +got):\n%s", d)
	}
	wantPre := Preprocess{MarginMM: 10, CTWindow: [2]float64{-160, 240}, MRPercentiles: [2]float64{0.5, 99.5}}
	if pre != wantPre {
		t.Errorf("preprocessing %+v, want %+v", pre, wantPre)
	}
	if opt.Library != DefaultLibrary || opt.IntraOpThreads != 0 {
		t.Errorf("session options %+v", opt)
	}
	names := ext.FeatureNames()
	if len(names) != 2048 || names[0] != "deep_resnet50_0000" || names[2047] != "deep_resnet50_2047" {
		t.Errorf("feature names %v ... %v", names[0], names[len(names)-1])
	}
}

func TestFromConfigYAML(t *testing.T) {
	cases := []struct {
		name  string
		yaml  string
		check func(t *testing.T, ext Extractor, err error)
	}{
		{"xception keras", "deep:\n  model:\n    architecture: xception\n    file: x.onnx\n    layout: NHWC\n    mean: [0.5, 0.5, 0.5]\n    std: [0.5, 0.5, 0.5]\n",
			func(t *testing.T, ext Extractor, err error) {
				if err != nil {
					t.Fatal(err)
				}
				if ext.InputSize != 299 || ext.Features != 2048 || ext.Layout != LayoutNHWC || ext.Std != [3]float64{0.5, 0.5, 0.5} {
					t.Errorf("extractor %+v", ext)
				}
			}},
		{"inception_resnet_v2", "deep:\n  model:\n    architecture: inception_resnet_v2\n",
			func(t *testing.T, ext Extractor, err error) {
				if err != nil || ext.Features != 1536 || ext.InputSize != 299 {
					t.Errorf("extractor %+v, error %v", ext, err)
				}
			}},
		{"vgg16", "deep:\n  model:\n    architecture: vgg16\n",
			func(t *testing.T, ext Extractor, err error) {
				if err != nil || ext.Features != 512 || ext.InputSize != 224 {
					t.Errorf("extractor %+v, error %v", ext, err)
				}
			}},
		{"custom without sizes", "deep:\n  model:\n    architecture: densenet121\n",
			func(t *testing.T, ext Extractor, err error) {
				if !errors.Is(err, ErrExtractor) {
					t.Errorf("error %v, want ErrExtractor", err)
				}
			}},
		{"custom with sizes", "deep:\n  model:\n    architecture: densenet121\n    input_size: 224\n    features: 1024\n",
			func(t *testing.T, ext Extractor, err error) {
				if err != nil || ext.Features != 1024 || ext.FeatureNames()[0] != "deep_densenet121_0000" {
					t.Errorf("extractor %+v, error %v", ext, err)
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.yaml")
			if err := os.WriteFile(path, []byte(c.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			cfg, err := config.Load(path)
			if err != nil {
				t.Fatal(err)
			}
			ext, _, _, err := FromConfig(cfg.Deep)
			c.check(t, ext, err)
		})
	}
}

func TestConfigRejectsBadDeepValues(t *testing.T) {
	cases := map[string]string{
		"negative threads":   "deep:\n  intra_op_threads: -1\n",
		"bad layout":         "deep:\n  model:\n    layout: CHW\n",
		"two means":          "deep:\n  model:\n    mean: [0.5, 0.5]\n",
		"zero std":           "deep:\n  model:\n    std: [0.5, 0, 0.5]\n",
		"short sha256":       "deep:\n  model:\n    sha256: abc\n",
		"inverted window":    "deep:\n  preprocessing:\n    ct_window: [240, -160]\n",
		"percentile 101":     "deep:\n  preprocessing:\n    mr_percentiles: [1, 101]\n",
		"neighbours 11":      "deep:\n  preprocessing:\n    neighbour_slices: 11\n",
		"negative margin":    "deep:\n  preprocessing:\n    margin_mm: -1\n",
		"empty architecture": "deep:\n  model:\n    architecture: \"\"\n",
	}
	for name, yaml := range cases {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.yaml")
			if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := config.Load(path); !errors.Is(err, config.ErrInvalid) {
				t.Errorf("error %v, want config.ErrInvalid", err)
			}
		})
	}
}

func TestRepositoryConfigMatchesDefaults(t *testing.T) {
	cfg, err := config.Load(filepath.Join("..", "..", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	got, def := cfg.Deep, config.Default().Deep
	// config.yaml spells empty lists as [], which decode as empty slices.
	if d := cmp.Diff(def, got, cmpEmptySlices); d != "" {
		t.Errorf("config.yaml deep section differs from the defaults (-default +file):\n%s", d)
	}
}

var cmpEmptySlices = cmp.Transformer("emptySlice", func(v []float64) []float64 {
	if len(v) == 0 {
		return nil
	}
	return v
})
