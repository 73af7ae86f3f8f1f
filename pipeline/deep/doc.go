// Package deep computes deep features of a tumour region: the globally
// pooled activations of a convolutional network's last block (2048 for
// ImageNet ResNet50), with the network used as a frozen feature extractor and
// run by ONNX Runtime through github.com/yalue/onnxruntime_go.
//
// Preprocessing follows the deep-feature branch of the radiomics study the
// node implements: the region's largest axial cross-section (optionally
// with neighbouring slices whose features are averaged) is cropped to the
// region's bounding box plus a margin, windowed (CT by a fixed window in
// Hounsfield units, MR by intensity percentiles inside the box), resized
// bilinearly to the network's input size, replicated to three channels and
// normalised with the ImageNet mean and standard deviation (He et al., "Deep
// Residual Learning for Image Recognition", CVPR 2016, for the network;
// torchvision's ImageNet normalisation constants for the input).
//
// An Extractor describes the network file (path, SHA-256, input and output
// names, input size, normalisation, feature count); a bundle stores it so
// that a model trained on one extractor is never applied to another.
// Session owns one ONNX Runtime session; create one per process and reuse it.
//
// The ONNX Runtime shared library is found through the deep.onnxruntime_library
// configuration key, else the ONNXRUNTIME_SHARED_LIBRARY_PATH environment
// variable, else third_party/onnxruntime/libonnxruntime.so.1 as installed by
// scripts/install-onnxruntime.sh.
package deep
