package worker

import (
	"strings"
	"testing"

	"github.com/mdm2node/mdm2node/internal/dcmuid"
	"github.com/mdm2node/mdm2node/pipeline/bundle"
)

func TestDeviceUIDStableAndValid(t *testing.T) {
	a, b := DeviceUID("MDM2NODE\x00/var/data"), DeviceUID("MDM2NODE\x00/var/data")
	if a != b {
		t.Errorf("same name gave %s and %s", a, b)
	}
	if err := dcmuid.Check(a); err != nil {
		t.Errorf("%s: %v", a, err)
	}
	if other := DeviceUID("MDM2NODE\x00/srv/data"); other == a {
		t.Errorf("two installations share the UID %s", a)
	}
}

func TestTrainingStatement(t *testing.T) {
	b := &bundle.Bundle{Training: bundle.Training{Samples: 40, Lipoma: 25, WDLPS: 15,
		ManifestFile: "cohort.csv", DatasetSHA256: strings.Repeat("ab", 32)}}
	tests := []struct{ name, override, want string }{
		{"from metadata", "", "a cohort of 40 studies (25 lipoma, 15 WDLPS) listed in cohort.csv, dataset SHA-256 abababababab"},
		{"override", "  synthetic phantom studies ", "synthetic phantom studies"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := TrainingStatement(b, tc.override); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
