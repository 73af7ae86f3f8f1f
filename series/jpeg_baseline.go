package series

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
)

// decodeBaselineJPEG decodes an 8-bit JPEG Baseline (process 1) frame with
// the standard library. Only greyscale images are accepted, because the
// volumes are single-valued.
func decodeBaselineJPEG(data []byte, f pixelFormat) ([]int32, error) {
	if f.bitsStored > 8 {
		return nil, fmt.Errorf("%w: JPEG Baseline with %d bits stored", ErrCorruptPixels, f.bitsStored)
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: JPEG Baseline: %v", ErrCorruptPixels, err)
	}
	if cfg.Width != f.cols || cfg.Height != f.rows {
		return nil, fmt.Errorf("%w: JPEG image is %dx%d, but Columns and Rows are %dx%d", ErrCorruptPixels, cfg.Width, cfg.Height, f.cols, f.rows)
	}
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: JPEG Baseline: %v", ErrCorruptPixels, err)
	}
	gray, ok := img.(*image.Gray)
	if !ok {
		return nil, fmt.Errorf("%w: JPEG Baseline image of type %T, only greyscale is supported", ErrUnsupportedPixels, img)
	}
	out := make([]int32, f.framePixels())
	for y := 0; y < f.rows; y++ {
		row := gray.Pix[y*gray.Stride : y*gray.Stride+f.cols]
		for x, v := range row {
			out[y*f.cols+x] = f.storedValue(uint32(v))
		}
	}
	return out, nil
}
