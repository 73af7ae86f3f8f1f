package config

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestResultsValidate(t *testing.T) {
	valid := func() Results {
		var r Results
		r.setDefaults()
		r.Destinations = []Peer{{AETitle: "PACS", Host: "127.0.0.1", Port: 104}}
		r.DefaultDestinations = []string{"PACS"}
		return r
	}
	cases := []struct {
		name   string
		change func(r *Results)
		ok     bool
	}{
		{"defaults with one destination", func(r *Results) {}, true},
		{"duplicate AE title", func(r *Results) { r.Destinations = append(r.Destinations, r.Destinations[0]) }, false},
		{"default not a destination", func(r *Results) { r.DefaultDestinations = []string{"OTHER"} }, false},
		{"port out of range", func(r *Results) { r.Destinations[0].Port = 70000 }, false},
		{"empty host", func(r *Results) { r.Destinations[0].Host = "" }, false},
		{"bad calling AE", func(r *Results) { r.CallingAE = `A\B` }, false},
		{"bad device UID", func(r *Results) { r.DeviceUID = "1.02.3" }, false},
		{"valid device UID", func(r *Results) { r.DeviceUID = "2.25.1234" }, true},
		{"factor below 1", func(r *Results) { r.Retry.Factor = 0.5 }, false},
		{"max backoff below initial", func(r *Results) { r.Retry.MaxBackoff = time.Second }, false},
		{"zero max age", func(r *Results) { r.Retry.MaxAge = 0 }, false},
		{"zero connect timeout", func(r *Results) { r.Timeouts.Connect = 0 }, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := valid()
			c.change(&r)
			err := r.validate()
			if c.ok && err != nil {
				t.Errorf("validate: %v, want nil", err)
			}
			if !c.ok && !errors.Is(err, ErrInvalid) {
				t.Errorf("validate: %v, want ErrInvalid", err)
			}
		})
	}
}

func TestResultsYAML(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.yaml")
	text := `results:
  destinations:
    - {ae_title: PACS, host: 127.0.0.1, port: 11113}
  default_destinations: [PACS]
  retry: {initial_backoff: 10ms, factor: 3, max_backoff: 1s, max_age: 5s}
`
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	r := cfg.Results
	if p, ok := r.Destination("PACS"); !ok || p.Port != 11113 {
		t.Errorf("Destination(PACS) = %+v, %v", p, ok)
	}
	if r.Retry.InitialBackoff != 10*time.Millisecond || r.Retry.Factor != 3 || r.Retry.MaxAge != 5*time.Second {
		t.Errorf("retry = %+v", r.Retry)
	}
	if !r.SendToSender || r.Timeouts.Connect != DefaultConnectTimeout {
		t.Errorf("defaults not kept: send_to_sender %v, connect %v", r.SendToSender, r.Timeouts.Connect)
	}
}
