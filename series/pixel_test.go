package series

import (
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mdm2node/mdm2node/internal/testutil"
)

// decodeFile returns the stored values of every frame of a file.
func decodeFile(t *testing.T, path string) ([][]int32, pixelFormat) {
	t.Helper()
	inst, err := readInstance(path)
	if err != nil {
		t.Fatalf("read %s: %v", path, err)
	}
	frames, f, err := decodeFrames(inst)
	if err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return frames, f
}

// maxAbsDiff compares two decoded images frame by frame.
func maxAbsDiff(t *testing.T, a, b [][]int32) (maxDiff int32, meanDiff float64) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("%d frames, twin has %d", len(a), len(b))
	}
	var sum float64
	n := 0
	for k := range a {
		if len(a[k]) != len(b[k]) {
			t.Fatalf("frame %d: %d pixels, twin has %d", k, len(a[k]), len(b[k]))
		}
		for i := range a[k] {
			d := a[k][i] - b[k][i]
			if d < 0 {
				d = -d
			}
			if d > maxDiff {
				maxDiff = d
			}
			sum += float64(d)
			n++
		}
	}
	return maxDiff, sum / float64(n)
}

// Lossless transfer syntaxes must reproduce the uncompressed twin exactly.
func TestDecodeLosslessTwins(t *testing.T) {
	ct := "testdata/dicom/cornerstone3d/CTImage.dcm"
	mr := "testdata/dicom/pydicom/test_files/MR_small.dcm"
	cases := []struct{ name, file, twin string }{
		{"ct explicit big endian", ct + "_BigEndianExplicitTransferSyntax_1.2.840.10008.1.2.2.dcm", ct},
		{"ct deflated", ct + "_DeflatedExplicitVRLittleEndianTransferSyntax_1.2.840.10008.1.2.1.99.dcm", ct},
		{"ct rle", ct + "_RLELosslessTransferSyntax_1.2.840.10008.1.2.5.dcm", ct},
		{"ct jpeg lossless 4.57", ct + "_JPEGProcess14TransferSyntax_1.2.840.10008.1.2.4.57.dcm", ct},
		{"ct jpeg lossless sv1 4.70", ct + "_JPEGProcess14SV1TransferSyntax_1.2.840.10008.1.2.4.70.dcm", ct},
		{"mr implicit", "testdata/dicom/pydicom/test_files/MR_small_implicit.dcm", mr},
		{"mr big endian", "testdata/dicom/pydicom/test_files/MR_small_bigendian.dcm", mr},
		{"mr rle", "testdata/dicom/pydicom/test_files/MR_small_RLE.dcm", mr},
		{"enhanced ct rle", "testdata/dicom/dicomparser/encapsulated/multi-frame/CT0012.not_fragmented_bot_rle.dcm", "testdata/dicom/pydicom-data/eCT_Supplemental.dcm"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, gf := decodeFile(t, testutil.SharedPath(t, c.file))
			want, wf := decodeFile(t, testutil.SharedPath(t, c.twin))
			if gf.rows != wf.rows || gf.cols != wf.cols || gf.frames != wf.frames {
				t.Fatalf("format %+v, twin %+v", gf, wf)
			}
			if d, _ := maxAbsDiff(t, got, want); d != 0 {
				t.Errorf("max difference %d from the uncompressed twin, want 0", d)
			}
		})
	}
}

// The WG04 lossless CT and MR have no uncompressed twin in the test data,
// so DCMTK's dcmdjpeg writes one.
func TestDecodeLosslessAgainstDCMTK(t *testing.T) {
	dcmdjpeg := testutil.RequireTool(t, "dcmdjpeg")
	for _, name := range []string{"CT1_JPLL", "MR1_JPLL"} {
		t.Run(name, func(t *testing.T) {
			src := testutil.SharedPath(t, "testdata/dicom/dicom-test-files/WG04/JPLL/"+name)
			twin := filepath.Join(t.TempDir(), name+".dcm")
			if out, err := exec.Command(dcmdjpeg, src, twin).CombinedOutput(); err != nil {
				t.Fatalf("dcmdjpeg: %v: %s", err, out)
			}
			got, _ := decodeFile(t, src)
			want, _ := decodeFile(t, twin)
			if d, _ := maxAbsDiff(t, got, want); d != 0 {
				t.Errorf("max difference %d from dcmdjpeg's output, want 0", d)
			}
		})
	}
}

