package deep

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestPresets(t *testing.T) {
	cases := []struct {
		architecture string
		features     int
		size         int
	}{
		{"resnet50", 2048, 224},
		{"vgg16", 512, 224},
		{"vgg19", 512, 224},
		{"inception_v3", 2048, 299},
		{"xception", 2048, 299},
		{"inception_resnet_v2", 1536, 299},
	}
	for _, c := range cases {
		e, err := Preset(c.architecture)
		if err != nil {
			t.Fatal(err)
		}
		if e.Features != c.features || e.InputSize != c.size || e.Layout != LayoutNCHW || e.Mean != ImageNetMean || e.Std != ImageNetStd {
			t.Errorf("%s: %+v, want %d features at %d pixels with ImageNet NCHW input", c.architecture, e, c.features, c.size)
		}
	}
	if len(Architectures()) != len(cases) {
		t.Errorf("Architectures() = %v, want %d names", Architectures(), len(cases))
	}
	if _, err := Preset("alexnet"); !errors.Is(err, ErrExtractor) || !strings.Contains(err.Error(), "resnet50") {
		t.Errorf("unknown architecture: %v, want ErrExtractor listing the known ones", err)
	}
}

func TestSameIdentity(t *testing.T) {
	base, _ := Preset("resnet50")
	base.File, base.SHA256 = "a/resnet50.onnx", strings.Repeat("0f", 32)
	cases := []struct {
		name   string
		change func(*Extractor)
		same   bool
	}{
		{"other path", func(e *Extractor) { e.File = "b/resnet50.onnx" }, true},
		{"upper-case checksum", func(e *Extractor) { e.SHA256 = strings.ToUpper(e.SHA256) }, true},
		{"other checksum", func(e *Extractor) { e.SHA256 = strings.Repeat("1f", 32) }, false},
		{"other architecture", func(e *Extractor) { e.Architecture = "vgg16" }, false},
		{"other output", func(e *Extractor) { e.OutputName = "pool" }, false},
		{"other size", func(e *Extractor) { e.InputSize = 299 }, false},
		{"other layout", func(e *Extractor) { e.Layout = LayoutNHWC }, false},
		{"other mean", func(e *Extractor) { e.Mean[1] = 0.5 }, false},
		{"other count", func(e *Extractor) { e.Features = 1000 }, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := base
			c.change(&o)
			err := base.SameIdentity(o)
			if c.same && err != nil {
				t.Errorf("error %v, want none", err)
			}
			if !c.same && !errors.Is(err, ErrExtractor) {
				t.Errorf("error %v, want ErrExtractor", err)
			}
		})
	}
}

func TestExtractorJSONRoundTrip(t *testing.T) {
	e, _ := Preset("xception")
	e.File, e.SHA256 = "x.onnx", strings.Repeat("ab", 32)
	data, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var back Extractor
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if back != e {
		t.Errorf("round trip gave %+v, want %+v", back, e)
	}
	if !strings.Contains(string(data), `"input_size":299`) {
		t.Errorf("JSON %s lacks input_size", data)
	}
}
