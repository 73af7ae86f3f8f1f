package radiomics

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"

	"github.com/mdm2node/mdm2node/series/volume"
)

// maxTextureLevels bounds the number of grey levels of one image: the GLCM
// of 5000 levels takes 200 MB and its MCC an eigendecomposition of that
// size.
const maxTextureLevels = 5000

// geometryTolerance is how far (mm, or direction cosine) the mask grid may
// deviate from the image grid.
const geometryTolerance = 1e-3

// Result is an ordered feature vector with its diagnostics.
type Result struct {
	// Names are PyRadiomics feature names such as
	// "original_firstorder_Mean" or "wavelet-LHL_glcm_Contrast"; Values
	// has the same length and order.
	Names  []string
	Values []float64
	Diagnostics
}

// Diagnostics describe the region and settings behind a Result.
type Diagnostics struct {
	// VoxelCount is the number of region voxels used for the intensity and
	// texture features (after re-segmentation); ShapeVoxelCount those of
	// the shape features.
	VoxelCount      int
	ShapeVoxelCount int
	// BoundingBox is the region's first voxel (x, y, z) and size in voxels
	// on the grid the features were computed on.
	BoundingBox [6]int
	// Spacing is the voxel spacing (x, y, z, mm) the features used.
	Spacing [3]float64
	// ImageTypes are the image type names in output order.
	ImageTypes []string
	Settings   Settings
}

// Value returns the value of the named feature and whether it is present.
func (r *Result) Value(name string) (float64, bool) {
	for i, n := range r.Names {
		if n == name {
			return r.Values[i], true
		}
	}
	return 0, false
}

// Extract computes the features enabled in p on img within mask (every
// non-zero mask voxel is inside). Image and mask must share one grid. The
// inputs are not modified. Errors wrap ErrGeometry, ErrEmptyMask,
// ErrSmallMask, ErrNaN or ErrSettings.
//
// The steps follow PyRadiomics: normalisation of the whole image,
// resampling, re-segmentation, shape on the unsegmented region, then every
// image type filtered and cropped to the region's bounding box. Filters run
// on the bounding box plus PadDistance voxels (at least what the filter
// reaches); an axis whose padded range would leave the image is kept whole,
// so wavelet values in the region equal those of a whole-image transform.
func Extract(ctx context.Context, img *volume.Volume, mask *volume.Mask, p Params) (*Result, error) {
	// 1. Check inputs.
	if err := p.Validate(); err != nil {
		return nil, err
	}
	s := p.Setting
	if err := img.Check(); err != nil {
		return nil, fmt.Errorf("%w: image: %v", ErrGeometry, err)
	}
	if err := mask.Check(); err != nil {
		return nil, fmt.Errorf("%w: mask: %v", ErrGeometry, err)
	}
	if !img.SameGrid(mask.Geometry, geometryTolerance) {
		return nil, fmt.Errorf("%w: image size %v spacing %v origin %v, mask size %v spacing %v origin %v",
			ErrGeometry, img.Size, img.Spacing, img.Origin, mask.Size, mask.Spacing, mask.Origin)
	}
	roi, ok := regionBounds(img.Size, mask.Data)
	if !ok {
		return nil, ErrEmptyMask
	}

	// 2. Working box: the normalised image around the region, resampled
	// when requested.
	b, offset, err := workingBox(img, mask.Data, roi, &p)
	if err != nil {
		return nil, err
	}

	// 3. Region checks and re-segmentation.
	shapeBox, err := checkRegion(b, &s)
	if err != nil {
		return nil, err
	}
	texIn := b.in
	if len(s.ResegmentRange) > 0 {
		texIn = resegment(b, &s)
		if err := checkRegionFlags(b.size, texIn, &s); err != nil {
			return nil, fmt.Errorf("after re-segmentation: %w", err)
		}
	}
	texBounds, _ := regionBounds(b.size, texIn)

	res := &Result{Diagnostics: Diagnostics{Settings: s, Spacing: b.spacing}}
	sb := shapeBox.size()
	res.BoundingBox = [6]int{shapeBox.lo[0], shapeBox.lo[1], shapeBox.lo[2], sb[0], sb[1], sb[2]}
	for a := 0; a < 3; a++ {
		res.BoundingBox[a] += offset[a]
	}

	// 4. Shape, on the region before re-segmentation.
	shapeIn := b.in
	if s.ResegmentShape {
		shapeIn = texIn
	}
	shapeBounds, _ := regionBounds(b.size, shapeIn)
	shapeMask := cropBool(b.size, shapeIn, shapeBounds)
	for _, v := range shapeMask {
		if v {
			res.ShapeVoxelCount++
		}
	}
	var shape2DVals map[string]float64
	shape2DNames := p.enabled("shape2D")
	if len(shape2DNames) > 0 {
		if !s.Force2D {
			return nil, fmt.Errorf("%w: shape2D needs force2D", ErrSettings)
		}
		if shape2DVals, err = shape2DFeatures(shapeBounds.size(), b.spacing, shapeMask, s.Force2DDimension); err != nil {
			return nil, err
		}
	}
	shapeNames := p.enabled("shape")
	var shapeVals map[string]float64
	shapeDone := make(chan struct{})
	go func() {
		defer close(shapeDone)
		if len(shapeNames) > 0 {
			shapeVals = shapeFeatures(shapeBounds.size(), b.spacing, shapeMask)
		}
	}()

	// 5. Image types, filtered on the working box and cropped to the region.
	texMask := cropBool(b.size, texIn, texBounds)
	for _, v := range texMask {
		if v {
			res.VoxelCount++
		}
	}
	typeNames, typeValues, err := imageTypeFeatures(ctx, b, texBounds, texMask, &p)
	<-shapeDone
	if err != nil {
		return nil, err
	}
	res.ImageTypes = typeNames
	for _, n := range shapeNames {
		res.Names = append(res.Names, "original_shape_"+n)
		res.Values = append(res.Values, shapeVals[n])
	}
	for _, n := range shape2DNames {
		res.Names = append(res.Names, "original_shape2D_"+n)
		res.Values = append(res.Values, shape2DVals[n])
	}
	for i, name := range typeNames {
		for _, class := range classOrder {
			if class == "shape" || class == "shape2D" {
				continue
			}
			for _, n := range p.enabled(class) {
				res.Names = append(res.Names, name+"_"+class+"_"+n)
				res.Values = append(res.Values, typeValues[i][class+"_"+n])
			}
		}
	}
	return res, nil
}

