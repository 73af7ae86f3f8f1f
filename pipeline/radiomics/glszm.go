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
// 3D, 8 with force2D). Components are found with union-find over the
// neighbours that precede each voxel in index order.
func glszmMatrix(t *texture, s *Settings) *sizeMatrix {
	back := t.deltas(angles(t.size, []int{1}, s.Force2D, s.Force2DDimension))
	parent := make([]int32, len(t.qp))
	find := func(i int32) int32 {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for _, v := range t.vox {
		parent[v] = v
	}
	for _, v := range t.vox {
		g := t.qp[v]
		for _, d := range back {
			j := v - int32(d)
			if t.qp[j] != g {
				continue
			}
			a, b := find(v), find(j)
			if a != b {
				parent[max(a, b)] = min(a, b)
			}
		}
	}
	size := make([]int32, len(t.qp))
	for _, v := range t.vox {
		size[find(v)]++
	}
	maxSize := int32(0)
	for _, v := range t.vox {
		if parent[v] == v {
			maxSize = max(maxSize, size[v])
		}
	}
	m := newSizeMatrix(t.levels, int(maxSize))
	for _, v := range t.vox {
		if parent[v] == v {
			m.p[int(t.index[t.qp[v]])*int(maxSize)+int(size[v])-1]++
		}
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
