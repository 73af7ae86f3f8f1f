package onnxgen

import "fmt"

// Names of the generated ResNet50's input and outputs.
const (
	ResNetInput  = "input"
	ResNetPool   = "pool"
	ResNetOutput = "features"
	ResNetLogits = "logits"
)

// ResNetOptions configures the generated ResNet50.
type ResNetOptions struct {
	// Width is the channel count of the stem; torchvision's resnet50 has 64,
	// which gives 2048 features. Smaller widths keep the same layer layout
	// with 32*Width features, for fast tests of the generator.
	Width int
	// InputSize is the declared input height and width (224 for ImageNet).
	InputSize int
	// Seed selects the deterministic random weights.
	Seed uint64
	// WithHead ends the graph in Flatten and a 1000-class Gemm, like
	// torchvision's exported classifier, with "logits" the only output.
	WithHead bool
}

// DefaultResNetSeed is the weight seed of `mdm2node onnx resnet50`.
const DefaultResNetSeed = 50

// resNetStage is one stage of bottleneck blocks: the block count, the width
// of the inner 3x3 convolution as a multiple of the stem width, and the
// stride of the stage's first block.
type resNetStage struct {
	blocks, mid, stride int
}

// resNet50Stages is the 3-4-6-3 layout of ResNet-50 (He et al. 2016,
// Table 1); each block's output has 4 times the inner width.
var resNet50Stages = []resNetStage{{3, 1, 1}, {4, 2, 2}, {6, 4, 2}, {3, 8, 2}}

// ResNet50 returns a graph with the layer layout of torchvision's resnet50
// (stride on the 3x3 convolution of each bottleneck) in which every batch
// normalisation is folded into the convolution before it, as
// torch.onnx.export does in evaluation mode. The weights are deterministic
// random numbers (He-uniform, with the last convolution of each block scaled
// by 0.2 so that activations stay bounded across the 16 residual additions).
// The features they give are for testing and benchmarks only.
//
// Without WithHead the outputs are "features" [batch, 32*Width] (global
// average pool, flattened).
func ResNet50(opt ResNetOptions) (*Model, error) {
	if opt.Width <= 0 || opt.InputSize < 32 {
		return nil, fmt.Errorf("onnxgen: resnet50 width %d must be positive and input size %d at least 32", opt.Width, opt.InputSize)
	}
	w := opt.Width
	b := newBuilder("resnet50", opt.Seed)

	// Stem: 7x7 convolution with stride 2, then 3x3 max pooling with stride 2.
	x := b.relu(b.conv(ResNetInput, 3, w, 7, 2, 3, 1))
	x = b.maxPool(x, 3, 2, 1)
	channels := w

	// Four stages of bottleneck blocks; the first block of each stage
	// projects the shortcut with a strided 1x1 convolution.
	for _, st := range resNet50Stages {
		mid, out := st.mid*w, 4*st.mid*w
		for i := 0; i < st.blocks; i++ {
			stride := 1
			if i == 0 {
				stride = st.stride
			}
			shortcut := x
			if i == 0 {
				shortcut = b.conv(x, channels, out, 1, stride, 0, 1)
			}
			y := b.relu(b.conv(x, channels, mid, 1, 1, 0, 1))
			y = b.relu(b.conv(y, mid, mid, 3, stride, 1, 1))
			y = b.conv(y, mid, out, 1, 1, 0, 0.2)
			x = b.relu(b.add(y, shortcut))
			channels = out
		}
	}

	// Global average pooling, then either the flattened features or the
	// classifier.
	b.node("GlobalAveragePool", []string{x})
	pool := b.renameLast(ResNetPool)
	b.g.Inputs = []ValueInfo{imageInput(ResNetInput, 3, opt.InputSize, opt.InputSize)}
	if opt.WithHead {
		b.head(pool, channels, 1000)
		b.renameLast(ResNetLogits)
		b.g.Outputs = []ValueInfo{{Name: ResNetLogits, Dims: []Dim{{Param: "batch"}, {Value: 1000}}}}
	} else {
		b.node("Flatten", []string{pool}, IntAttr("axis", 1))
		b.renameLast(ResNetOutput)
		b.g.Outputs = []ValueInfo{{Name: ResNetOutput, Dims: []Dim{{Param: "batch"}, {Value: int64(channels)}}}}
	}
	doc := "ResNet50 architecture (torchvision layout, batch normalisation folded) with deterministic random weights: for testing and benchmarks only, not ImageNet features"
	return &Model{Producer: "mdm2node onnxgen", DocString: doc, Graph: b.g}, nil
}