// workingBox returns the image and region (non-zero voxels of mask) that the
// filters run on, and the offset of the box in img's grid (zero when
// resampled, because the box is then on the new grid). Without resampling it
// is the bounding box roi plus PadDistance voxels, or more when an enabled
// filter reaches further. An axis whose padded range would leave the image
// is kept whole.
func workingBox(img *volume.Volume, mask []uint8, roi bounds, p *Params) (*box, [3]int, error) {
	s := &p.Setting
	if len(s.ResampledPixelSpacing) == 3 {
		b, err := resampleRegion(img, mask, roi, s)
		return b, [3]int{}, err
	}
	reach := s.PadDistance
	if _, ok := p.ImageType["Wavelet"]; ok {
		reach = max(reach, len(coif1Lo)/2)
	}
	for _, sigma := range p.ImageType["LoG"].Sigma {
		for a := 0; a < 3; a++ {
			reach = max(reach, logRadius(sigma, img.Spacing[a]))
		}
	}
	work := roi
	for a := 0; a < 3; a++ {
		work.lo[a], work.hi[a] = roi.lo[a]-reach, roi.hi[a]+reach
		if work.lo[a] < 0 || work.hi[a] >= img.Size[a] {
			work.lo[a], work.hi[a] = 0, img.Size[a]-1
		}
	}
	data, err := workingImage(img, work, s)
	if err != nil {
		return nil, [3]int{}, err
	}
	return &box{size: work.size(), spacing: img.Spacing, data: data, in: cropMask(img.Size, mask, work)}, work.lo, nil
}

