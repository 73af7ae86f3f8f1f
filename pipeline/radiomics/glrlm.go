package radiomics

import "math"

var glrlmNames = map[string]string{
	"SE": "ShortRunEmphasis", "LE": "LongRunEmphasis",
	"GLN": "GrayLevelNonUniformity", "GLNN": "GrayLevelNonUniformityNormalized",
	"SN": "RunLengthNonUniformity", "SNN": "RunLengthNonUniformityNormalized",
	"P": "RunPercentage", "GLV": "GrayLevelVariance", "SV": "RunVariance", "E": "RunEntropy",
	"LGE": "LowGrayLevelRunEmphasis", "HGE": "HighGrayLevelRunEmphasis",
	"SELG": "ShortRunLowGrayLevelEmphasis", "SEHG": "ShortRunHighGrayLevelEmphasis",
	"LELG": "LongRunLowGrayLevelEmphasis", "LEHG": "LongRunHighGrayLevelEmphasis",
}

// glrlmMatrices returns one run-length matrix per angle (distance 1) with
// the angles used. A run ends at a grey-level change or at a voxel outside
// the region or box.
func glrlmMatrices(t *texture, s *Settings) ([]*sizeMatrix, []offset) {
	angs := angles(t.size, []int{1}, s.Force2D, s.Force2DDimension)
	maxLen := max(t.size[0], t.size[1], t.size[2])
	out := make([]*sizeMatrix, len(angs))
	qp := t.qp

	// run[i] is the length of the run that ends at voxel i so far. Steps
	// are positive, so the voxel before i along the angle comes earlier in
	// t.vox and its run is already known. Outside voxels keep run 0.
	run := getInt32(len(qp))
	defer putInt32(run)
	counts := make([]int32, len(t.levels)*maxLen)

	// Count the runs of each angle, then store them as a matrix.
	for a, o := range angs {
		step := t.delta(o)
		clear(counts)
		for _, v := range t.vox {
			i := int(v)
			g := qp[i]
			n := (run[i-step] + 1) * boolInt(qp[i-step] == g)
			n += boolInt(n == 0)
			run[i] = n
			// The run is complete where the next voxel differs; the
			// zero padding ends every run inside the array. Adding 0 or
			// 1 avoids a branch that noisy images mispredict.
			counts[int(t.index[g])*maxLen+int(n)-1] += boolInt(qp[i+step] != g)
		}

		m := newSizeMatrix(t.levels, maxLen)
		for k, c := range counts {
			m.p[k] = float64(c)
		}
		out[a] = m
	}
	return out, angs
}

// glrlmFeatures computes the GLRLM features averaged over angles, or on the
// weighted sum of the angle matrices when s.WeightingNorm is set.
func glrlmFeatures(t *texture, s *Settings) map[string]float64 {
	mats, angs := glrlmMatrices(t, s)
	if s.WeightingNorm != "" && len(mats) > 0 {
		sum := newSizeMatrix(t.levels, mats[0].cols)
		for a, m := range mats {
			w := offsetLength(angs[a], t.spacing, s.WeightingNorm)
			for k, v := range m.p {
				sum.p[k] += w * v
			}
		}
		mats = []*sizeMatrix{sum}
	}
	var per []map[string]float64
	for _, m := range mats {
		var np float64
		for k, v := range m.p {
			np += v * float64(k%m.cols+1)
		}
		if e := m.emphases(np); e != nil && !math.IsNaN(e["P"]) {
			per = append(per, rename(e, glrlmNames))
		}
	}
	return featureMean(per)
}
