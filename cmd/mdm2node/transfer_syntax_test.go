package main

import (
	"slices"
	"testing"

	"github.com/mdm2node/mdm2node/config"
	"github.com/mdm2node/mdm2node/scp"
	"github.com/mdm2node/mdm2node/series"
)

// The listener must accept image storage only in transfer syntaxes whose
// pixel data the series package decodes, so that a sender converts any
// other before sending.
func TestImageTransferSyntaxesDecodable(t *testing.T) {
	accepted := scpConfig(config.Default()).ImageTransferSyntaxes
	if len(accepted) == 0 {
		accepted = scp.ImageTransferSyntaxes
	}
	for _, ts := range accepted {
		if !slices.Contains(series.DecodableTransferSyntaxes, ts) {
			t.Errorf("the listener accepts image storage in %s, which the series package cannot decode", ts)
		}
	}
}
