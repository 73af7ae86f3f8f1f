package radiomics

import "sort"

// featureClass lists the features of one PyRadiomics feature class. Active
// features are computed when the class is enabled without a feature list;
// deprecated ones only when named.
type featureClass struct {
	active     []string
	deprecated []string
}

func (c featureClass) has(name string) bool {
	for _, n := range c.active {
		if n == name {
			return true
		}
	}
	for _, n := range c.deprecated {
		if n == name {
			return true
		}
	}
	return false
}

// classes holds every feature class by its PyRadiomics name. The names are
// sorted, which is the order PyRadiomics reports them in.
var classes = map[string]featureClass{
	"firstorder": {
		active: []string{"10Percentile", "90Percentile", "Energy", "Entropy", "InterquartileRange",
			"Kurtosis", "Maximum", "Mean", "MeanAbsoluteDeviation", "Median", "Minimum", "Range",
			"RobustMeanAbsoluteDeviation", "RootMeanSquared", "Skewness", "TotalEnergy", "Uniformity", "Variance"},
		deprecated: []string{"StandardDeviation"},
	},
	"shape": {
		active: []string{"Elongation", "Flatness", "LeastAxisLength", "MajorAxisLength",
			"Maximum2DDiameterColumn", "Maximum2DDiameterRow", "Maximum2DDiameterSlice", "Maximum3DDiameter",
			"MeshVolume", "MinorAxisLength", "Sphericity", "SurfaceArea", "SurfaceVolumeRatio", "VoxelVolume"},
		deprecated: []string{"Compactness1", "Compactness2", "SphericalDisproportion"},
	},
	"shape2D": {
		active: []string{"Elongation", "MajorAxisLength", "MaximumDiameter", "MeshSurface",
			"MinorAxisLength", "Perimeter", "PerimeterSurfaceRatio", "PixelSurface", "Sphericity"},
		deprecated: []string{"SphericalDisproportion"},
	},
	"glcm": {
		active: []string{"Autocorrelation", "ClusterProminence", "ClusterShade", "ClusterTendency",
			"Contrast", "Correlation", "DifferenceAverage", "DifferenceEntropy", "DifferenceVariance",
			"Id", "Idm", "Idmn", "Idn", "Imc1", "Imc2", "InverseVariance", "JointAverage", "JointEnergy",
			"JointEntropy", "MCC", "MaximumProbability", "SumAverage", "SumEntropy", "SumSquares"},
		deprecated: []string{"Dissimilarity", "Homogeneity1", "Homogeneity2", "SumVariance"},
	},
	"glrlm": {
		active: []string{"GrayLevelNonUniformity", "GrayLevelNonUniformityNormalized", "GrayLevelVariance",
			"HighGrayLevelRunEmphasis", "LongRunEmphasis", "LongRunHighGrayLevelEmphasis",
			"LongRunLowGrayLevelEmphasis", "LowGrayLevelRunEmphasis", "RunEntropy", "RunLengthNonUniformity",
			"RunLengthNonUniformityNormalized", "RunPercentage", "RunVariance", "ShortRunEmphasis",
			"ShortRunHighGrayLevelEmphasis", "ShortRunLowGrayLevelEmphasis"},
	},
	"glszm": {
		active: []string{"GrayLevelNonUniformity", "GrayLevelNonUniformityNormalized", "GrayLevelVariance",
			"HighGrayLevelZoneEmphasis", "LargeAreaEmphasis", "LargeAreaHighGrayLevelEmphasis",
			"LargeAreaLowGrayLevelEmphasis", "LowGrayLevelZoneEmphasis", "SizeZoneNonUniformity",
			"SizeZoneNonUniformityNormalized", "SmallAreaEmphasis", "SmallAreaHighGrayLevelEmphasis",
			"SmallAreaLowGrayLevelEmphasis", "ZoneEntropy", "ZonePercentage", "ZoneVariance"},
	},
	"gldm": {
		active: []string{"DependenceEntropy", "DependenceNonUniformity", "DependenceNonUniformityNormalized",
			"DependenceVariance", "GrayLevelNonUniformity", "GrayLevelVariance", "HighGrayLevelEmphasis",
			"LargeDependenceEmphasis", "LargeDependenceHighGrayLevelEmphasis", "LargeDependenceLowGrayLevelEmphasis",
			"LowGrayLevelEmphasis", "SmallDependenceEmphasis", "SmallDependenceHighGrayLevelEmphasis",
			"SmallDependenceLowGrayLevelEmphasis"},
		deprecated: []string{"DependencePercentage", "GrayLevelNonUniformityNormalized"},
	},
	"ngtdm": {
		active: []string{"Busyness", "Coarseness", "Complexity", "Contrast", "Strength"},
	},
}

// classOrder is the order in which classes appear in the feature vector.
var classOrder = []string{"shape", "shape2D", "firstorder", "glcm", "glrlm", "glszm", "gldm", "ngtdm"}

func init() {
	for _, c := range classes {
		if !sort.StringsAreSorted(c.active) {
			panic("radiomics: feature list not sorted")
		}
	}
}
