package synth

// tissue is the material at a point of the phantom.
type tissue uint8

// The tissues of the phantom. The numbers index the intensity tables of
// protocol.go.
const (
	tAir tissue = iota
	tSkin
	tFat
	tMuscle
	tCortex
	tMarrow
	tVessel
	tOrgan
	tLung
	tTumourFat
	tSeptum
	tNodule
	numTissues
)

// inTumour reports whether t belongs to the tumour region.
func (t tissue) inTumour() bool { return t >= tTumourFat }
