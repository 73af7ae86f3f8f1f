// Package onnxgen writes and edits ONNX model files without a protobuf
// dependency: it encodes the few ONNX messages it needs (ModelProto,
// GraphProto, NodeProto, TensorProto, ValueInfoProto, AttributeProto) in the
// protobuf wire format by hand, with the field numbers of onnx/onnx.proto
// (IR version 8, default operator set 17).
//
// It builds three kinds of model:
//
//   - TinyCNN, a small deterministic network kept in testdata, whose outputs
//     are checked against a plain-Go forward pass;
//   - ResNet50, a graph with the architecture of torchvision's resnet50
//     (He et al., "Deep Residual Learning for Image Recognition", CVPR 2016).
//     It has bottleneck blocks 3-4-6-3 with the stride on the 3x3
//     convolution, as torchvision's "ResNet V1.5" does. Batch normalisation
//     is folded into the convolutions, the weights are deterministic random
//     numbers, and the output is the 2048 globally pooled features. Its
//     weights are for testing and benchmarks only;
//   - ExposePool, an edit of an existing model (for example torchvision's
//     resnet50 exported to ONNX, which ends in 1000 logits) that adds the
//     output of the global average pool feeding the classifier to the graph
//     outputs.
//
// Inspect reads the declared inputs and outputs of a model file.
package onnxgen
