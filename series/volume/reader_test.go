package volume

import (
	"bytes"
	"compress/gzip"
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/mdm2node/mdm2node/internal/testutil"
)

const geometryTol = 1e-6

func openShared(t *testing.T, rel string) *os.File {
	t.Helper()
	f, err := os.Open(testutil.SharedPath(t, rel))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// TestReadNRRDBrain1 checks the decoded pixels against the SHA-1 that
// SimpleITK recorded for the same file in PyRadiomics' baseline
// (diagnostics_Image-original_Hash of brain1, PyRadiomics 1.3.0).
func TestReadNRRDBrain1(t *testing.T) {
	v, err := ReadNRRD(openShared(t, "reference/radiomics/pyradiomics/images/brain1_image.nrrd"))
	if err != nil {
		t.Fatal(err)
	}
	if v.Size != [3]int{256, 256, 25} {
		t.Fatalf("size %v", v.Size)
	}
	want := Geometry{Size: v.Size, Spacing: [3]float64{0.78125, 0.78125, 6.5},
		Origin: [3]float64{-99.609375, 99.609375, -78},
		Axes:   [3][3]float64{{1, 0, 0}, {0, -1, 0}, {0, 0, 1}}}
	if !v.SameGrid(want, geometryTol) {
		t.Errorf("geometry %+v, want %+v", v.Geometry, want)
	}
	buf := make([]byte, 2*len(v.Data))
	for i, x := range v.Data {
		binary.LittleEndian.PutUint16(buf[2*i:], uint16(int16(x)))
	}
	if got := sha1.Sum(buf); hex.EncodeToString(got[:]) != "5c9ce3ca174f0f8324aa4d277e0fef82dc5ac566" {
		t.Errorf("pixel SHA-1 %x differs from PyRadiomics' record", got)
	}

	m, err := ReadNRRDMask(openShared(t, "reference/radiomics/pyradiomics/images/brain1_label.nrrd"), 1)
	if err != nil {
		t.Fatal(err)
	}
	if n := m.Count(); n != 4137 {
		t.Errorf("mask has %d voxels, PyRadiomics counted 4137", n)
	}
	if !m.SameGrid(v.Geometry, geometryTol) {
		t.Errorf("mask geometry %+v differs from image", m.Geometry)
	}
}

// TestReadNIfTIPhantoms checks the IBSI phantoms against the values the
// IBSI reports for them (voxel counts, spacing, intensity range).
func TestReadNIfTIPhantoms(t *testing.T) {
	v, err := ReadNIfTI(openShared(t, "reference/radiomics/ibsi/ct_radiomics_phantom/nifti/image/phantom.nii.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if v.Size != [3]int{204, 201, 60} {
		t.Fatalf("size %v", v.Size)
	}
	if math.Abs(v.Spacing[0]-0.977) > 1e-3 || math.Abs(v.Spacing[2]-3) > 1e-6 {
		t.Errorf("spacing %v", v.Spacing)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range v.Data {
		lo, hi = math.Min(lo, float64(x)), math.Max(hi, float64(x))
	}
	if lo != -1000 || hi != 3065 {
		t.Errorf("intensity range [%v, %v], IBSI reports [-1000, 3065]", lo, hi)
	}
	m, err := ReadNIfTIMask(openShared(t, "reference/radiomics/ibsi/ct_radiomics_phantom/nifti/mask/mask.nii.gz"), 1)
	if err != nil {
		t.Fatal(err)
	}
	if n := m.Count(); n != 125256 {
		t.Errorf("mask has %d voxels, IBSI reports 125256", n)
	}
	if !m.SameGrid(v.Geometry, 1e-4) {
		t.Errorf("mask geometry %+v differs from image %+v", m.Geometry, v.Geometry)
	}

	d, err := ReadNIfTIMask(openShared(t, "reference/radiomics/ibsi/digital_phantom/nifti/mask/mask.nii.gz"), 1)
	if err != nil {
		t.Fatal(err)
	}
	if d.Size != [3]int{5, 4, 4} || d.Count() != 74 || d.Spacing != [3]float64{2, 2, 2} {
		t.Errorf("digital phantom mask: size %v spacing %v count %d", d.Size, d.Spacing, d.Count())
	}
}

// encodeNRRD writes a small NRRD file with the given header lines.
func encodeNRRD(header string, data []byte, gz bool) []byte {
	var b bytes.Buffer
	b.WriteString("NRRD0004\n" + header)
	if gz {
		b.WriteString("encoding: gzip\n\n")
		zw := gzip.NewWriter(&b)
		zw.Write(data)
		zw.Close()
	} else {
		b.WriteString("encoding: raw\n\n")
		b.Write(data)
	}
	return b.Bytes()
}

// encodeNIfTI writes a single-file NIfTI-1 image of int16 voxels with a
// qform (identity rotation) and the given pixdim and offset.
func encodeNIfTI(size [3]int, pixdim [3]float64, offset [3]float64, vals []int16, order binary.ByteOrder) []byte {
	h := make([]byte, 352)
	order.PutUint32(h[0:], 348)
	order.PutUint16(h[40:], 3)
	for a := 0; a < 3; a++ {
		order.PutUint16(h[42+2*a:], uint16(size[a]))
		order.PutUint32(h[80+4*a:], math.Float32bits(float32(pixdim[a])))
		order.PutUint32(h[268+4*a:], math.Float32bits(float32(offset[a])))
	}
	order.PutUint16(h[70:], 4)
	order.PutUint16(h[72:], 16)
	order.PutUint32(h[76:], math.Float32bits(1))
	order.PutUint32(h[108:], math.Float32bits(352))
	order.PutUint16(h[252:], 1)
	copy(h[344:], "n+1\x00")
	for _, v := range vals {
		var b [2]byte
		order.PutUint16(b[:], uint16(v))
		h = append(h, b[:]...)
	}
	return h
}

func TestReadNRRDSynthetic(t *testing.T) {
	data := make([]byte, 2*3*2*2)
	for i := 0; i < 12; i++ {
		binary.BigEndian.PutUint16(data[2*i:], uint16(int16(i-5)))
	}
	header := "type: short\ndimension: 3\nspace: right-anterior-superior\nsizes: 3 2 2\n" +
		"space directions: (0,0,2) (1.5,0,0) (0,-1.5,0)\nendian: big\nspace origin: (10,20,30)\n"
	for _, gz := range []bool{false, true} {
		v, err := ReadNRRD(bytes.NewReader(encodeNRRD(header, data, gz)))
		if err != nil {
			t.Fatal(err)
		}
		want := Geometry{Size: [3]int{3, 2, 2}, Spacing: [3]float64{2, 1.5, 1.5}, Origin: [3]float64{-10, -20, 30},
			Axes: [3][3]float64{{0, 0, 1}, {-1, 0, 0}, {0, 1, 0}}}
		if !v.SameGrid(want, geometryTol) {
			t.Errorf("gzip %v: geometry %+v, want %+v", gz, v.Geometry, want)
		}
		if v.Data[0] != -5 || v.Data[11] != 6 {
			t.Errorf("gzip %v: data %v", gz, v.Data)
		}
	}
}

func TestReadNIfTISynthetic(t *testing.T) {
	vals := []int16{0, 1, 2, 3, 4, 5, 6, 7}
	for _, order := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		b := encodeNIfTI([3]int{2, 2, 2}, [3]float64{0.5, 0.75, 3}, [3]float64{-10, 5, 7}, vals, order)
		v, err := ReadNIfTI(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		// RAS (x right, y anterior) becomes LPS: x and y change sign.
		want := Geometry{Size: [3]int{2, 2, 2}, Spacing: [3]float64{0.5, 0.75, 3}, Origin: [3]float64{10, -5, 7},
			Axes: [3][3]float64{{-1, 0, 0}, {0, -1, 0}, {0, 0, 1}}}
		if !v.SameGrid(want, geometryTol) {
			t.Errorf("%v: geometry %+v, want %+v", order, v.Geometry, want)
		}
		if v.Data[7] != 7 {
			t.Errorf("%v: data %v", order, v.Data)
		}
		m, err := ReadNIfTIMask(bytes.NewReader(b), 3)
		if err != nil {
			t.Fatal(err)
		}
		if m.Count() != 1 || m.Data[3] != 1 {
			t.Errorf("%v: mask %v", order, m.Data)
		}
	}
}

func TestReadersRejectMalformed(t *testing.T) {
	good := encodeNIfTI([3]int{2, 2, 2}, [3]float64{1, 1, 1}, [3]float64{}, make([]int16, 8), binary.LittleEndian)
	huge := append([]byte(nil), good...)
	binary.LittleEndian.PutUint16(huge[42:], 30000)
	binary.LittleEndian.PutUint16(huge[44:], 30000)
	binary.LittleEndian.PutUint16(huge[46:], 30000)
	fourD := append([]byte(nil), good...)
	binary.LittleEndian.PutUint16(fourD[40:], 4)
	binary.LittleEndian.PutUint16(fourD[48:], 3)
	for name, b := range map[string][]byte{
		"empty":          nil,
		"short header":   good[:100],
		"truncated data": good[:len(good)-3],
		"huge dims":      huge,
		"4D":             fourD,
		"bad magic":      append(append([]byte(nil), good[:344]...), "xx\x00\x00"+string(good[348:])...),
	} {
		if _, err := ReadNIfTI(bytes.NewReader(b)); !errors.Is(err, ErrFormat) {
			t.Errorf("NIfTI %s: error %v, want ErrFormat", name, err)
		}
	}

	base := "type: short\ndimension: 3\nsizes: 2 2 2\n"
	for name, b := range map[string][]byte{
		"no magic":       []byte("P5\n"),
		"no blank line":  []byte("NRRD0004\ntype: short\n"),
		"bad type":       encodeNRRD("type: complex\ndimension: 3\nsizes: 2 2 2\n", make([]byte, 16), false),
		"2D":             encodeNRRD("type: short\ndimension: 2\nsizes: 2 2\n", make([]byte, 8), false),
		"huge sizes":     encodeNRRD("type: short\ndimension: 3\nsizes: 100000 100000 100000\n", nil, false),
		"truncated data": encodeNRRD(base, make([]byte, 15), false),
		"bad gzip":       append(encodeNRRD(base, nil, false)[:len(base)+9], "encoding: gzip\n\nnot gzip"...),
		"zero direction": encodeNRRD(base+"space directions: (0,0,0) (0,1,0) (0,0,1)\n", make([]byte, 16), false),
		"detached":       encodeNRRD(base+"data file: x.raw\n", nil, false),
	} {
		if _, err := ReadNRRD(bytes.NewReader(b)); !errors.Is(err, ErrFormat) {
			t.Errorf("NRRD %s: error %v, want ErrFormat", name, err)
		}
	}
}

// fuzzSeeds returns the files in testdata with the given extension.
func fuzzSeeds(f *testing.F, pattern string) {
	paths, _ := filepath.Glob(filepath.Join("testdata", pattern))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

func FuzzReadNRRD(f *testing.F) {
	fuzzSeeds(f, "*.nrrd")
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := ReadNRRD(bytes.NewReader(b))
		if err == nil && len(v.Data) != v.Len() {
			t.Fatalf("%d values for size %v", len(v.Data), v.Size)
		}
	})
}

func FuzzReadNIfTI(f *testing.F) {
	fuzzSeeds(f, "*.nii*")
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := ReadNIfTI(bytes.NewReader(b))
		if err == nil && len(v.Data) != v.Len() {
			t.Fatalf("%d values for size %v", len(v.Data), v.Size)
		}
	})
}

