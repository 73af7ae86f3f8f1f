package radiomics

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
	return t.neighbourhood(s).dependence
}

func gldmFeatures(t *texture, s *Settings) map[string]float64 {
	e := gldmMatrix(t, s).emphases(float64(t.nvox))
	if e == nil {
		return map[string]float64{}
	}
	return rename(e, gldmNames)
}
