package radiomics

import "math"

var gldmNames = map[string]string{
	"SE": "SmallDependenceEmphasis", "LE": "LargeDependenceEmphasis",
	"GLN": "GrayLevelNonUniformity", "GLNN": "GrayLevelNonUniformityNormalized",
	"SN": "DependenceNonUniformity", "SNN": "DependenceNonUniformityNormalized",
	"P": "DependencePercentage", "GLV": "GrayLevelVariance", "SV": "DependenceVariance", "E": "DependenceEntropy",
	"LGE": "LowGrayLevelEmphasis", "HGE": "HighGrayLevelEmphasis",
	"SELG": "SmallDependenceLowGrayLevelEmphasis", "SEHG": "SmallDependenceHighGrayLevelEmphasis",
	"LELG": "LargeDependenceLowGrayLevelEmphasis", "LEHG": "LargeDependenceHighGrayLevelEmphasis",
}

// gldmMatrix returns the dependence matrix: for each region voxel, column
// j-1 where j is 1 plus the number of region neighbours (within the
// distances) whose grey level differs by at most s.GLDMA.
func gldmMatrix(t *texture, s *Settings) *sizeMatrix {
	nbrs := bothDirections(angles(t.size, s.Distances, s.Force2D, s.Force2DDimension))
	nx, ny, nz := t.size[0], t.size[1], t.size[2]
	m := newSizeMatrix(t.levels, len(nbrs)+1)
	for z := 0; z < nz; z++ {
		for y := 0; y < ny; y++ {
			for x := 0; x < nx; x++ {
				g := t.q[(z*ny+y)*nx+x]
				if g == 0 {
					continue
				}
				d := 0
				for _, o := range nbrs {
					j := neighbour(t.size, x, y, z, o)
					if j < 0 || t.q[j] == 0 {
						continue
					}
					if math.Abs(float64(t.q[j]-g)) <= s.GLDMA {
						d++
					}
				}
				m.p[int(t.index[g])*m.cols+d]++
			}
		}
	}
	return m
}

func gldmFeatures(t *texture, s *Settings) map[string]float64 {
	e := gldmMatrix(t, s).emphases(float64(t.nvox))
	if e == nil {
		return map[string]float64{}
	}
	return rename(e, gldmNames)
}
