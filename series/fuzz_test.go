package series

import (
	"os"
	"testing"

	"github.com/mdm2node/mdm2node/internal/testutil"
	"github.com/suyashkumar/dicom"
)

// fragmentsOf returns the encapsulated frames of a shared test file, or
// none when the file cannot be read, so that fuzzing still runs.
func fragmentsOf(t testing.TB, rel string) [][]byte {
	inst, err := readInstance(testutil.SharedPath(t, rel))
	if err != nil || inst.pixel == nil {
		t.Fatalf("seed %s: %v", rel, err)
	}
	var out [][]byte
	for _, fr := range inst.pixel.Frames {
		out = append(out, fr.EncapsulatedData.Data)
	}
	return out
}

// fuzzMaxPixels keeps fuzzed sizes small so each input decodes quickly.
const fuzzMaxPixels = 1 << 18

func FuzzDecodeRLE(f *testing.F) {
	seeds := []struct {
		file       string
		rows, cols uint16
		bits       uint8
	}{
		{"testdata/dicom/cornerstone3d/CTImage.dcm_RLELosslessTransferSyntax_1.2.840.10008.1.2.5.dcm", 512, 512, 16},
		{"testdata/dicom/pydicom/test_files/MR_small_RLE.dcm", 64, 64, 16},
		{"testdata/dicom/dicomparser/encapsulated/multi-frame/CT0012.not_fragmented_bot_rle.dcm", 512, 512, 16},
	}
	for _, s := range seeds {
		for _, frag := range fragmentsOf(f, s.file) {
			f.Add(frag, s.rows, s.cols, s.bits)
		}
	}
	f.Add([]byte{1, 0, 0, 0, 64, 0, 0, 0}, uint16(2), uint16(2), uint8(8))
	f.Fuzz(func(t *testing.T, data []byte, rows, cols uint16, bits uint8) {
		if int(rows)*int(cols) > fuzzMaxPixels {
			return
		}
		cells, err := decodeRLE(data, int(rows), int(cols), int(bits))
		if err == nil && len(cells) != int(rows)*int(cols) {
			t.Fatalf("%d cells for %dx%d", len(cells), cols, rows)
		}
	})
}

func FuzzDecodeLosslessJPEG(f *testing.F) {
	seeds := []struct {
		file       string
		rows, cols uint16
	}{
		{"testdata/dicom/cornerstone3d/CTImage.dcm_JPEGProcess14TransferSyntax_1.2.840.10008.1.2.4.57.dcm", 512, 512},
		{"testdata/dicom/cornerstone3d/CTImage.dcm_JPEGProcess14SV1TransferSyntax_1.2.840.10008.1.2.4.70.dcm", 512, 512},
		{"testdata/dicom/dicom-test-files/WG04/JPLL/MR1_JPLL", 512, 512},
	}
	for _, s := range seeds {
		for _, frag := range fragmentsOf(f, s.file) {
			f.Add(frag, s.rows, s.cols)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, rows, cols uint16) {
		if int(rows)*int(cols) > fuzzMaxPixels*4 {
			return
		}
		img, err := decodeLosslessJPEG(data, int(cols), int(rows))
		if err == nil && len(img.samples) != int(rows)*int(cols) {
			t.Fatalf("%d samples for %dx%d", len(img.samples), cols, rows)
		}
	})
}

// FuzzDecodeInstance runs a whole file through parsing, pixel decoding and
// frame geometry.
func FuzzDecodeInstance(f *testing.F) {
	for _, rel := range []string{
		"testdata/dicom/pydicom/test_files/MR_small.dcm",
		"testdata/dicom/pydicom/test_files/MR_small_bigendian.dcm",
		"testdata/dicom/pydicom/test_files/MR_small_RLE.dcm",
		"testdata/dicom/dcmqi/segmentations/23x38x3/multiframe/mf.dcm",
		"testdata/dicom/dcmqi/segmentations/23x38x3/seg/label.seg",
	} {
		data, err := os.ReadFile(testutil.SharedPath(f, rel))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		inst, err := parseInstance("fuzz", data, dicom.SkipProcessingPixelDataValue())
		if err != nil {
			return
		}
		format, err := readPixelFormat(inst)
		if err != nil || int64(format.rows)*int64(format.cols)*int64(format.frames) > fuzzMaxPixels {
			return
		}
		if _, err := slicesOf(inst); err != nil {
			return
		}
	})
}
