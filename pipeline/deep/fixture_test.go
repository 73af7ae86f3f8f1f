package deep

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/mdm2node/mdm2node/pipeline/deep/onnxgen"
)

var update = flag.Bool("update", false, "rewrite the ONNX fixtures in testdata from the generator")

// Fixture files and the models they hold.
var fixtures = []struct {
	file  string
	model func() []byte
}{
	{"tiny_cnn.onnx", func() []byte { return onnxgen.TinyCNN(onnxgen.TinySeed, false).Marshal() }},
	{"tiny_cnn_head.onnx", func() []byte { return onnxgen.TinyCNN(onnxgen.TinySeed, true).Marshal() }},
}

// TestFixturesMatchGenerator checks that the committed ONNX fixtures are
// exactly what the generator writes today, so the plain-Go reference and
// ONNX Runtime are compared on the model the generator describes.
func TestFixturesMatchGenerator(t *testing.T) {
	for _, f := range fixtures {
		path := filepath.Join("testdata", f.file)
		want := f.model()
		if *update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (regenerate with 'go test ./pipeline/deep -run TestFixturesMatchGenerator -update')", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the generator output (%d vs %d bytes)", path, len(got), len(want))
		}
	}
}