// imageTypeFeatures computes the non-shape classes on every enabled image
// type of the working box b, cropped to r with region flags in. It returns
// the image type names in output order and their features keyed
// "class_Feature". Image types run concurrently, at most GOMAXPROCS at a
// time.
func imageTypeFeatures(ctx context.Context, b *box, r bounds, in []bool, p *Params) ([]string, []map[string]float64, error) {
	// Each job returns its image cropped to r.
	type job struct {
		name string
		data func() []float64
	}
	var jobs []job
	if _, ok := p.ImageType["Original"]; ok {
		jobs = append(jobs, job{"original", func() []float64 { return cropFloat(b.size, b.data, r) }})
	}
	if it, ok := p.ImageType["LoG"]; ok {
		for _, sigma := range it.Sigma {
			jobs = append(jobs, job{logName(sigma), func() []float64 {
				return cropFloat(b.size, logFilter(b.size, b.spacing, b.data, sigma), r)
			}})
		}
	}
	if _, ok := p.ImageType["Wavelet"]; ok {
		// The first wavelet job computes every band; each job then takes
		// its band out of the slice so that it is freed with the job.
		axes := waveletAxes(&p.Setting)
		var bandsOnce sync.Once
		var bands [][]float64
		for k, band := range bandNames(len(axes)) {
			jobs = append(jobs, job{"wavelet-" + band, func() []float64 {
				bandsOnce.Do(func() { bands = swtRegion(b.size, b.data, axes, r) })
				data := bands[k]
				bands[k] = nil
				return data
			}})
		}
	}
	out := make([]map[string]float64, len(jobs))
	errs := make([]error, len(jobs))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			if err := ctx.Err(); err != nil {
				errs[i] = err
				return
			}
			cb := &box{size: r.size(), spacing: b.spacing, data: j.data(), in: in}
			out[i], errs[i] = imageFeatures(cb, p)
		}()
	}
	wg.Wait()
	names := make([]string, len(jobs))
	for i, j := range jobs {
		if errs[i] != nil {
			return nil, nil, fmt.Errorf("image type %s: %w", j.name, errs[i])
		}
		names[i] = j.name
	}
	return names, out, nil
}

// imageFeatures computes every enabled non-shape class on one cropped image,
// keyed "class_Feature".
func imageFeatures(b *box, p *Params) (map[string]float64, error) {
	vals := b.values()
	q, err := discretizeValues(b, vals, &p.Setting)
	if err != nil {
		return nil, err
	}
	pad := 1
	for _, d := range p.Setting.Distances {
		pad = max(pad, d)
	}
	t := newTexture(b, q, pad)
	defer t.release()
	if len(t.levels) > maxTextureLevels {
		return nil, fmt.Errorf("%w: %d grey levels after discretisation exceed %d; use a larger binWidth or a binCount",
			ErrSettings, len(t.levels), maxTextureLevels)
	}
	out := map[string]float64{}
	add := func(class string, f map[string]float64) {
		for k, v := range f {
			out[class+"_"+k] = v
		}
	}
	for class := range p.FeatureClass {
		switch class {
		case "firstorder":
			add(class, firstOrder(b, vals, q, &p.Setting))
		case "glcm":
			add(class, glcmFeatures(t, &p.Setting))
		case "glrlm":
			add(class, glrlmFeatures(t, &p.Setting))
		case "glszm":
			add(class, glszmFeatures(t, &p.Setting))
		case "gldm":
			f := gldmFeatures(t, &p.Setting)
			f["GrayLevelNonUniformityNormalized"] = uniformity(q, t.nvox)
			f["DependencePercentage"] = 1
			add(class, f)
		case "ngtdm":
			add(class, ngtdmFeatures(t, &p.Setting))
		}
	}
	return out, nil
}

// workingImage copies the part r of img as float64, normalised when
// s.Normalize is set, and rejects NaN or infinite values.
func workingImage(img *volume.Volume, r bounds, s *Settings) ([]float64, error) {
	var mean, sd float64
	if s.Normalize {
		// ITK's statistics filter: mean and sample SD (N-1) of the whole
		// image.
		var sum, sum2 float64
		for _, v := range img.Data {
			sum += float64(v)
		}
		n := float64(len(img.Data))
		mean = sum / n
		for _, v := range img.Data {
			d := float64(v) - mean
			sum2 += d * d
		}
		if n > 1 {
			sd = math.Sqrt(sum2 / (n - 1))
		}
		if math.IsNaN(mean) || math.IsInf(mean, 0) {
			return nil, ErrNaN
		}
	}
	data := make([]float64, 0, r.size()[0]*r.size()[1]*r.size()[2])
	for z := r.lo[2]; z <= r.hi[2]; z++ {
		for y := r.lo[1]; y <= r.hi[1]; y++ {
			off := (z*img.Size[1]+y)*img.Size[0] + r.lo[0]
			for _, v := range img.Data[off : off+r.size()[0]] {
				x := float64(v)
				if math.IsNaN(x) || math.IsInf(x, 0) {
					return nil, fmt.Errorf("%w (value %v at voxel index %d)", ErrNaN, x, off)
				}
				if s.Normalize {
					if sd > 0 {
						x = (x - mean) / sd
					} else {
						x -= mean
					}
					if s.RemoveOutliers > 0 {
						x = math.Max(-s.RemoveOutliers, math.Min(s.RemoveOutliers, x))
					}
					x *= s.NormalizeScale
				}
				data = append(data, x)
			}
		}
	}
	return data, nil
}

