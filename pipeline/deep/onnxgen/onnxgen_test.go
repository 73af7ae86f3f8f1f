package onnxgen

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// torchvisionResNet50Params is the parameter count torchvision documents
// for resnet50 (ResNet50_Weights.IMAGENET1K_V1, "num_params": 25557032).
const torchvisionResNet50Params = 25557032

// resNet50BNChannels is the channel count summed over ResNet50's batch
// normalisation layers: the stem's 64, then per stage the blocks' mid, mid
// and 4*mid channels plus the projection's 4*mid.
var resNet50BNChannels = 64 +
	3*(64+64+256) + 256 +
	4*(128+128+512) + 512 +
	6*(256+256+1024) + 1024 +
	3*(512+512+2048) + 2048

func countParams(m *Model) (int, map[string]int) {
	n := 0
	for _, t := range m.Graph.Initializers {
		n += len(t.Data)
	}
	ops := map[string]int{}
	for _, node := range m.Graph.Nodes {
		ops[node.OpType]++
	}
	return n, ops
}

func TestResNet50Structure(t *testing.T) {
	// torchvision's count has 2 parameters per batch-normalised channel
	// (weight and bias); folding leaves 1 (the convolution's bias).
	cases := []struct {
		name       string
		head       bool
		wantParams int
	}{
		{"features", false, torchvisionResNet50Params - (2048*1000 + 1000) - resNet50BNChannels},
		{"classifier", true, torchvisionResNet50Params - resNet50BNChannels},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := ResNet50(ResNetOptions{Width: 64, InputSize: 224, Seed: 1, WithHead: c.head})
			if err != nil {
				t.Fatal(err)
			}
			params, ops := countParams(m)
			if params != c.wantParams {
				t.Errorf("%d parameters, want %d", params, c.wantParams)
			}
			// 1 stem + 16 blocks x 3 + 4 projections.
			if ops["Conv"] != 53 {
				t.Errorf("%d Conv nodes, want 53", ops["Conv"])
			}
			if ops["Add"] != 16 || ops["MaxPool"] != 1 || ops["GlobalAveragePool"] != 1 {
				t.Errorf("op counts %v, want 16 Add, 1 MaxPool, 1 GlobalAveragePool", ops)
			}
			out := m.Graph.Outputs[0]
			wantOut, wantDim := ResNetOutput, int64(2048)
			if c.head {
				wantOut, wantDim = ResNetLogits, 1000
			}
			if out.Name != wantOut || out.Dims[1].Value != wantDim {
				t.Errorf("output %s %v, want %s [batch %d]", out.Name, out.Dims, wantOut, wantDim)
			}
		})
	}
}

func TestResNet50Deterministic(t *testing.T) {
	opt := ResNetOptions{Width: 4, InputSize: 64, Seed: 7}
	a, err := ResNet50(opt)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := ResNet50(opt)
	if string(a.Marshal()) != string(b.Marshal()) {
		t.Error("two models with the same seed differ")
	}
	opt.Seed = 8
	c, _ := ResNet50(opt)
	if string(a.Marshal()) == string(c.Marshal()) {
		t.Error("models with different seeds are equal")
	}
	if _, err := ResNet50(ResNetOptions{Width: 0, InputSize: 224}); err == nil {
		t.Error("width 0 accepted")
	}
}

func TestInspectRoundTrip(t *testing.T) {
	m := TinyCNN(TinySeed, false)
	info, err := Inspect(m.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if info.IRVersion != IRVersion || info.Opset != DefaultOpset {
		t.Errorf("IR %d opset %d, want %d %d", info.IRVersion, info.Opset, IRVersion, DefaultOpset)
	}
	if len(info.Nodes) != len(m.Graph.Nodes) || len(info.Initializers) != len(m.Graph.Initializers) {
		t.Fatalf("%d nodes, %d initializers, want %d, %d", len(info.Nodes), len(info.Initializers), len(m.Graph.Nodes), len(m.Graph.Initializers))
	}
	for i, n := range m.Graph.Nodes {
		got := info.Nodes[i]
		if got.OpType != n.OpType || got.Name != n.Name || len(got.Inputs) != len(n.Inputs) || got.Outputs[0] != n.Outputs[0] {
			t.Errorf("node %d: %+v, want %+v", i, got, n)
		}
	}
	for i, init := range m.Graph.Initializers {
		got, err := info.Initializers[i].Floats()
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(init.Data) || got[0] != init.Data[0] || got[len(got)-1] != init.Data[len(got)-1] {
			t.Errorf("initializer %s does not round-trip", init.Name)
		}
	}
	in := info.Inputs[0]
	if in.Name != TinyInput || len(in.Dims) != 4 || in.Dims[0].Param != "batch" || in.Dims[2].Value != TinySize {
		t.Errorf("input %+v", in)
	}
}

func TestInspectTruncated(t *testing.T) {
	data := TinyCNN(TinySeed, false).Marshal()
	for _, n := range []int{1, 2, 10, len(data) / 2, len(data) - 1} {
		if _, err := Inspect(data[:n]); err == nil {
			t.Errorf("model truncated to %d of %d bytes accepted", n, len(data))
		} else if !errors.Is(err, ErrMalformed) {
			t.Errorf("truncated to %d: %v, want ErrMalformed", n, err)
		}
	}
}

func TestExposePoolWithoutPool(t *testing.T) {
	m := TinyCNN(TinySeed, false)
	// Drop everything from the GlobalAveragePool on.
	m.Graph.Nodes = m.Graph.Nodes[:5]
	if _, _, err := ExposePool(m.Marshal(), 8); !errors.Is(err, ErrNoPool) {
		t.Errorf("error %v, want ErrNoPool", err)
	}
	if _, _, err := ExposePool(TinyCNN(TinySeed, true).Marshal(), -1); err == nil {
		t.Error("channel count -1 accepted")
	}
}

func FuzzInspect(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("..", "testdata", "*.onnx"))
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := Inspect(data)
		if err != nil {
			return
		}
		for _, init := range info.Initializers {
			init.Floats()
		}
		ExposePool(data, 8)
	})
}

func TestExposePoolInfersChannels(t *testing.T) {
	m, err := ResNet50(ResNetOptions{Width: 4, InputSize: 64, Seed: 3, WithHead: true})
	if err != nil {
		t.Fatal(err)
	}
	edited, name, err := ExposePool(m.Marshal(), 0)
	if err != nil {
		t.Fatal(err)
	}
	info, err := Inspect(edited)
	if err != nil {
		t.Fatal(err)
	}
	last := info.Outputs[len(info.Outputs)-1]
	if name != ResNetPool || last.Name != ResNetPool || len(last.Dims) != 4 || last.Dims[1].Value != 128 {
		t.Errorf("exposed %q as %+v, want %q [batch 128 1 1]", name, last, ResNetPool)
	}
}
