package store

import (
	"bytes"
	"os"
	"testing"

	"github.com/mdm2node/mdm2node/internal/testutil"
)

// fuzzSeeds are small files of the shared test data in several transfer
// syntaxes.
var fuzzSeeds = []string{
	"pydicom/test_files/CT_small.dcm",
	"pydicom/test_files/MR_small_bigendian.dcm",
	"pydicom/test_files/MR_small_implicit.dcm",
	"dicomparser/deflate/report_dfl",
	"rt-utils/mock_data/rt.dcm",
}

var fuzzTransferSyntaxes = []string{tsImplicitLittle, tsExplicitLittle, tsDeflated, tsExplicitBig}

func addFuzzSeeds(f *testing.F, withTS bool) {
	for _, rel := range fuzzSeeds {
		b, err := os.ReadFile(testutil.SharedPath(f, "testdata/dicom/"+rel))
		if err != nil {
			f.Fatal(err)
		}
		if !withTS {
			f.Add(b, uint8(0))
			continue
		}
		ts, off, err := SplitPart10(b)
		if err != nil {
			f.Fatal(err)
		}
		for i, t := range fuzzTransferSyntaxes {
			if t == ts {
				f.Add(b[off:min(int64(len(b)), off+4096)], uint8(i))
			}
		}
	}
}

// FuzzParseHeader checks that no data set makes ParseHeader panic or hang.
func FuzzParseHeader(f *testing.F) {
	addFuzzSeeds(f, true)
	f.Fuzz(func(t *testing.T, data []byte, tsIndex uint8) {
		ts := fuzzTransferSyntaxes[int(tsIndex)%len(fuzzTransferSyntaxes)]
		ParseHeader(bytes.NewReader(data), int64(len(data)), ts)
	})
}

// FuzzSplitPart10 checks that SplitPart10 never panics and never returns
// an offset outside the buffer.
func FuzzSplitPart10(f *testing.F) {
	addFuzzSeeds(f, false)
	f.Fuzz(func(t *testing.T, data []byte, _ uint8) {
		_, off, err := SplitPart10(data)
		if err == nil && (off < 0 || off > int64(len(data))) {
			t.Fatalf("offset %d outside a buffer of %d bytes", off, len(data))
		}
	})
}
