package onnxgen

// Names and sizes of the tiny test network.
const (
	TinyInput    = "input"
	TinyOutput   = "features"
	TinyLogits   = "logits"
	TinySize     = 32 // input height and width
	TinyFeatures = 8
	TinyClasses  = 5
	// TinySeed is the weight seed of the network kept in testdata.
	TinySeed = 20240501
)

// TinyCNN returns a small deterministic network with the layer types of
// ResNet50's stem and pooling:
//
//	input [batch,3,32,32]
//	Conv 3->4, 3x3, stride 1, pad 1, bias; Relu
//	MaxPool 2x2, stride 2            -> [batch,4,16,16]
//	Conv 4->8, 3x3, stride 2, pad 1, bias; Relu -> [batch,8,8,8]
//	GlobalAveragePool                -> "pool" [batch,8,1,1]
//	Flatten                          -> "features" [batch,8]
//
// With withHead the graph instead ends, as a torchvision classifier does, in
// Flatten and Gemm to "logits" [batch,5], and "features" is not an output.
func TinyCNN(seed uint64, withHead bool) *Model {
	b := newBuilder("tiny_cnn", seed)
	x := b.relu(b.conv(TinyInput, 3, 4, 3, 1, 1, 1))
	x = b.maxPool(x, 2, 2, 0)
	x = b.relu(b.conv(x, 4, 8, 3, 2, 1, 1))
	b.node("GlobalAveragePool", []string{x})
	pool := b.renameLast("pool")

	b.g.Inputs = []ValueInfo{imageInput(TinyInput, 3, TinySize, TinySize)}
	if withHead {
		b.head(pool, TinyFeatures, TinyClasses)
		b.renameLast(TinyLogits)
		b.g.Outputs = []ValueInfo{{Name: TinyLogits, Dims: []Dim{{Param: "batch"}, {Value: TinyClasses}}}}
	} else {
		b.node("Flatten", []string{pool}, IntAttr("axis", 1))
		b.renameLast(TinyOutput)
		b.g.Outputs = []ValueInfo{{Name: TinyOutput, Dims: []Dim{{Param: "batch"}, {Value: TinyFeatures}}}}
	}
	return &Model{Producer: "mdm2node onnxgen", DocString: "tiny deterministic CNN for tests; random weights", Graph: b.g}
}
