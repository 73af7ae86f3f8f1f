package volume

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// niftiHeaderSize is sizeof_hdr of a NIfTI-1 header (NIfTI-1 standard,
// nifti1.h).
const niftiHeaderSize = 348

// niftiTypes maps the NIfTI-1 datatype codes of scalar types.
var niftiTypes = map[int16]sampleType{
	2: typeUint8, 4: typeInt16, 8: typeInt32, 16: typeFloat32, 64: typeFloat64,
	256: typeInt8, 512: typeUint16, 768: typeUint32,
}

// ReadNIfTI decodes a single-file NIfTI-1 image (.nii, gzip-compressed or
// not) into a Volume, applying scl_slope and scl_inter when the slope is
// non-zero. The orientation comes from the sform when sform_code > 0, else
// from the qform when qform_code > 0, else from pixdim alone; NIfTI's RAS
// world coordinates are converted to LPS.
func ReadNIfTI(r io.Reader) (*Volume, error) {
	raw, err := decodeNIfTI(r, true)
	if err != nil {
		return nil, err
	}
	return raw.volume(), nil
}

// ReadNIfTIMask decodes a NIfTI-1 label image and returns the region of
// voxels whose stored value equals label (scaling is not applied).
func ReadNIfTIMask(r io.Reader, label int) (*Mask, error) {
	raw, err := decodeNIfTI(r, false)
	if err != nil {
		return nil, err
	}
	return raw.mask(label), nil
}

func decodeNIfTI(r io.Reader, scale bool) (*rawImage, error) {
	// 1. Undo gzip when the stream starts with its magic bytes.
	br := bufio.NewReader(r)
	if head, err := br.Peek(2); err == nil && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%w: NIfTI gzip: %v", ErrFormat, err)
		}
		defer zr.Close()
		br = bufio.NewReader(zr)
	}

	// 2. Header: byte order from sizeof_hdr, then the fields used here.
	h := make([]byte, niftiHeaderSize)
	if _, err := io.ReadFull(br, h); err != nil {
		return nil, fmt.Errorf("%w: NIfTI header shorter than %d bytes", ErrFormat, niftiHeaderSize)
	}
	var o binary.ByteOrder = binary.LittleEndian
	if o.Uint32(h[0:]) != niftiHeaderSize {
		o = binary.BigEndian
		if o.Uint32(h[0:]) != niftiHeaderSize {
			return nil, fmt.Errorf("%w: NIfTI sizeof_hdr is not 348", ErrFormat)
		}
	}
	if string(h[344:347]) != "n+1" {
		return nil, fmt.Errorf("%w: NIfTI magic %q (only single-file n+1 is supported)", ErrFormat, h[344:348])
	}
	i16 := func(off int) int16 { return int16(o.Uint16(h[off:])) }
	f32 := func(off int) float64 { return float64(math.Float32frombits(o.Uint32(h[off:]))) }

	ndim := int(i16(40))
	if ndim < 1 || ndim > 7 {
		return nil, fmt.Errorf("%w: NIfTI dim[0] = %d", ErrFormat, ndim)
	}
	var g Geometry
	for a := 0; a < 3; a++ {
		g.Size[a] = 1
		if a < ndim {
			g.Size[a] = int(i16(42 + 2*a))
		}
		if g.Size[a] <= 0 {
			return nil, fmt.Errorf("%w: NIfTI dim[%d] = %d", ErrFormat, a+1, g.Size[a])
		}
	}
	for a := 3; a < ndim; a++ {
		if d := i16(42 + 2*a); d > 1 {
			return nil, fmt.Errorf("%w: NIfTI image with %d dimensions (dim[%d] = %d); only 3D scalar images are supported", ErrFormat, ndim, a+1, d)
		}
	}
	if int64(g.Size[0])*int64(g.Size[1])*int64(g.Size[2]) > MaxFileVoxels {
		return nil, fmt.Errorf("%w: NIfTI dims %v exceed %d voxels", ErrFormat, g.Size, MaxFileVoxels)
	}
	st, ok := niftiTypes[i16(70)]
	if !ok {
		return nil, fmt.Errorf("%w: NIfTI datatype %d", ErrFormat, i16(70))
	}
	if err := niftiGeometry(h, o, &g); err != nil {
		return nil, err
	}

	// 3. Skip to vox_offset and read the samples.
	voxOffset := f32(108)
	if voxOffset < niftiHeaderSize || voxOffset > 1<<20 {
		voxOffset = 352
	}
	if _, err := io.CopyN(io.Discard, br, int64(voxOffset)-niftiHeaderSize); err != nil {
		return nil, fmt.Errorf("%w: NIfTI ends before vox_offset", ErrFormat)
	}
	data, err := readSamples(br, g.Len(), st, o)
	if err != nil {
		return nil, fmt.Errorf("NIfTI data: %w", err)
	}
	if slope, inter := f32(112), f32(116); scale && slope != 0 && !math.IsNaN(slope) && !(slope == 1 && inter == 0) {
		for i := range data {
			data[i] = data[i]*slope + inter
		}
	}
	return &rawImage{Geometry: g, data: data}, nil
}

// niftiGeometry sets spacing, axes and origin (LPS) from the sform, qform or
// pixdim fields of header h.
func niftiGeometry(h []byte, o binary.ByteOrder, g *Geometry) error {
	f32 := func(off int) float64 { return float64(math.Float32frombits(o.Uint32(h[off:]))) }
	i16 := func(off int) int16 { return int16(o.Uint16(h[off:])) }

	// m holds the columns (one per voxel axis) and t the translation, in RAS.
	var m [3][3]float64
	var t [3]float64
	switch {
	case i16(254) > 0:
		for row := 0; row < 3; row++ {
			for col := 0; col < 3; col++ {
				m[col][row] = f32(280 + 16*row + 4*col)
			}
			t[row] = f32(280 + 16*row + 12)
		}
	case i16(252) > 0:
		b, c, d := f32(256), f32(260), f32(264)
		a := 1 - (b*b + c*c + d*d)
		if a < 0 {
			a = 0
		}
		a = math.Sqrt(a)
		r := [3][3]float64{
			{a*a + b*b - c*c - d*d, 2 * (b*c - a*d), 2 * (b*d + a*c)},
			{2 * (b*c + a*d), a*a + c*c - b*b - d*d, 2 * (c*d - a*b)},
			{2 * (b*d - a*c), 2 * (c*d + a*b), a*a + d*d - c*c - b*b},
		}
		qfac := f32(76)
		if qfac == 0 {
			qfac = 1
		}
		for col := 0; col < 3; col++ {
			s := math.Abs(f32(80 + 4*col))
			if col == 2 {
				s *= qfac
			}
			for row := 0; row < 3; row++ {
				m[col][row] = r[row][col] * s
			}
		}
		t = [3]float64{f32(268), f32(272), f32(276)}
	default:
		for col := 0; col < 3; col++ {
			m[col][col] = math.Abs(f32(80 + 4*col))
		}
	}
	for a := 0; a < 3; a++ {
		n := math.Sqrt(m[a][0]*m[a][0] + m[a][1]*m[a][1] + m[a][2]*m[a][2])
		if !(n > 0) || math.IsInf(n, 0) {
			return fmt.Errorf("%w: NIfTI voxel axis %d has spacing %v", ErrFormat, a, n)
		}
		g.Spacing[a] = n
		g.Axes[a] = [3]float64{-m[a][0] / n, -m[a][1] / n, m[a][2] / n}
	}
	g.Origin = [3]float64{-t[0], -t[1], t[2]}
	return nil
}
