package series

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mdm2node/mdm2node/config"
	"github.com/mdm2node/mdm2node/internal/testutil"
)

// config.yaml and the built-in defaults must hold the same series section.
func TestConfigSeriesDefaults(t *testing.T) {
	cfg, err := config.Load(filepath.Join(testutil.RepoRoot(t), "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(config.Default().Series, cfg.Series); diff != "" {
		t.Errorf("config.yaml series section differs from the defaults (-default +yaml):\n%s", diff)
	}
	if _, err := CompileRules(cfg.Series); err != nil {
		t.Fatal(err)
	}
}
