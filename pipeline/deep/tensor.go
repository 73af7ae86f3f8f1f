package deep

import (
	"fmt"
	"math"

	"github.com/mdm2node/mdm2node/series/volume"
)

// Tensor returns the network input for crops of img: for each crop, the box
// windowed to [0, 1] (values below Lower give 0, above Upper give 1; a
// window with Upper <= Lower gives 0 everywhere), resized bilinearly to
// ext.InputSize squared, replicated to three channels and normalised with
// ext.Mean and ext.Std, in ext.Layout. Crops come from Preprocess.Crops on
// the same image. The image is not modified.
func Tensor(img *volume.Volume, crops []Crop, ext Extractor) ([]float32, error) {
	if err := img.Check(); err != nil {
		return nil, fmt.Errorf("%w: image: %v", ErrInput, err)
	}
	s := ext.InputSize
	plane := s * s
	out := make([]float32, 0, len(crops)*3*plane)
	for _, c := range crops {
		if c.Slice < 0 || c.Slice >= img.Size[2] || c.X0 < 0 || c.Y0 < 0 || c.X1 > img.Size[0] || c.Y1 > img.Size[1] || c.X0 >= c.X1 || c.Y0 >= c.Y1 {
			return nil, fmt.Errorf("%w: crop %+v lies outside the image of size %v", ErrInput, c, img.Size)
		}

		// 1. Window the box to [0, 1].
		w, h := c.X1-c.X0, c.Y1-c.Y0
		box := boxValues(img, c)
		for i, v := range box {
			box[i] = float32(window(float64(v), c.Lower, c.Upper))
		}

		// 2. Resize, then normalise each channel.
		resized := ResizeBilinear(box, w, h, s, s)
		for ch := 0; ch < 3; ch++ {
			mean, std := ext.Mean[ch], ext.Std[ch]
			norm := make([]float32, plane)
			for i, v := range resized {
				norm[i] = float32((float64(v) - mean) / std)
			}
			if ext.Layout == LayoutNHWC {
				if ch == 0 {
					out = append(out, make([]float32, 3*plane)...)
				}
				pixels := out[len(out)-3*plane:]
				for i, v := range norm {
					pixels[3*i+ch] = v
				}
				continue
			}
			out = append(out, norm...)
		}
	}
	return out, nil
}

// window maps v linearly from [lower, upper] to [0, 1], clamping outside.
// NaN maps to 0.
func window(v, lower, upper float64) float64 {
	if !(upper > lower) || math.IsNaN(v) {
		return 0
	}
	t := (v - lower) / (upper - lower)
	return math.Min(math.Max(t, 0), 1)
}

// ResizeBilinear resamples a w x h image (row-major) to dw x dh by bilinear
// interpolation with pixel centres aligned as in PyTorch's
// interpolate(mode="bilinear", align_corners=False) without antialiasing:
// output pixel x samples the source at (x+0.5)*w/dw - 0.5, clamped to the
// image. The source is not modified.
func ResizeBilinear(src []float32, w, h, dw, dh int) []float32 {
	xs := sampleGrid(w, dw)
	ys := sampleGrid(h, dh)
	out := make([]float32, dw*dh)
	for y, sy := range ys {
		r0, r1 := src[sy.i0*w:(sy.i0+1)*w], src[sy.i1*w:(sy.i1+1)*w]
		for x, sx := range xs {
			top := float64(r0[sx.i0])*(1-sx.f) + float64(r0[sx.i1])*sx.f
			bottom := float64(r1[sx.i0])*(1-sx.f) + float64(r1[sx.i1])*sx.f
			out[y*dw+x] = float32(top*(1-sy.f) + bottom*sy.f)
		}
	}
	return out
}

// sample is one output coordinate's two source neighbours and the weight
// of the second.
type sample struct {
	i0, i1 int
	f      float64
}

func sampleGrid(n, dn int) []sample {
	out := make([]sample, dn)
	scale := float64(n) / float64(dn)
	for d := range out {
		s := (float64(d)+0.5)*scale - 0.5
		s = math.Min(math.Max(s, 0), float64(n-1))
		i0 := int(math.Floor(s))
		out[d] = sample{i0: i0, i1: min(i0+1, n-1), f: s - float64(i0)}
	}
	return out
}
