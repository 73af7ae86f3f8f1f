package sr

import (
	"fmt"
	"strings"
)

// Relationship types (PS3.3 C.17.3.2.4).
const (
	relContains        = "CONTAINS"
	relHasObsContext   = "HAS OBS CONTEXT"
	relHasConceptMod   = "HAS CONCEPT MOD"
	relHasAcqContext   = "HAS ACQ CONTEXT"
	relHasProperties   = "HAS PROPERTIES"
	relInferredFrom    = "INFERRED FROM"
	relSelectedFrom    = "SELECTED FROM"
	continuitySeparate = "SEPARATE"
)

// item is one content item of the SR tree (PS3.3 C.17.3). Which value
// fields are used depends on valueType.
type item struct {
	relationship string // empty for the root
	valueType    string // CONTAINER, TEXT, CODE, NUM, UIDREF or IMAGE
	concept      *Code  // nil only for an IMAGE of the image library
	template     string // TID of a CONTAINER, empty if none

	text     string   // TEXT
	uid      string   // UIDREF
	code     Code     // CODE
	number   float64  // NUM
	unit     Code     // NUM
	ref      Instance // IMAGE
	segments []int    // IMAGE of a segmentation

	children []*item
}

func container(rel string, concept Code, children ...*item) *item {
	return &item{relationship: rel, valueType: "CONTAINER", concept: &concept, children: children}
}

func textItem(rel string, concept Code, value string) *item {
	return &item{relationship: rel, valueType: "TEXT", concept: &concept, text: value}
}

func codeItem(rel string, concept, value Code) *item {
	return &item{relationship: rel, valueType: "CODE", concept: &concept, code: value}
}

func uidItem(rel string, concept Code, value string) *item {
	return &item{relationship: rel, valueType: "UIDREF", concept: &concept, uid: value}
}

func numItem(rel string, concept Code, value float64, unit Code, children ...*item) *item {
	return &item{relationship: rel, valueType: "NUM", concept: &concept, number: value, unit: unit, children: children}
}

func imageItem(rel string, concept *Code, ref Instance, segments []int) *item {
	return &item{relationship: rel, valueType: "IMAGE", concept: concept, ref: ref, segments: segments}
}

// device is the observer of the report (PS3.16 TID 1004).
type device struct {
	name, uid, manufacturer, model string
}

// buildContent returns the root of the TID 1500 content tree. r, src and dev
// must have been validated.
func buildContent(r *Result, src *Source, dev device, trackingID, trackingUID string) *item {
	root := container("", codeImagingMeasurementReport)
	root.template = "1500"
	add := func(it *item) { root.children = append(root.children, it) }

	// 1. Language (TID 1204) and the device observer (TID 1002, TID 1004).
	add(codeItem(relHasConceptMod, codeLanguage, codeEnglishUS))
	add(codeItem(relHasObsContext, codeObserverType, codeDevice))
	add(uidItem(relHasObsContext, codeDeviceObserverUID, dev.uid))
	if dev.name != "" {
		add(textItem(relHasObsContext, codeDeviceObserverName, dev.name))
	}
	add(textItem(relHasObsContext, codeDeviceManufacturer, dev.manufacturer))
	add(textItem(relHasObsContext, codeDeviceModelName, dev.model))

	// 2. Procedure reported: one item per modality of the source images.
	groups := groupImages(src.Images)
	if hasModality(groups, "CT") {
		add(codeItem(relHasConceptMod, codeProcedureReported, codeProcedureCT))
	}
	if hasModality(groups, "MR") {
		add(codeItem(relHasConceptMod, codeProcedureReported, codeProcedureMR))
	}

	// 3. Image library (TID 1600): one group per source series.
	library := container(relContains, codeImageLibrary)
	for _, g := range groups {
		modality := codeModalityCT
		if g.modality == "MR" {
			modality = codeModalityMR
		}
		group := container(relContains, codeImageLibraryGroup,
			codeItem(relHasAcqContext, codeModality, modality))
		for _, im := range g.images {
			group.children = append(group.children, imageItem(relContains, nil, im.Instance, nil))
		}
		library.children = append(library.children, group)
	}
	add(library)

	// 4. The measurement group of the tumour (TID 1501), with the algorithm
	// identification (TID 4019) as concept modifiers of the likelihood.
	classCode, _ := r.Class.code()
	modelCode, _ := r.Model.code()
	algorithm := []*item{
		textItem(relHasConceptMod, codeAlgorithmName, r.AlgorithmName),
		textItem(relHasConceptMod, codeAlgorithmVersion, r.AlgorithmVersion),
		textItem(relHasConceptMod, codeAlgorithmParameters, "model bundle id: "+r.BundleID),
		textItem(relHasConceptMod, codeAlgorithmParameters, "model bundle sha256: "+strings.ToLower(r.BundleSHA256)),
	}
	for _, p := range r.AlgorithmParameters {
		algorithm = append(algorithm, textItem(relHasConceptMod, codeAlgorithmParameters, p))
	}
	group := container(relContains, codeMeasurementGroup,
		textItem(relHasObsContext, codeTrackingIdentifier, trackingID),
		uidItem(relHasObsContext, codeTrackingUID, trackingUID),
		codeItem(relContains, codeFinding, codeMass),
		codeItem(relHasConceptMod, codeFindingSite, codeSoftTissue),
	)
	group.template = "1501"
	for _, sg := range src.Segmentations {
		concept := codeReferencedSegment
		group.children = append(group.children, imageItem(relContains, &concept, sg.Instance, sg.SegmentNumbers))
	}
	group.children = append(group.children,
		numItem(relContains, codeMDM2Likelihood, r.Likelihood, codeUnitOne, algorithm...),
		numItem(relContains, codeDecisionThreshold, r.Threshold, codeUnitOne),
		codeItem(relContains, codePredictedClass, classCode),
		codeItem(relContains, codeContributingModel, modelCode),
	)
	add(container(relContains, codeImagingMeasurements, group))

	// 5. The statement that this is not a diagnosis.
	add(textItem(relContains, codeComment, disclaimer(r)))
	return root
}

// disclaimer returns the comment stating that the result is not a diagnosis,
// with the model and its training data.
func disclaimer(r *Result) string {
	return fmt.Sprintf("This result is not a diagnosis. The likelihood of MDM2 amplification "+
		"comes from the %s model of %s %s, which was trained on %s. "+
		"MDM2 amplification is confirmed by FISH on tissue.",
		r.Model, r.AlgorithmName, r.AlgorithmVersion, strings.TrimSuffix(strings.TrimSpace(r.TrainingData), "."))
}

// imageGroup is the images of one series.
type imageGroup struct {
	modality string
	images   []Image
}

// groupImages groups images by series, in the order each series first
// appears, so the output does not depend on map order.
func groupImages(images []Image) []imageGroup {
	index := map[string]int{}
	var groups []imageGroup
	for _, im := range images {
		i, ok := index[im.SeriesInstanceUID]
		if !ok {
			i = len(groups)
			index[im.SeriesInstanceUID] = i
			groups = append(groups, imageGroup{modality: im.Modality})
		}
		groups[i].images = append(groups[i].images, im)
	}
	return groups
}

func hasModality(groups []imageGroup, modality string) bool {
	for _, g := range groups {
		if g.modality == modality {
			return true
		}
	}
	return false
}