// checkRegion checks the region of b against the minimum dimensions and
// size and returns its bounding box.
func checkRegion(b *box, s *Settings) (bounds, error) {
	if err := checkRegionFlags(b.size, b.in, s); err != nil {
		return bounds{}, err
	}
	r, _ := regionBounds(b.size, b.in)
	return r, nil
}

func checkRegionFlags(size [3]int, in []bool, s *Settings) error {
	r, ok := regionBounds(size, in)
	if !ok {
		return ErrEmptyMask
	}
	n := 0
	for _, v := range in {
		if v {
			n++
		}
	}
	dims := 0
	for _, l := range r.size() {
		if l > 1 {
			dims++
		}
	}
	if dims < s.MinimumROIDimensions {
		return fmt.Errorf("%w: region spans %d axes with more than one voxel (bounding box %v), minimumROIDimensions is %d",
			ErrSmallMask, dims, r.size(), s.MinimumROIDimensions)
	}
	if n <= 1 || (s.MinimumROISize > 0 && n < s.MinimumROISize) {
		return fmt.Errorf("%w: region has %d voxels", ErrSmallMask, n)
	}
	return nil
}

// resegment returns the region of b restricted to the re-segmentation
// range.
func resegment(b *box, s *Settings) []bool {
	vals := b.values()
	lo, hi := math.Inf(-1), math.Inf(1)
	r := s.ResegmentRange
	switch s.ResegmentMode {
	case "absolute":
		lo = r[0]
		if len(r) > 1 {
			hi = r[1]
		}
	case "relative":
		mx := math.Inf(-1)
		for _, v := range vals {
			mx = math.Max(mx, v)
		}
		lo = r[0] * mx
		if len(r) > 1 {
			hi = r[1] * mx
		}
	case "sigma":
		var sum, sum2 float64
		for _, v := range vals {
			sum += v
		}
		mean := sum / float64(len(vals))
		for _, v := range vals {
			sum2 += (v - mean) * (v - mean)
		}
		sd := math.Sqrt(sum2 / float64(len(vals)))
		lo = mean + r[0]*sd
		if len(r) > 1 {
			hi = mean + r[1]*sd
		}
	}
	out := make([]bool, len(b.in))
	for i, v := range b.in {
		out[i] = v && b.data[i] >= lo && b.data[i] <= hi
	}
	return out
}

// FeatureNames returns the names Extract produces for p, in order, without
// computing anything.
func FeatureNames(p Params) []string {
	var names []string
	for _, n := range p.enabled("shape") {
		names = append(names, "original_shape_"+n)
	}
	for _, n := range p.enabled("shape2D") {
		names = append(names, "original_shape2D_"+n)
	}
	var types []string
	if _, ok := p.ImageType["Original"]; ok {
		types = append(types, "original")
	}
	if it, ok := p.ImageType["LoG"]; ok {
		for _, s := range it.Sigma {
			types = append(types, logName(s))
		}
	}
	if _, ok := p.ImageType["Wavelet"]; ok {
		for _, band := range bandNames(len(waveletAxes(&p.Setting))) {
			types = append(types, "wavelet-"+band)
		}
	}
	for _, t := range types {
		for _, class := range classOrder {
			if class == "shape" || class == "shape2D" {
				continue
			}
			for _, n := range p.enabled(class) {
				names = append(names, t+"_"+class+"_"+n)
			}
		}
	}
	return names
}
