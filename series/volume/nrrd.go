package volume

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// ErrFormat is returned when an image file is malformed or uses a feature of
// its format that the readers do not support.
var ErrFormat = errors.New("volume: unsupported or malformed image file")

// MaxFileVoxels bounds the number of voxels the NRRD and NIfTI readers accept,
// so that a corrupt header cannot make them allocate without limit.
const MaxFileVoxels = 1 << 28

// sampleType describes how one stored voxel value is decoded.
type sampleType struct {
	size   int
	decode func(b []byte, order binary.ByteOrder) float64
}

var (
	typeInt8    = sampleType{1, func(b []byte, _ binary.ByteOrder) float64 { return float64(int8(b[0])) }}
	typeUint8   = sampleType{1, func(b []byte, _ binary.ByteOrder) float64 { return float64(b[0]) }}
	typeInt16   = sampleType{2, func(b []byte, o binary.ByteOrder) float64 { return float64(int16(o.Uint16(b))) }}
	typeUint16  = sampleType{2, func(b []byte, o binary.ByteOrder) float64 { return float64(o.Uint16(b)) }}
	typeInt32   = sampleType{4, func(b []byte, o binary.ByteOrder) float64 { return float64(int32(o.Uint32(b))) }}
	typeUint32  = sampleType{4, func(b []byte, o binary.ByteOrder) float64 { return float64(o.Uint32(b)) }}
	typeFloat32 = sampleType{4, func(b []byte, o binary.ByteOrder) float64 { return float64(math.Float32frombits(o.Uint32(b))) }}
	typeFloat64 = sampleType{8, func(b []byte, o binary.ByteOrder) float64 { return math.Float64frombits(o.Uint64(b)) }}
)

// nrrdTypes maps every spelling the NRRD format allows for a scalar type.
var nrrdTypes = map[string]sampleType{
	"signed char": typeInt8, "int8": typeInt8, "int8_t": typeInt8,
	"uchar": typeUint8, "unsigned char": typeUint8, "uint8": typeUint8, "uint8_t": typeUint8,
	"short": typeInt16, "short int": typeInt16, "signed short": typeInt16, "signed short int": typeInt16, "int16": typeInt16, "int16_t": typeInt16,
	"ushort": typeUint16, "unsigned short": typeUint16, "unsigned short int": typeUint16, "uint16": typeUint16, "uint16_t": typeUint16,
	"int": typeInt32, "signed int": typeInt32, "int32": typeInt32, "int32_t": typeInt32,
	"uint": typeUint32, "unsigned int": typeUint32, "uint32": typeUint32, "uint32_t": typeUint32,
	"float": typeFloat32, "double": typeFloat64,
}

// rawImage is a decoded scalar image before conversion to a Volume or Mask.
type rawImage struct {
	Geometry
	data []float64
}

// volume converts the samples to float32 modality values.
func (r *rawImage) volume() *Volume {
	v := &Volume{Geometry: r.Geometry, Data: make([]float32, len(r.data))}
	for i, x := range r.data {
		v.Data[i] = float32(x)
	}
	return v
}

// mask marks the voxels whose value equals label.
func (r *rawImage) mask(label int) *Mask {
	m := &Mask{Geometry: r.Geometry, Data: make([]uint8, len(r.data))}
	for i, x := range r.data {
		if x == float64(label) {
			m.Data[i] = 1
		}
	}
	return m
}

// ReadNRRD decodes a three-dimensional scalar NRRD file with attached data
// (encoding raw or gzip) into a Volume. The "space" field decides the
// conversion to patient LPS coordinates; files without it are taken as LPS.
func ReadNRRD(r io.Reader) (*Volume, error) {
	raw, err := decodeNRRD(r)
	if err != nil {
		return nil, err
	}
	return raw.volume(), nil
}

// ReadNRRDMask decodes a NRRD label map and returns the region of voxels
// whose value equals label.
func ReadNRRDMask(r io.Reader, label int) (*Mask, error) {
	raw, err := decodeNRRD(r)
	if err != nil {
		return nil, err
	}
	return raw.mask(label), nil
}

