// Package deep computes deep features of a tumour region: the globally
// pooled activations of a convolutional network's last block (2048 for
// ImageNet ResNet50), with the network used as a frozen feature extractor and
// run by ONNX Runtime through github.com/yalue/onnxruntime_go.
//
// Preprocessing follows the deep-feature branch of the radiomics study the
// node implements, in these steps:
//
//  1. pick the region's largest cross-section in the acquisition plane
//     (slice index k), optionally with neighbouring slices whose features
//     are averaged;
//  2. crop to the region's bounding box on that slice plus a margin;
//  3. window the intensities: CT by a fixed window in Hounsfield units, MR by
//     intensity percentiles inside the box;
//  4. resize bilinearly to the network's input size;
//  5. replicate to three channels and normalise with the ImageNet mean and
//     standard deviation that torchvision documents for its models.
//
// The network is ResNet50 (He et al., "Deep Residual Learning for Image
// Recognition", CVPR 2016) by default.
//
// An Extractor describes the network file: path, SHA-256, input and output
// names, input size, normalisation and feature count. A model bundle stores
// it, and Extractor.SameIdentity lets the node reject a bundle trained with
// another extractor.
//
// A Session owns one ONNX Runtime session. Create one per process and reuse
// it. SessionOptions sets its threads: IntraOpThreads per run, and
// ParallelRuns runs at once, across which Run splits a batch.
//
// The ONNX Runtime shared library is found through the deep.onnxruntime_library
// configuration key, else the ONNXRUNTIME_SHARED_LIBRARY_PATH environment
// variable, else third_party/onnxruntime/libonnxruntime.so.1 as installed by
// scripts/install-onnxruntime.sh.
package deep
