package radiomics

var glszmNames = map[string]string{
	"SE": "SmallAreaEmphasis", "LE": "LargeAreaEmphasis",
	"GLN": "GrayLevelNonUniformity", "GLNN": "GrayLevelNonUniformityNormalized",
	"SN": "SizeZoneNonUniformity", "SNN": "SizeZoneNonUniformityNormalized",
	"P": "ZonePercentage", "GLV": "GrayLevelVariance", "SV": "ZoneVariance", "E": "ZoneEntropy",
	"LGE": "LowGrayLevelZoneEmphasis", "HGE": "HighGrayLevelZoneEmphasis",
	"SELG": "SmallAreaLowGrayLevelEmphasis", "SEHG": "SmallAreaHighGrayLevelEmphasis",
	"LELG": "LargeAreaLowGrayLevelEmphasis", "LEHG": "LargeAreaHighGrayLevelEmphasis",
}

// glszmMatrix returns the size-zone matrix: zones are connected components
// of equal grey level, connected through the distance-1 neighbours (26 in
// 3D, 8 with force2D).
func glszmMatrix(t *texture, s *Settings) *sizeMatrix {
	nbrs := bothDirections(angles(t.size, []int{1}, s.Force2D, s.Force2DDimension))
	nx, ny := t.size[0], t.size[1]
	seen := make([]bool, len(t.q))
	var zones [][2]int // (level index, size)
	maxSize := 0
	var stack []int
	for start, g := range t.q {
		if g == 0 || seen[start] {
			continue
		}
		seen[start] = true
		stack = append(stack[:0], start)
		n := 0
		for len(stack) > 0 {
			i := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			n++
			x, y, z := i%nx, (i/nx)%ny, i/(nx*ny)
			for _, o := range nbrs {
				j := neighbour(t.size, x, y, z, o)
				if j >= 0 && !seen[j] && t.q[j] == g {
					seen[j] = true
					stack = append(stack, j)
				}
			}
		}
		zones = append(zones, [2]int{int(t.index[g]), n})
		maxSize = max(maxSize, n)
	}
	m := newSizeMatrix(t.levels, maxSize)
	for _, zn := range zones {
		m.p[zn[0]*maxSize+zn[1]-1]++
	}
	return m
}

func glszmFeatures(t *texture, s *Settings) map[string]float64 {
	e := glszmMatrix(t, s).emphases(float64(t.nvox))
	if e == nil {
		return map[string]float64{}
	}
	return rename(e, glszmNames)
}