// jpegBaselineTolerance is the largest per-pixel difference accepted
// between two decoders of one JPEG Baseline stream. ITU-T T.81 does not fix
// the inverse DCT to the bit, so Go's image/jpeg and libjpeg (inside DCMTK
// 3.6.7) round differently. On the test file they differ by at most 1 grey
// level (mean 0.011); the tolerance leaves one level of margin.
const jpegBaselineTolerance = 2

// JPEG Baseline is lossy, so it is compared with DCMTK's decoding of the
// same stream rather than with the 16-bit original.
func TestDecodeJPEGBaseline(t *testing.T) {
	dcmdjpeg := testutil.RequireTool(t, "dcmdjpeg")
	src := testutil.SharedPath(t, "testdata/dicom/cornerstone3d/CTImage.dcm_JPEGProcess1TransferSyntax_1.2.840.10008.1.2.4.50.dcm")
	twin := filepath.Join(t.TempDir(), "baseline.dcm")
	if out, err := exec.Command(dcmdjpeg, src, twin).CombinedOutput(); err != nil {
		t.Fatalf("dcmdjpeg: %v: %s", err, out)
	}
	got, _ := decodeFile(t, src)
	want, _ := decodeFile(t, twin)
	maxDiff, mean := maxAbsDiff(t, got, want)
	t.Logf("max difference %d, mean %.4f", maxDiff, mean)
	if maxDiff > jpegBaselineTolerance {
		t.Errorf("max difference %d from dcmdjpeg's output, want at most %d", maxDiff, jpegBaselineTolerance)
	}
}

func TestDecodeUnsupportedSyntax(t *testing.T) {
	src := testutil.SharedPath(t, "testdata/dicom/cornerstone3d/CTImage.dcm_JPEG2000LosslessOnlyTransferSyntax_1.2.840.10008.1.2.4.90.dcm")
	inst, err := readInstance(src)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = decodeFrames(inst)
	if !errors.Is(err, ErrUnsupportedTransferSyntax) {
		t.Fatalf("error %v, want ErrUnsupportedTransferSyntax", err)
	}
	if !strings.Contains(err.Error(), "1.2.840.10008.1.2.4.90") {
		t.Errorf("error %q does not name the transfer syntax", err)
	}
}

// Every predictor (selection value 1 to 7) and a point transform: DCMTK's
// dcmcjpeg encodes, dcmdjpeg decodes back, and this decoder must agree with
// dcmdjpeg.
func TestDecodeLosslessPredictors(t *testing.T) {
	dcmcjpeg := testutil.RequireTool(t, "dcmcjpeg")
	dcmdjpeg := testutil.RequireTool(t, "dcmdjpeg")
	sources := []string{
		testutil.SharedPath(t, "testdata/dicom/pydicom/test_files/MR_small.dcm"),
		testutil.SharedPath(t, "testdata/dicom/pydicom/test_files/CT_small.dcm"),
	}
	dir := t.TempDir()
	for si, src := range sources {
		for sv := 1; sv <= 7; sv++ {
			for _, pt := range []int{0, 2} {
				name := fmt.Sprintf("%s sv%d pt%d", filepath.Base(src), sv, pt)
				t.Run(name, func(t *testing.T) {
					enc := filepath.Join(dir, fmt.Sprintf("enc-%d-%d-%d.dcm", si, sv, pt))
					dec := filepath.Join(dir, fmt.Sprintf("dec-%d-%d-%d.dcm", si, sv, pt))
					args := []string{"+el", "+sv", strconv.Itoa(sv), "+pt", strconv.Itoa(pt), src, enc}
					if out, err := exec.Command(dcmcjpeg, args...).CombinedOutput(); err != nil {
						t.Fatalf("dcmcjpeg %v: %v: %s", args, err, out)
					}
					if out, err := exec.Command(dcmdjpeg, enc, dec).CombinedOutput(); err != nil {
						t.Fatalf("dcmdjpeg: %v: %s", err, out)
					}
					got, _ := decodeFile(t, enc)
					want, _ := decodeFile(t, dec)
					if d, _ := maxAbsDiff(t, got, want); d != 0 {
						t.Errorf("max difference %d from dcmdjpeg's output, want 0", d)
					}
					if pt == 0 {
						orig, _ := decodeFile(t, src)
						if d, _ := maxAbsDiff(t, got, orig); d != 0 {
							t.Errorf("max difference %d from the original, want 0", d)
						}
					}
				})
			}
		}
	}
}
