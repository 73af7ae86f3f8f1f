package pipeline

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mdm2node/mdm2node/internal/testutil"
	"github.com/mdm2node/mdm2node/pipeline/deep"
)

// model is the bundle the tests' node scores with, trained once per test
// binary by the node's own commands.
var model struct {
	once   sync.Once
	dir    string
	bundle string
	err    string
}

// extractorFile is the random-weight ResNet50 that `mdm2node onnx resnet50`
// writes, relative to the repository root: the default deep.model.file.
const extractorFile = "var/models/resnet50-random.onnx"

// requireRuntime fails in CI and skips elsewhere when the ONNX Runtime
// library that `make deps` installs is missing.
func requireRuntime(t testing.TB) {
	t.Helper()
	lib := deep.LibraryPath("", testutil.RepoRoot(t))
	if _, err := os.Stat(lib); err != nil {
		testutil.Missing(t, "ONNX Runtime library "+lib)
	}
}

// trainedModel returns the path of a model bundle trained on 20 small
// synthetic studies (radiomics and deep features, primary model
// multimodal-deep, so that the node runs the ONNX extractor).
func trainedModel(t testing.TB) string {
	t.Helper()
	requireRuntime(t)
	model.once.Do(func() { trainModel(t) })
	if model.err != "" {
		t.Fatal(model.err)
	}
	return model.bundle
}

func trainModel(t testing.TB) {
	root := testutil.RepoRoot(t)
	fail := func(what string, err error, out []byte) {
		model.err = what + ": " + err.Error() + "\n" + string(out)
	}
	mdm2node := func(args ...string) bool {
		cmd := exec.Command(binaryPath, args...)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		if err != nil {
			fail("mdm2node "+strings.Join(args, " "), err, out)
			return false
		}
		return true
	}
	dir, err := os.MkdirTemp("", "mdm2node-e2e-model-")
	if err != nil {
		fail("temporary folder", err, nil)
		return
	}
	model.dir = dir

	// 1. The extractor, a cohort, its features and a bundle.
	if _, err := os.Stat(filepath.Join(root, extractorFile)); err != nil {
		if !mdm2node("onnx", "resnet50", "-o", filepath.Join(root, extractorFile)) {
			return
		}
	}
	cohort := filepath.Join(dir, "cohort")
	if !mdm2node("synth", "-out", cohort, "-n", "20", "-seed", "5", "-q",
		"-ct-matrix", "64", "-ct-slices", "8", "-mr-matrix", "64", "-mr-slices", "8") {
		return
	}
	features, manifest := filepath.Join(dir, "features.csv"), filepath.Join(dir, "manifest.csv")
	if !mdm2node("features", "-cohort", cohort, "-out", features, "-manifest-out", manifest, "-q") {
		return
	}
	bundle := filepath.Join(dir, "bundle.json")
	if !mdm2node("train", "-manifest", manifest, "-features", features, "-out", bundle,
		"-extractor-onnx", filepath.Join(root, extractorFile), "-repeats", "1", "-outer-folds", "3", "-inner-folds", "3",
		"-grid", "c=1,10;gamma=0.01,0.1;k=3,5", "-models", "multimodal-deep,multimodal-radiomics", "-primary", "multimodal-deep") {
		return
	}
	model.bundle = bundle
}

// pipelineConfig is the configuration of a scoring node beyond its node,
// storage and audit sections: a short quiet period, the trained bundle and
// the receiver as the destination of every result. series holds more keys
// of the series section, indented by two spaces.
func pipelineConfig(bundle string, receiverPort int, series string) string {
	return `series:
  readiness:
    quiet_period: 1s
    max_wait: 5m
` + series + `pipeline:
  model_bundle: ` + bundle + `
  training_data: synthetic phantom studies (end-to-end test model)
results:
  destinations:
    - {ae_title: RECEIVER, host: 127.0.0.1, port: ` + itoa(receiverPort) + `}
  default_destinations: [RECEIVER]
  retry: {initial_backoff: 1s, factor: 2, max_backoff: 5s, max_age: 1h}
`
}
