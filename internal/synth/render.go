package synth

import (
	"math"
	"math/rand/v2"
	"sync"

	"github.com/mdm2node/mdm2node/series/volume"
)

// rendered is one series on its grid: the image in modality units and the
// tumour mask (voxel centres inside the tumour).
type rendered struct {
	image volume.Volume
	mask  volume.Mask
}

// renderJob describes one series to render.
type renderJob struct {
	scene     *scene
	grid      volume.Geometry
	thickness float64
	contrast  contrast
	// rician selects MR magnitude noise; CT noise is Gaussian.
	rician bool
	// noiseSeed seeds the per-slice noise generators, so that slices can
	// be rendered in any order with the same result.
	noiseSeed uint64
	workers   int
}

// partialVolumeOffsets are the sample points, in voxel units, used for a
// voxel at a tissue boundary: a 2 x 2 x 2 pattern that spans the pixel and
// the slice thickness.
var partialVolumeOffsets = [8][3]float64{
	{-0.25, -0.25, -0.25}, {0.25, -0.25, -0.25}, {-0.25, 0.25, -0.25}, {0.25, 0.25, -0.25},
	{-0.25, -0.25, 0.25}, {0.25, -0.25, 0.25}, {-0.25, 0.25, 0.25}, {0.25, 0.25, 0.25},
}

// render samples the scene on the job's grid. Voxels whose centre tissue
// differs from a neighbour's are averaged over partialVolumeOffsets, which
// gives partial-volume edges; the others take the centre tissue's value.
func render(job renderJob) rendered {
	g := job.grid
	nx, ny, nz := g.Size[0], g.Size[1], g.Size[2]
	labels := make([]tissue, g.Len())
	out := rendered{
		image: volume.Volume{Geometry: g, Data: make([]float32, g.Len())},
		mask:  volume.Mask{Geometry: g, Data: make([]uint8, g.Len())},
	}

	// 1. Tissue at every voxel centre.
	parallelSlices(nz, job.workers, func(k int) {
		for j := 0; j < ny; j++ {
			for i := 0; i < nx; i++ {
				t := job.scene.tissueAt(g.Position(float64(i), float64(j), float64(k)))
				labels[g.Index(i, j, k)] = t
				if t.inTumour() {
					out.mask.Data[g.Index(i, j, k)] = 1
				}
			}
		}
	})

	// 2. Intensities with partial volume, bias field and noise.
	zScale := job.thickness / g.Spacing[2]
	parallelSlices(nz, job.workers, func(k int) {
		rng := rand.New(rand.NewPCG(job.noiseSeed, uint64(k)))
		for j := 0; j < ny; j++ {
			for i := 0; i < nx; i++ {
				idx := g.Index(i, j, k)
				centre := g.Position(float64(i), float64(j), float64(k))
				t := labels[idx]
				var v float64
				if boundary(labels, g, i, j, k) {
					for _, o := range partialVolumeOffsets {
						p := g.Position(float64(i)+o[0], float64(j)+o[1], float64(k)+o[2]*zScale)
						v += job.contrast.value(job.scene, job.scene.tissueAt(p), centre)
					}
					v /= float64(len(partialVolumeOffsets))
				} else {
					v = job.contrast.value(job.scene, t, centre)
				}
				if job.rician {
					u := 2*float64(i)/float64(nx-1) - 1
					w := 2*float64(j)/float64(ny-1) - 1
					v *= job.contrast.biasAt(u, w)
					v = math.Hypot(v+job.contrast.noise*rng.NormFloat64(), job.contrast.noise*rng.NormFloat64())
				} else {
					v += job.contrast.noise * rng.NormFloat64()
				}
				out.image.Data[idx] = float32(v)
			}
		}
	})
	return out
}

// value returns the intensity of tissue t with the scene's texture sampled at
// p.
func (m *contrast) value(s *scene, t tissue, p [3]float64) float64 {
	v := m.mean[t]
	if a := m.texture[t]; a != 0 {
		v += a * s.texture.at(p)
	}
	return v
}

// boundary reports whether voxel (i, j, k) has a 6-neighbour of another
// tissue.
func boundary(labels []tissue, g volume.Geometry, i, j, k int) bool {
	t := labels[g.Index(i, j, k)]
	if i > 0 && labels[g.Index(i-1, j, k)] != t || i+1 < g.Size[0] && labels[g.Index(i+1, j, k)] != t {
		return true
	}
	if j > 0 && labels[g.Index(i, j-1, k)] != t || j+1 < g.Size[1] && labels[g.Index(i, j+1, k)] != t {
		return true
	}
	return k > 0 && labels[g.Index(i, j, k-1)] != t || k+1 < g.Size[2] && labels[g.Index(i, j, k+1)] != t
}

// parallelSlices calls f(k) for k in [0, n) on up to workers goroutines.
func parallelSlices(n, workers int, f func(k int)) {
	if workers < 1 {
		workers = 1
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range next {
				f(k)
			}
		}()
	}
	for k := 0; k < n; k++ {
		next <- k
	}
	close(next)
	wg.Wait()
}
