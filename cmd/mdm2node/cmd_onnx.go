package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mdm2node/mdm2node/pipeline/deep"
	"github.com/mdm2node/mdm2node/pipeline/deep/onnxgen"
)

// defaultResNetPath is the output path of `mdm2node onnx resnet50`, inside
// the git-ignored var/ folder.
const defaultResNetPath = "var/models/resnet50-random.onnx"

func init() {
	register("onnx", "write ONNX models: onnx tiny|resnet50|expose-pool [flags]", runONNX)
}

func runONNX(args []string) error {
	usage := errors.New(`usage:
  mdm2node onnx tiny [-o FILE]         the tiny test CNN (8 features, 32x32 input)
  mdm2node onnx resnet50 [-o FILE]     ResNet50 architecture with deterministic random weights
  mdm2node onnx expose-pool -i IN -o OUT [-channels N]
                                       add the global-average-pool output of a
                                       torchvision ResNet50 export to its outputs`)
	if len(args) == 0 {
		return usage
	}
	switch args[0] {
	case "tiny":
		return runONNXTiny(args[1:])
	case "resnet50":
		return runONNXResNet50(args[1:])
	case "expose-pool":
		return runONNXExposePool(args[1:])
	case "-h", "-help", "--help":
		fmt.Fprintln(os.Stdout, usage)
		return flag.ErrHelp
	}
	return fmt.Errorf("unknown model %q\n%v", args[0], usage)
}

func runONNXTiny(args []string) error {
	fs := flag.NewFlagSet("onnx tiny", flag.ContinueOnError)
	out := fs.String("o", "tiny_cnn.onnx", "output `file`")
	withHead := fs.Bool("head", false, "end in a 5-class Gemm (\"logits\") instead of the pooled features, to test expose-pool")
	if err := fs.Parse(args); err != nil {
		return err
	}
	return writeModel(*out, onnxgen.TinyCNN(onnxgen.TinySeed, *withHead).Marshal())
}

func runONNXResNet50(args []string) error {
	fs := flag.NewFlagSet("onnx resnet50", flag.ContinueOnError)
	out := fs.String("o", defaultResNetPath, "output `file`")
	width := fs.Int("width", 64, "stem channel count; 64 is ResNet50 (2048 features), smaller values shrink every layer")
	size := fs.Int("size", 224, "declared input height and width in pixels")
	seed := fs.Uint64("seed", onnxgen.DefaultResNetSeed, "weight seed")
	withHead := fs.Bool("head", false, "end in the 1000-class classifier (\"logits\"), like a torchvision export")
	if err := fs.Parse(args); err != nil {
		return err
	}
	m, err := onnxgen.ResNet50(onnxgen.ResNetOptions{Width: *width, InputSize: *size, Seed: *seed, WithHead: *withHead})
	if err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, "NOTE: random weights; features from this model are for testing and benchmarks only")
	return writeModel(*out, m.Marshal())
}

func runONNXExposePool(args []string) error {
	fs := flag.NewFlagSet("onnx expose-pool", flag.ContinueOnError)
	in := fs.String("i", "", "input ONNX `file`, for example a torchvision resnet50 export ending in 1000 logits")
	out := fs.String("o", "", "output ONNX `file`")
	channels := fs.Int("channels", 0, "channel count of the pooled output; 0 reads it from the convolution before the pool")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *in == "" || *out == "" {
		return errors.New("onnx expose-pool: -i and -o are required")
	}
	data, err := os.ReadFile(*in)
	if err != nil {
		return err
	}
	edited, name, err := onnxgen.ExposePool(data, *channels)
	if err != nil {
		return fmt.Errorf("%s: %w", *in, err)
	}
	if err := writeModel(*out, edited); err != nil {
		return err
	}
	fmt.Printf("exposed output: %s\nset deep.model.output_name to %q\n", name, name)
	return nil
}

// writeModel writes data to path through a temporary file and prints the
// path and SHA-256 for the deep.model section of the configuration.
func writeModel(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	sum, err := deep.FileSHA256(path)
	if err != nil {
		return err
	}
	fmt.Printf("wrote %s (%d bytes)\nsha256 %s\n", path, len(data), sum)
	return nil
}
