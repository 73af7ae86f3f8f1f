package radiomics

import "slices"

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
	angs := angles(t.size, []int{1}, s.Force2D, s.Force2DDimension)
	back := t.deltas(angs)
	rest := t.deltas(notBesideLeft(angs))
	hasLeft := slices.Contains(angs, leftOffset)
	parent := getInt32(len(t.qp))
	defer putInt32(parent)
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
	qp := t.qp
	for _, v := range t.vox {
		g := qp[v]
		// root is the root of v's component, kept current across the
		// unions so that v is looked up once.
		root := v
		steps := back
		if hasLeft && qp[v-1] == g {
			// The voxel before v along x has v's level and was joined
			// with every neighbour that it shares with v, so only the
			// others remain.
			root = find(v - 1)
			parent[v] = root
			steps = rest
		}
		for _, d := range steps {
			j := v - int32(d)
			if qp[j] != g {
				continue
			}
			b := find(j)
			if b != root {
				parent[max(root, b)] = min(root, b)
				root = min(root, b)
			}
		}
	}

	// Zone sizes, counted at each root.
	size := getInt32(len(t.qp))
	defer putInt32(size)
	for _, v := range t.vox {
		size[find(v)]++
	}

	// The matrix keeps only the zone sizes that occur, in ascending order.
	maxSize := int32(0)
	for _, v := range t.vox {
		if parent[v] == v {
			maxSize = max(maxSize, size[v])
		}
	}
	column := make([]int32, maxSize+1)
	for _, v := range t.vox {
		if parent[v] == v {
			column[size[v]] = 1
		}
	}
	var sizes []int
	for n := int32(1); n <= maxSize; n++ {
		if column[n] != 0 {
			column[n] = int32(len(sizes))
			sizes = append(sizes, int(n))
		}
	}
	m := newSizeMatrix(t.levels, len(sizes))
	m.sizes = sizes
	for _, v := range t.vox {
		if parent[v] == v {
			m.p[int(t.index[qp[v]])*m.cols+int(column[size[v]])]++
		}
	}
	return m
}

// leftOffset is the offset of the voxel before a voxel along x, in the
// one-directional form of angles (dz, dy, dx).
var leftOffset = offset{0, 0, 1}

// notBesideLeft returns the offsets o of angs whose preceding neighbour
// (at -o) is not also a preceding neighbour of the voxel before along x,
// which is the case when o - leftOffset is neither zero nor in angs.
func notBesideLeft(angs []offset) []offset {
	var out []offset
	for _, o := range angs {
		shifted := offset{o[0], o[1], o[2] - 1}
		if o == leftOffset || slices.Contains(angs, shifted) {
			continue
		}
		out = append(out, o)
	}
	return out
}

func glszmFeatures(t *texture, s *Settings) map[string]float64 {
	e := glszmMatrix(t, s).emphases(float64(t.nvox))
	if e == nil {
		return map[string]float64{}
	}
	return rename(e, glszmNames)
}
