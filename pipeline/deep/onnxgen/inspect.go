package onnxgen

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Info is the part of a model that Inspect decodes, enough to check the
// model against an extractor description and to edit its outputs.
type Info struct {
	IRVersion int64
	// Opset is the version of the default (ai.onnx) operator set.
	Opset int64
	// Inputs are the graph inputs that are not initializers.
	Inputs  []ValueInfo
	Outputs []ValueInfo
	Nodes   []Node
	// Initializers reference the model bytes passed to Inspect; they are
	// valid as long as those bytes are not modified.
	Initializers []Initializer
}

// Initializer is a constant tensor of the graph.
type Initializer struct {
	Name     string
	Dims     []int64
	DataType int64
	raw      []byte
	floats   []byte // packed float_data
}

// Floats decodes a FLOAT initializer from raw_data or float_data.
func (t Initializer) Floats() ([]float32, error) {
	if t.DataType != elemFloat {
		return nil, fmt.Errorf("onnxgen: initializer %q has data type %d, not FLOAT", t.Name, t.DataType)
	}
	src := t.raw
	if src == nil {
		src = t.floats
	}
	if len(src)%4 != 0 {
		return nil, fmt.Errorf("%w: initializer %q has %d data bytes", ErrMalformed, t.Name, len(src))
	}
	out := make([]float32, len(src)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
	}
	return out, nil
}

// Inspect decodes the graph structure of an ONNX ModelProto. It does not
// copy initializer data.
func Inspect(data []byte) (*Info, error) {
	fields, err := decodeFields(data)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	info := &Info{}
	var graph []byte
	for _, f := range fields {
		switch {
		case f.num == modelIRVersion && f.wire == wireVarint:
			info.IRVersion = int64(f.val)
		case f.num == modelGraph && f.wire == wireBytes:
			graph = f.data
		case f.num == modelOpsetImport && f.wire == wireBytes:
			domain, version, err := decodeOpset(f.data)
			if err != nil {
				return nil, err
			}
			if domain == "" || domain == "ai.onnx" {
				info.Opset = version
			}
		}
	}
	if graph == nil {
		return nil, fmt.Errorf("%w: model has no graph", ErrMalformed)
	}
	if err := info.decodeGraph(graph); err != nil {
		return nil, fmt.Errorf("graph: %w", err)
	}
	return info, nil
}

func decodeOpset(msg []byte) (string, int64, error) {
	fields, err := decodeFields(msg)
	if err != nil {
		return "", 0, fmt.Errorf("opset_import: %w", err)
	}
	var domain string
	var version int64
	for _, f := range fields {
		switch {
		case f.num == 1 && f.wire == wireBytes:
			domain = string(f.data)
		case f.num == opsetVersion && f.wire == wireVarint:
			version = int64(f.val)
		}
	}
	return domain, version, nil
}

func (info *Info) decodeGraph(msg []byte) error {
	fields, err := decodeFields(msg)
	if err != nil {
		return err
	}
	var inputs []ValueInfo
	isInit := map[string]bool{}
	for _, f := range fields {
		if f.wire != wireBytes {
			continue
		}
		switch f.num {
		case graphNode:
			n, err := decodeNode(f.data)
			if err != nil {
				return err
			}
			info.Nodes = append(info.Nodes, n)
		case graphInitializer:
			t, err := decodeInitializer(f.data)
			if err != nil {
				return err
			}
			isInit[t.Name] = true
			info.Initializers = append(info.Initializers, t)
		case graphInput, graphOutput:
			v, err := decodeValueInfo(f.data)
			if err != nil {
				return err
			}
			if f.num == graphInput {
				inputs = append(inputs, v)
			} else {
				info.Outputs = append(info.Outputs, v)
			}
		}
	}
	for _, v := range inputs {
		if !isInit[v.Name] {
			info.Inputs = append(info.Inputs, v)
		}
	}
	return nil
}

// decodeNode reads a node's names and operator type; attributes are not
// decoded.
func decodeNode(msg []byte) (Node, error) {
	fields, err := decodeFields(msg)
	if err != nil {
		return Node{}, fmt.Errorf("node: %w", err)
	}
	var n Node
	for _, f := range fields {
		if f.wire != wireBytes {
			continue
		}
		switch f.num {
		case nodeInput:
			n.Inputs = append(n.Inputs, string(f.data))
		case nodeOutput:
			n.Outputs = append(n.Outputs, string(f.data))
		case nodeName:
			n.Name = string(f.data)
		case nodeOpType:
			n.OpType = string(f.data)
		}
	}
	return n, nil
}

func decodeInitializer(msg []byte) (Initializer, error) {
	fields, err := decodeFields(msg)
	if err != nil {
		return Initializer{}, fmt.Errorf("initializer: %w", err)
	}
	var t Initializer
	for _, f := range fields {
		switch {
		case f.num == tensorDims:
			if t.Dims, err = f.int64s(t.Dims); err != nil {
				return Initializer{}, err
			}
		case f.num == tensorDataType && f.wire == wireVarint:
			t.DataType = int64(f.val)
		case f.num == tensorName && f.wire == wireBytes:
			t.Name = string(f.data)
		case f.num == tensorRawData && f.wire == wireBytes:
			t.raw = f.data
		case f.num == 4 && f.wire == wireBytes: // float_data, packed
			t.floats = f.data
		}
	}
	return t, nil
}

func decodeValueInfo(msg []byte) (ValueInfo, error) {
	fields, err := decodeFields(msg)
	if err != nil {
		return ValueInfo{}, fmt.Errorf("value_info: %w", err)
	}
	var v ValueInfo
	for _, f := range fields {
		if f.wire != wireBytes {
			continue
		}
		switch f.num {
		case valueInfoName:
			v.Name = string(f.data)
		case valueInfoType:
			if v.Dims, err = decodeTensorShape(f.data); err != nil {
				return ValueInfo{}, fmt.Errorf("value_info %q: %w", v.Name, err)
			}
		}
	}
	return v, nil
}

// decodeTensorShape follows TypeProto.tensor_type.shape.dim; a non-tensor
// type or a missing shape gives nil dimensions.
func decodeTensorShape(typeProto []byte) ([]Dim, error) {
	tt, err := subMessage(typeProto, typeTensor)
	if err != nil || tt == nil {
		return nil, err
	}
	shape, err := subMessage(tt, tensorShape)
	if err != nil || shape == nil {
		return nil, err
	}
	fields, err := decodeFields(shape)
	if err != nil {
		return nil, err
	}
	dims := []Dim{}
	for _, f := range fields {
		if f.num != shapeDim || f.wire != wireBytes {
			continue
		}
		df, err := decodeFields(f.data)
		if err != nil {
			return nil, err
		}
		var d Dim
		for _, g := range df {
			switch {
			case g.num == dimValue && g.wire == wireVarint:
				d.Value = int64(g.val)
			case g.num == dimParam && g.wire == wireBytes:
				d.Param = string(g.data)
			}
		}
		dims = append(dims, d)
	}
	return dims, nil
}

// subMessage returns the payload of the last length-delimited field num of
// msg, or nil when it is absent.
func subMessage(msg []byte, num int) ([]byte, error) {
	fields, err := decodeFields(msg)
	if err != nil {
		return nil, err
	}
	var out []byte
	for _, f := range fields {
		if f.num == num && f.wire == wireBytes {
			out = f.data
		}
	}
	return out, nil
}
