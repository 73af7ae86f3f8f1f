package series

import (
	"testing"

	"github.com/mdm2node/mdm2node/internal/testutil"
)

func BenchmarkLoadSeriesCT10Slices(b *testing.B) {
	files := sharedGlob(b, "egsnrc/DICOM/*.ct")
	for b.Loop() {
		if _, err := LoadSeries(files, DefaultTolerances()); err != nil {
			b.Fatal(err)
		}
	}
}

func benchmarkDecodeFile(b *testing.B, rel string) {
	inst, err := readInstance(testutil.SharedPath(b, "testdata/dicom/"+rel))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, _, err := decodeFrames(inst); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeCT512Native(b *testing.B) {
	benchmarkDecodeFile(b, "cornerstone3d/CTImage.dcm")
}

func BenchmarkDecodeCT512RLE(b *testing.B) {
	benchmarkDecodeFile(b, "cornerstone3d/CTImage.dcm_RLELosslessTransferSyntax_1.2.840.10008.1.2.5.dcm")
}

func BenchmarkDecodeCT512JPEGLossless(b *testing.B) {
	benchmarkDecodeFile(b, "cornerstone3d/CTImage.dcm_JPEGProcess14SV1TransferSyntax_1.2.840.10008.1.2.4.70.dcm")
}

func BenchmarkDecodeCT512JPEGBaseline(b *testing.B) {
	benchmarkDecodeFile(b, "cornerstone3d/CTImage.dcm_JPEGProcess1TransferSyntax_1.2.840.10008.1.2.4.50.dcm")
}
