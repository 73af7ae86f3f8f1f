package onnxgen

import (
	"fmt"
	"math"
)

// splitMix64 is the SplitMix64 generator (Steele, Lea and Flood, "Fast
// splittable pseudorandom number generators", OOPSLA 2014). It is used
// instead of math/rand so that generated weights stay the same across Go
// releases.
type splitMix64 struct{ state uint64 }

func (s *splitMix64) next() uint64 {
	s.state += 0x9e3779b97f4a7c15
	z := s.state
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// uniform returns a value in [-a, a).
func (s *splitMix64) uniform(a float64) float32 {
	u := float64(s.next()>>11) / (1 << 53)
	return float32((2*u - 1) * a)
}

// builder appends nodes and initializers to a graph with generated names.
type builder struct {
	g   Graph
	rng splitMix64
	n   int
}

func newBuilder(name string, seed uint64) *builder {
	return &builder{g: Graph{Name: name}, rng: splitMix64{state: seed}}
}

func (b *builder) name(prefix string) string {
	b.n++
	return fmt.Sprintf("%s_%d", prefix, b.n)
}

// weights adds a float initializer of the given shape, uniform in [-a, a).
func (b *builder) weights(name string, a float64, dims ...int64) string {
	n := int64(1)
	for _, d := range dims {
		n *= d
	}
	data := make([]float32, n)
	for i := range data {
		data[i] = b.rng.uniform(a)
	}
	b.g.Initializers = append(b.g.Initializers, Tensor{Name: name, Dims: dims, Data: data})
	return name
}

func (b *builder) node(op string, inputs []string, attrs ...Attr) string {
	out := b.name(op)
	b.g.Nodes = append(b.g.Nodes, Node{Name: out, OpType: op, Inputs: inputs, Outputs: []string{out}, Attrs: attrs})
	return out
}

// conv adds a k x k convolution with bias, square stride and padding. The
// weights are uniform with standard deviation gain*sqrt(2/fan_in) (He
// initialisation scaled by gain); the bias is uniform in [-0.01, 0.01).
func (b *builder) conv(in string, cin, cout, k, stride, pad int, gain float64) string {
	prefix := b.name("conv")
	std := gain * math.Sqrt(2/float64(cin*k*k))
	w := b.weights(prefix+".weight", std*math.Sqrt(3), int64(cout), int64(cin), int64(k), int64(k))
	bias := b.weights(prefix+".bias", 0.01, int64(cout))
	p := int64(pad)
	return b.node("Conv", []string{in, w, bias},
		IntsAttr("kernel_shape", int64(k), int64(k)),
		IntsAttr("strides", int64(stride), int64(stride)),
		IntsAttr("pads", p, p, p, p),
	)
}

func (b *builder) relu(in string) string { return b.node("Relu", []string{in}) }

func (b *builder) add(x, y string) string { return b.node("Add", []string{x, y}) }

func (b *builder) maxPool(in string, k, stride, pad int) string {
	p := int64(pad)
	return b.node("MaxPool", []string{in},
		IntsAttr("kernel_shape", int64(k), int64(k)),
		IntsAttr("strides", int64(stride), int64(stride)),
		IntsAttr("pads", p, p, p, p),
	)
}

// renameLast gives the output of the last node the name out, so that graph
// outputs have stable names.
func (b *builder) renameLast(out string) string {
	b.g.Nodes[len(b.g.Nodes)-1].Outputs[0] = out
	return out
}

// head adds Flatten and a fully connected layer (Gemm with transB=1, as
// torchvision exports nn.Linear) with classes outputs.
func (b *builder) head(pool string, channels, classes int) string {
	flat := b.node("Flatten", []string{pool}, IntAttr("axis", 1))
	a := math.Sqrt(1 / float64(channels))
	w := b.weights("fc.weight", a, int64(classes), int64(channels))
	bias := b.weights("fc.bias", a, int64(classes))
	return b.node("Gemm", []string{flat, w, bias}, IntAttr("transB", 1))
}

// imageInput returns the declaration of an NCHW float input with a symbolic
// batch dimension.
func imageInput(name string, channels, height, width int) ValueInfo {
	return ValueInfo{Name: name, Dims: []Dim{{Param: "batch"}, {Value: int64(channels)}, {Value: int64(height)}, {Value: int64(width)}}}
}
