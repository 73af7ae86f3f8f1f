package synth

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"runtime"
	"strconv"
	"time"

	"github.com/mdm2node/mdm2node/series/volume"
)

// Study is one rendered synthetic study, before it is written.
type Study struct {
	Case Case
	// Series holds the image (modality units) and tumour mask of each role
	// in Roles.
	Series map[string]*Series

	seed  uint64
	morph morphology
	info  studyInfo
}

// Series is one rendered series of a Study.
type Series struct {
	Image volume.Volume
	Mask  volume.Mask
	info  seriesInfo
}

// mrGapFactor is the ratio of MR slice spacing to slice thickness (a 20 %
// gap, common for 2D turbo spin-echo).
const mrGapFactor = 1.2

// coverageShare is the largest share of a series' craniocaudal coverage that
// the tumour may fill.
const coverageShare = 0.85

// Render draws and renders study number (counting from 1) of the run given
// by p. It writes nothing. The result depends only on p.Seed, p.Label, the
// sizes in p and number.
func Render(p Params, number int) (*Study, error) {
	p = p.withDefaults()
	if err := p.validate(); err != nil {
		return nil, err
	}
	workers := p.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	rng := rand.New(rand.NewPCG(p.Seed, uint64(number)))

	// 1. Patient, tumour and body.
	c := drawCase(rng, p.Seed, number, p.Label)
	ctSpacing, mrSpacing := p.CTSliceThickness, p.MRSliceThickness*mrGapFactor
	coverage := math.Min(float64(p.CTSlices)*ctSpacing, float64(p.MRSlices)*mrSpacing)
	sc, morph := buildScene(rng, c, 0.5*coverageShare*coverage)
	st := &Study{Case: c, Series: map[string]*Series{}, seed: p.Seed, morph: morph}

	// 2. Study attributes.
	v := vendor(rng.IntN(3))
	studyDate := time.Date(2023, 1, 2, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rng.IntN(700))
	studyTime := studyDate.Add(time.Duration(8*60+rng.IntN(9*60)) * time.Minute)
	st.info = studyInfo{
		c:               c,
		studyUID:        derivedUID(p.Seed, c.ID, "study"),
		studyDate:       studyDate,
		studyTime:       studyTime,
		birthDate:       studyDate.AddDate(-c.Age, -rng.IntN(12), -rng.IntN(28)).Format("20060102"),
		studyID:         strconv.Itoa(number),
		accession:       fmt.Sprintf("SY%012d", noiseSeed(p.Seed, number, "accession")%1e12),
		institution:     "Synthetic Phantom Hospital",
		bodyPart:        map[string]string{"extremity": "THIGH", "trunk": "CHEST", "abdomen": "ABDOMEN"}[c.Location],
		patientPosition: map[bool]string{true: "FFS", false: "HFS"}[c.Location == "extremity"],
	}
	if c.Location == "extremity" {
		st.info.laterality = []string{"R", "L"}[rng.IntN(2)]
	}
	halfWidth := math.Max(sc.rx, sc.ry)

	// 3. One series per role: grid, contrast, header, rendering.
	for _, role := range Roles {
		var (
			matrix, slices    int
			fov, spacing, thk float64
			con               contrast
			hdr               seriesHeader
			frame             string
			acquired          time.Time
		)
		switch role {
		case RoleCT:
			matrix, slices, spacing, thk = p.CTMatrix, p.CTSlices, ctSpacing, p.CTSliceThickness
			fov = clamp(2.3*halfWidth, 250, 500)
			con, hdr = ctContrast(rng, c), ctHeader(v, thk, c.Location)
			frame, acquired = derivedUID(p.Seed, c.ID, "for-ct"), studyTime.Add(35*time.Minute)
		default:
			matrix, slices, spacing, thk = p.MRMatrix, p.MRSlices, mrSpacing, p.MRSliceThickness
			fov = clamp(2.2*halfWidth, 160, 460)
			fatSat := role == RoleT2FS
			if fatSat {
				con = t2fsContrast(rng, c)
				acquired = studyTime.Add(14 * time.Minute)
			} else {
				con = t1Contrast(rng, c)
				acquired = studyTime.Add(4 * time.Minute)
			}
			hdr = mrHeader(rng, v, fatSat)
			frame = derivedUID(p.Seed, c.ID, "for-mr")
		}
		pixel := fov / float64(matrix)
		zOffset := (rng.Float64() - 0.5) * spacing
		grid := volume.Geometry{
			Size:    [3]int{matrix, matrix, slices},
			Spacing: [3]float64{pixel, pixel, spacing},
			Origin:  [3]float64{-fov/2 + pixel/2, -fov/2 + pixel/2, zOffset - float64(slices-1)/2*spacing},
			Axes:    [3][3]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}},
		}
		r := render(renderJob{scene: sc, grid: grid, thickness: thk, contrast: con, rician: role != RoleCT, noiseSeed: noiseSeed(p.Seed, number, role), workers: workers})
		se := &Series{Image: r.image, Mask: r.mask, info: seriesInfo{
			role: role, header: hdr, grid: grid, thickness: thk, acquired: acquired,
			seriesUID: derivedUID(p.Seed, c.ID, role, "series"),
			frameUID:  frame,
		}}
		for k := 0; k < slices; k++ {
			se.info.instanceUIDs = append(se.info.instanceUIDs, derivedUID(p.Seed, c.ID, role, "instance", strconv.Itoa(k)))
		}
		st.Series[role] = se
	}
	return st, nil
}

// noiseSeed returns the seed of the noise generators of one series.
func noiseSeed(seed uint64, number int, role string) uint64 {
	h := fnv.New64a()
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], seed)
	binary.LittleEndian.PutUint64(b[8:], uint64(number))
	h.Write(b[:])
	h.Write([]byte(role))
	return h.Sum64()
}
