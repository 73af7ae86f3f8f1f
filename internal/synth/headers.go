package synth

import (
	"math"
	"math/rand/v2"

	"github.com/mdm2node/mdm2node/internal/dcmbuild"
)

// seriesHeader holds the acquisition attributes of one series as a scanner
// of the given vendor would write them.
type seriesHeader struct {
	Manufacturer, Model       string
	SeriesDescription         string
	ProtocolName              string
	SeriesNumber              int
	ConvolutionKernel         string // CT
	ScanningSequence          []string
	SequenceVariant           []string
	ScanOptions               []string
	SequenceName              string
	RepetitionTime, EchoTime  float64 // ms
	EchoTrainLength           int
	FlipAngle                 float64
	FieldStrength             float64 // T
	WindowCenter, WindowWidth float64
}

// vendor is one of the three scanner vendors the generator imitates.
type vendor int

const (
	vendorSiemens vendor = iota
	vendorGE
	vendorPhilips
)

var vendorNames = [...]string{"SIEMENS", "GE MEDICAL SYSTEMS", "Philips"}

// ctHeader returns a contrast-enhanced venous-phase CT protocol.
func ctHeader(v vendor, thickness float64, location string) seriesHeader {
	h := seriesHeader{Manufacturer: vendorNames[v], SeriesNumber: 3, WindowCenter: 40, WindowWidth: 400}
	mm := dcmbuild.FormatDS(thickness)
	switch v {
	case vendorSiemens:
		h.Model, h.SeriesDescription, h.ConvolutionKernel = "SOMATOM Definition AS+", "Venous "+mm+" Br40", "Br40d"
		h.ProtocolName = map[string]string{"extremity": "Extremity_Venous", "trunk": "Thorax_Venous", "abdomen": "Abdomen_Venous"}[location]
	case vendorGE:
		h.Model, h.SeriesDescription, h.ConvolutionKernel = "Revolution CT", mm+"mm STND PORTAL", "STANDARD"
		h.ProtocolName = map[string]string{"extremity": "LOWER EXTREMITY W CONTRAST", "trunk": "CHEST W CONTRAST", "abdomen": "ABD PELVIS W CONTRAST"}[location]
	default:
		h.Model, h.SeriesDescription, h.ConvolutionKernel = "IQon - Spectral CT", "Venous "+mm+"mm B", "B"
		h.ProtocolName = map[string]string{"extremity": "Extremity CE", "trunk": "Thorax CE", "abdomen": "Abdomen CE"}[location]
	}
	return h
}

// mrHeader returns an axial T1-weighted turbo spin-echo protocol (fatSat
// false) or an axial T2-weighted fat-suppressed one (fatSat true).
func mrHeader(rng *rand.Rand, v vendor, fatSat bool) seriesHeader {
	h := seriesHeader{
		Manufacturer:     vendorNames[v],
		ScanningSequence: []string{"SE"},
		SequenceVariant:  []string{"SK", "SP", "OSP"},
		FlipAngle:        150,
		FieldStrength:    []float64{1.5, 3}[rng.IntN(2)],
	}
	jitter := func(v, rel float64) float64 { return math.Round(v * (1 + rel*(2*rng.Float64()-1))) }
	if fatSat {
		h.SeriesNumber = 6
		h.RepetitionTime, h.EchoTime, h.EchoTrainLength = jitter(4000, 0.2), jitter(85, 0.1), 15
		h.WindowCenter, h.WindowWidth = 300, 700
	} else {
		h.SeriesNumber = 5
		h.RepetitionTime, h.EchoTime, h.EchoTrainLength = jitter(550, 0.15), jitter(11, 0.1), 3
		h.WindowCenter, h.WindowWidth = 550, 1200
	}
	switch v {
	case vendorSiemens:
		h.Model = map[bool]string{false: "MAGNETOM Aera", true: "MAGNETOM Skyra"}[h.FieldStrength == 3]
		if fatSat {
			h.SeriesDescription, h.SequenceName, h.ScanOptions = "t2_tse_fs_tra", "*tse2d1_15", []string{"FS", "PFP"}
		} else {
			h.SeriesDescription, h.SequenceName, h.ScanOptions = "t1_tse_tra", "*tse2d1_3", []string{"PFP"}
		}
		h.ProtocolName = h.SeriesDescription
	case vendorGE:
		h.Model = map[bool]string{false: "SIGNA Artist", true: "SIGNA Premier"}[h.FieldStrength == 3]
		h.SequenceVariant = []string{"SK", "OSP"}
		if fatSat {
			h.SeriesDescription, h.SequenceName, h.ScanOptions = "Ax T2 FSE FS", "fse-xl", []string{"FAST_GEMS", "FS"}
		} else {
			h.SeriesDescription, h.SequenceName, h.ScanOptions = "Ax T1 FSE", "fse-xl", []string{"FAST_GEMS"}
		}
		h.ProtocolName = h.SeriesDescription
	default:
		h.Model = map[bool]string{false: "Ingenia", true: "Ingenia Elition X"}[h.FieldStrength == 3]
		h.SequenceVariant = []string{"SK"}
		if fatSat {
			h.SeriesDescription, h.SequenceName, h.ScanOptions = "T2W_SPAIR_TRA", "TSE", []string{"FS"}
		} else {
			h.SeriesDescription, h.SequenceName, h.ScanOptions = "T1W_TSE_TRA", "TSE", nil
		}
		h.ProtocolName = h.SeriesDescription
	}
	return h
}
