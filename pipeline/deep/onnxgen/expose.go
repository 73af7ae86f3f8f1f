package onnxgen

import (
	"errors"
	"fmt"
)

// ErrNoPool is returned by ExposePool when the graph has no global average
// pool feeding a classifier.
var ErrNoPool = errors.New("onnxgen: no GlobalAveragePool or ReduceMean node feeding Flatten, Reshape, Squeeze or Gemm")

// ExposePool returns a copy of the model in data with the output of its
// global average pool added to the graph outputs, declared as a float
// tensor [batch, channels, 1, 1]. A channels value of 0 takes the output
// channel count of the convolution the pool reads from (found through
// element-wise Relu, Add, BatchNormalization, Clip and Identity nodes). The pool is the last GlobalAveragePool or
// ReduceMean node whose output feeds a Flatten, Reshape, Squeeze or Gemm
// node, which is how torchvision's resnet50 export ends (GlobalAveragePool,
// Flatten, Gemm). For a ReduceMean pool, channels and the trailing 1s must
// match what the node computes; ONNX Runtime reports a mismatch when it
// loads the model.
//
// It returns the name of the exposed output. When that name is already an
// output the model is returned unchanged. Every field other than the graph's
// outputs is copied byte for byte.
func ExposePool(data []byte, channels int) ([]byte, string, error) {
	if channels < 0 {
		return nil, "", fmt.Errorf("onnxgen: channel count %d must not be negative", channels)
	}
	info, err := Inspect(data)
	if err != nil {
		return nil, "", err
	}

	// 1. Find the pool: the last pooling node that feeds a classifier op.
	feedsHead := map[string]bool{}
	for _, n := range info.Nodes {
		switch n.OpType {
		case "Flatten", "Reshape", "Squeeze", "Gemm":
			if len(n.Inputs) > 0 {
				feedsHead[n.Inputs[0]] = true
			}
		}
	}
	pool, poolInput := "", ""
	for _, n := range info.Nodes {
		if (n.OpType == "GlobalAveragePool" || n.OpType == "ReduceMean") && len(n.Outputs) == 1 && len(n.Inputs) > 0 && feedsHead[n.Outputs[0]] {
			pool, poolInput = n.Outputs[0], n.Inputs[0]
		}
	}
	if pool == "" {
		return nil, "", ErrNoPool
	}
	if channels == 0 {
		if channels = convChannels(info, poolInput); channels == 0 {
			return nil, "", fmt.Errorf("onnxgen: cannot find the channel count of %q; give it explicitly", pool)
		}
	}
	for _, o := range info.Outputs {
		if o.Name == pool {
			return data, pool, nil
		}
	}

	// 2. Append the new output to the graph message. Protobuf allows a
	// repeated field's elements anywhere in a message, so appending keeps
	// the existing outputs in order and the new one last.
	out := ValueInfo{Name: pool, Dims: []Dim{{Param: "batch"}, {Value: int64(channels)}, {Value: 1}, {Value: 1}}}
	fields, err := decodeFields(data)
	if err != nil {
		return nil, "", err
	}
	var e encoder
	for _, f := range fields {
		if f.num != modelGraph || f.wire != wireBytes {
			e.b = append(e.b, f.raw...)
			continue
		}
		var g encoder
		g.b = append(g.b, f.data...)
		g.bytes(graphOutput, out.marshal())
		e.bytes(modelGraph, g.b)
	}
	return e.b, pool, nil
}

// convChannels returns the output channel count of the Conv node that
// produces value, following the first input of element-wise nodes back to
// it, or 0 when there is none.
func convChannels(info *Info, value string) int {
	producer := map[string]Node{}
	for _, n := range info.Nodes {
		for _, out := range n.Outputs {
			producer[out] = n
		}
	}
	weights := map[string][]int64{}
	for _, t := range info.Initializers {
		weights[t.Name] = t.Dims
	}
	for steps := 0; steps < len(info.Nodes); steps++ {
		n, ok := producer[value]
		if !ok || len(n.Inputs) == 0 {
			return 0
		}
		switch n.OpType {
		case "Conv":
			if len(n.Inputs) < 2 || len(weights[n.Inputs[1]]) != 4 {
				return 0
			}
			return int(weights[n.Inputs[1]][0])
		case "Relu", "Add", "BatchNormalization", "Clip", "Identity":
			value = n.Inputs[0]
		default:
			return 0
		}
	}
	return 0
}