func decodeNRRD(r io.Reader) (*rawImage, error) {
	br := bufio.NewReader(r)

	// 1. Magic line and header fields up to the blank line.
	magic, err := br.ReadString('\n')
	if err != nil || !strings.HasPrefix(magic, "NRRD000") {
		return nil, fmt.Errorf("%w: NRRD magic line missing", ErrFormat)
	}
	fields := map[string]string{}
	for n := 0; ; n++ {
		if n > 1000 {
			return nil, fmt.Errorf("%w: NRRD header longer than 1000 lines", ErrFormat)
		}
		line, err := br.ReadString('\n')
		if err != nil {
			return nil, fmt.Errorf("%w: NRRD header ends before the blank line: %v", ErrFormat, err)
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			break
		}
		if strings.HasPrefix(line, "#") {
			continue
		}
		if k, _, ok := strings.Cut(line, ":="); ok && !strings.Contains(k, ":") {
			// A key/value pair ("key:=value") carries no geometry.
			continue
		}
		k, v, ok := strings.Cut(line, ": ")
		if !ok {
			return nil, fmt.Errorf("%w: NRRD header line %q", ErrFormat, line)
		}
		fields[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
	}

	// 2. Sample type, sizes and encoding.
	if _, ok := fields["data file"]; ok {
		return nil, fmt.Errorf("%w: NRRD with a detached data file", ErrFormat)
	}
	if _, ok := fields["datafile"]; ok {
		return nil, fmt.Errorf("%w: NRRD with a detached data file", ErrFormat)
	}
	st, ok := nrrdTypes[fields["type"]]
	if !ok {
		return nil, fmt.Errorf("%w: NRRD type %q", ErrFormat, fields["type"])
	}
	if fields["dimension"] != "3" {
		return nil, fmt.Errorf("%w: NRRD dimension %q, want 3", ErrFormat, fields["dimension"])
	}
	var g Geometry
	sizes := strings.Fields(fields["sizes"])
	if len(sizes) != 3 {
		return nil, fmt.Errorf("%w: NRRD sizes %q", ErrFormat, fields["sizes"])
	}
	for a, s := range sizes {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 || n > MaxFileVoxels {
			return nil, fmt.Errorf("%w: NRRD size %q", ErrFormat, s)
		}
		g.Size[a] = n
	}
	if int64(g.Size[0])*int64(g.Size[1])*int64(g.Size[2]) > MaxFileVoxels {
		return nil, fmt.Errorf("%w: NRRD sizes %v exceed %d voxels", ErrFormat, g.Size, MaxFileVoxels)
	}
	var order binary.ByteOrder = binary.LittleEndian
	if fields["endian"] == "big" {
		order = binary.BigEndian
	}

	// 3. Geometry: space directions and origin, else spacings.
	if err := nrrdGeometry(fields, &g); err != nil {
		return nil, err
	}

	// 4. Voxel data.
	var data io.Reader
	switch fields["encoding"] {
	case "raw":
		data = br
	case "gzip", "gz":
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%w: NRRD gzip data: %v", ErrFormat, err)
		}
		defer zr.Close()
		data = zr
	default:
		return nil, fmt.Errorf("%w: NRRD encoding %q", ErrFormat, fields["encoding"])
	}
	samples, err := readSamples(data, g.Len(), st, order)
	if err != nil {
		return nil, fmt.Errorf("NRRD data: %w", err)
	}
	return &rawImage{Geometry: g, data: samples}, nil
}

// nrrdGeometry fills spacing, axes and origin from the header fields and
// converts them to LPS.
func nrrdGeometry(fields map[string]string, g *Geometry) error {
	flip := [3]float64{1, 1, 1}
	switch strings.ToLower(fields["space"]) {
	case "", "left-posterior-superior", "lps", "3d-left-handed":
	case "right-anterior-superior", "ras", "3d-right-handed":
		flip = [3]float64{-1, -1, 1}
	case "left-anterior-superior", "las":
		flip = [3]float64{1, -1, 1}
	default:
		return fmt.Errorf("%w: NRRD space %q", ErrFormat, fields["space"])
	}
	if dirs, ok := fields["space directions"]; ok {
		vecs, err := parseNRRDVectors(dirs, 3)
		if err != nil {
			return err
		}
		for a := 0; a < 3; a++ {
			n := math.Sqrt(vecs[a][0]*vecs[a][0] + vecs[a][1]*vecs[a][1] + vecs[a][2]*vecs[a][2])
			if !(n > 0) || math.IsInf(n, 0) {
				return fmt.Errorf("%w: NRRD space direction %v", ErrFormat, vecs[a])
			}
			g.Spacing[a] = n
			for b := 0; b < 3; b++ {
				g.Axes[a][b] = flip[b] * vecs[a][b] / n
			}
		}
	} else {
		sp := strings.Fields(fields["spacings"])
		if len(sp) != 3 {
			sp = []string{"1", "1", "1"}
		}
		for a := 0; a < 3; a++ {
			v, err := strconv.ParseFloat(sp[a], 64)
			if err != nil || !(v > 0) {
				return fmt.Errorf("%w: NRRD spacings %q", ErrFormat, fields["spacings"])
			}
			g.Spacing[a] = v
			g.Axes[a][a] = 1
		}
	}
	if o, ok := fields["space origin"]; ok {
		vecs, err := parseNRRDVectors(o, 1)
		if err != nil {
			return err
		}
		for b := 0; b < 3; b++ {
			g.Origin[b] = flip[b] * vecs[0][b]
		}
	}
	return nil
}

// parseNRRDVectors parses n vectors written as "(x,y,z) (x,y,z) ...".
func parseNRRDVectors(s string, n int) ([][3]float64, error) {
	parts := strings.Fields(strings.ReplaceAll(s, ") (", ")\t("))
	if len(parts) != n {
		return nil, fmt.Errorf("%w: NRRD vectors %q", ErrFormat, s)
	}
	out := make([][3]float64, n)
	for i, p := range parts {
		p = strings.TrimSuffix(strings.TrimPrefix(p, "("), ")")
		c := strings.Split(p, ",")
		if len(c) != 3 {
			return nil, fmt.Errorf("%w: NRRD vector %q", ErrFormat, p)
		}
		for b := 0; b < 3; b++ {
			v, err := strconv.ParseFloat(strings.TrimSpace(c[b]), 64)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("%w: NRRD vector %q", ErrFormat, p)
			}
			out[i][b] = v
		}
	}
	return out, nil
}

// readSamples reads exactly n samples. The buffer grows with the data that
// actually arrives, so a header claiming more voxels than the file holds
// fails without allocating the claimed size up front.
func readSamples(r io.Reader, n int, st sampleType, order binary.ByteOrder) ([]float64, error) {
	want := int64(n) * int64(st.size)
	var buf bytes.Buffer
	got, err := io.Copy(&buf, io.LimitReader(r, want))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if got != want {
		return nil, fmt.Errorf("%w: %d data bytes, want %d", ErrFormat, got, want)
	}
	b := buf.Bytes()
	out := make([]float64, n)
	for i := range out {
		out[i] = st.decode(b[i*st.size:], order)
	}
	return out, nil
}
