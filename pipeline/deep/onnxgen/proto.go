package onnxgen

import (
	"encoding/binary"
	"math"
)

// Field numbers and enum values from onnx/onnx.proto (ONNX 1.x, stable
// since IR version 3).
const (
	modelIRVersion   = 1
	modelProducer    = 2
	modelProducerVer = 3
	modelDocString   = 6
	modelGraph       = 7
	modelOpsetImport = 8

	opsetVersion = 2

	graphNode        = 1
	graphName        = 2
	graphInitializer = 5
	graphInput       = 11
	graphOutput      = 12

	nodeInput     = 1
	nodeOutput    = 2
	nodeName      = 3
	nodeOpType    = 4
	nodeAttribute = 5

	attrName   = 1
	attrFloat  = 2
	attrInt    = 3
	attrInts   = 8
	attrType   = 20
	attrTFloat = 1
	attrTInt   = 2
	attrTInts  = 7

	tensorDims     = 1
	tensorDataType = 2
	tensorName     = 8
	tensorRawData  = 9

	valueInfoName = 1
	valueInfoType = 2

	typeTensor     = 1
	tensorElemType = 1
	tensorShape    = 2
	shapeDim       = 1
	dimValue       = 1
	dimParam       = 2

	// elemFloat is TensorProto.DataType FLOAT.
	elemFloat = 1
)

// IRVersion is the ONNX IR version written by this package (IR version 8
// came with ONNX 1.10 and is read by every ONNX Runtime release since 1.10).
const IRVersion = 8

// DefaultOpset is the ai.onnx operator set version written by this package.
const DefaultOpset = 17

// Model is an ONNX model with a single graph and the default (ai.onnx)
// operator set.
type Model struct {
	Producer  string
	DocString string
	Opset     int64
	Graph     Graph
}

// Graph is a computation graph: nodes in topological order, constant
// initializers, and the declared inputs and outputs.
type Graph struct {
	Name         string
	Nodes        []Node
	Initializers []Tensor
	Inputs       []ValueInfo
	Outputs      []ValueInfo
}

// Node is one operator application.
type Node struct {
	Name    string
	OpType  string
	Inputs  []string
	Outputs []string
	Attrs   []Attr
}

// Attr is a node attribute of type INT, INTS or FLOAT.
type Attr struct {
	Name  string
	kind  int
	i     int64
	ints  []int64
	float float32
}

// IntAttr returns an INT attribute.
func IntAttr(name string, v int64) Attr { return Attr{Name: name, kind: attrTInt, i: v} }

// IntsAttr returns an INTS attribute.
func IntsAttr(name string, vs ...int64) Attr { return Attr{Name: name, kind: attrTInts, ints: vs} }

// FloatAttr returns a FLOAT attribute.
func FloatAttr(name string, v float32) Attr { return Attr{Name: name, kind: attrTFloat, float: v} }

// Tensor is a float32 initializer, stored as raw little-endian data.
type Tensor struct {
	Name string
	Dims []int64
	Data []float32
}

// Dim is one dimension of a declared shape: a fixed size when Param is
// empty, else a symbolic name such as "batch".
type Dim struct {
	Value int64
	Param string
}

// ValueInfo declares a float32 tensor input or output with its shape.
type ValueInfo struct {
	Name string
	Dims []Dim
}

// Marshal encodes m as an ONNX ModelProto.
func (m *Model) Marshal() []byte {
	var e encoder
	e.varint(modelIRVersion, IRVersion)
	if m.Producer != "" {
		e.str(modelProducer, m.Producer)
		e.str(modelProducerVer, "1")
	}
	if m.DocString != "" {
		e.str(modelDocString, m.DocString)
	}
	e.bytes(modelGraph, m.Graph.marshal())
	opset := m.Opset
	if opset == 0 {
		opset = DefaultOpset
	}
	var o encoder
	o.varint(opsetVersion, opset)
	e.bytes(modelOpsetImport, o.b)
	return e.b
}

func (g *Graph) marshal() []byte {
	var e encoder
	for i := range g.Nodes {
		e.bytes(graphNode, g.Nodes[i].marshal())
	}
	e.str(graphName, g.Name)
	for i := range g.Initializers {
		e.bytes(graphInitializer, g.Initializers[i].marshal())
	}
	for i := range g.Inputs {
		e.bytes(graphInput, g.Inputs[i].marshal())
	}
	for i := range g.Outputs {
		e.bytes(graphOutput, g.Outputs[i].marshal())
	}
	return e.b
}

func (n *Node) marshal() []byte {
	var e encoder
	for _, in := range n.Inputs {
		e.str(nodeInput, in)
	}
	for _, out := range n.Outputs {
		e.str(nodeOutput, out)
	}
	if n.Name != "" {
		e.str(nodeName, n.Name)
	}
	e.str(nodeOpType, n.OpType)
	for _, a := range n.Attrs {
		e.bytes(nodeAttribute, a.marshal())
	}
	return e.b
}

func (a Attr) marshal() []byte {
	var e encoder
	e.str(attrName, a.Name)
	switch a.kind {
	case attrTInt:
		e.varint(attrInt, a.i)
	case attrTInts:
		for _, v := range a.ints {
			e.varint(attrInts, v)
		}
	case attrTFloat:
		e.float32(attrFloat, a.float)
	}
	e.varint(attrType, int64(a.kind))
	return e.b
}

func (t *Tensor) marshal() []byte {
	var e encoder
	e.packedInt64(tensorDims, t.Dims)
	e.varint(tensorDataType, elemFloat)
	e.str(tensorName, t.Name)
	raw := make([]byte, 0, 4*len(t.Data))
	for _, v := range t.Data {
		raw = binary.LittleEndian.AppendUint32(raw, math.Float32bits(v))
	}
	e.bytes(tensorRawData, raw)
	return e.b
}

func (v *ValueInfo) marshal() []byte {
	var shape encoder
	for _, d := range v.Dims {
		var de encoder
		if d.Param != "" {
			de.str(dimParam, d.Param)
		} else {
			de.varint(dimValue, d.Value)
		}
		shape.bytes(shapeDim, de.b)
	}
	var tt encoder
	tt.varint(tensorElemType, elemFloat)
	tt.bytes(tensorShape, shape.b)
	var typ encoder
	typ.bytes(typeTensor, tt.b)

	var e encoder
	e.str(valueInfoName, v.Name)
	e.bytes(valueInfoType, typ.b)
	return e.b
}