// TestWriteFuzzSeeds regenerates the seed files when MDM2NODE_WRITE_SEEDS
// is set; otherwise it checks that they are present and decode.
func TestWriteFuzzSeeds(t *testing.T) {
	seeds := map[string][]byte{
		"small_raw.nrrd": encodeNRRD("type: short\ndimension: 3\nspace: left-posterior-superior\nsizes: 3 2 2\n"+
			"space directions: (0.5,0,0) (0,0.5,0) (0,0,2)\nendian: little\nspace origin: (1,2,3)\n", make([]byte, 24), false),
		"small_gzip.nrrd": encodeNRRD("type: float\ndimension: 3\nsizes: 2 2 1\nspacings: 1 1 1\n", make([]byte, 16), true),
		"small.nii":       encodeNIfTI([3]int{2, 2, 2}, [3]float64{1, 1, 2}, [3]float64{-5, 5, 0}, []int16{1, 2, 3, 4, 5, 6, 7, 8}, binary.LittleEndian),
	}
	for name, b := range seeds {
		p := filepath.Join("testdata", name)
		if os.Getenv("MDM2NODE_WRITE_SEEDS") != "" {
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(p)
		if err != nil {
			t.Fatalf("seed %s: %v (regenerate with MDM2NODE_WRITE_SEEDS=1)", name, err)
		}
		if !bytes.Equal(got, b) {
			t.Errorf("seed %s differs from its generator", name)
		}
		var derr error
		if filepath.Ext(name) == ".nrrd" {
			_, derr = ReadNRRD(bytes.NewReader(got))
		} else {
			_, derr = ReadNIfTI(bytes.NewReader(got))
		}
		if derr != nil {
			t.Errorf("seed %s: %v", name, fmt.Errorf("decode: %w", derr))
		}
	}
}
