//go:build unix

package radiomics

import (
	"context"
	"math"
	"syscall"
	"testing"
	"time"

	"github.com/mdm2node/mdm2node/series/volume"
)

// benchCT returns a 512 x 512 x 60 CT-like volume (0.8 x 0.8 x 2.5 mm) with
// an ellipsoidal region inside a 120 x 120 x 40 box and soft-tissue texture.
func benchCT() (*volume.Volume, *volume.Mask) {
	size := [3]int{512, 512, 60}
	g := volume.Geometry{Size: size, Spacing: [3]float64{0.8, 0.8, 2.5},
		Axes: [3][3]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}}
	v := &volume.Volume{Geometry: g, Data: make([]float32, g.Len())}
	m := &volume.Mask{Geometry: g, Data: make([]uint8, g.Len())}
	var seed uint32 = 1
	for z := 0; z < size[2]; z++ {
		for y := 0; y < size[1]; y++ {
			for x := 0; x < size[0]; x++ {
				seed = seed*1664525 + 1013904223
				noise := float64(seed>>16)/65536*60 - 30
				i := g.Index(x, y, z)
				v.Data[i] = float32(-60 + 40*math.Sin(float64(x)/9)*math.Cos(float64(y)/13) + 15*math.Sin(float64(z)/3) + noise)
				dx, dy, dz := float64(x-256)/60, float64(y-256)/60, float64(z-30)/20
				if dx*dx+dy*dy+dz*dz <= 1 {
					m.Data[i] = 1
				}
			}
		}
	}
	return v, m
}

// cpuTime returns the user plus system CPU time of the process so far (all
// threads, including the garbage collector).
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchExtract runs Extract b.N times with DefaultParams and reports the CPU
// time per operation as cpu-ms/op beside the wall time.
func benchExtract(b *testing.B, img *volume.Volume, mask *volume.Mask) {
	p := DefaultParams()
	b.ResetTimer()
	start := cpuTime(b)
	for i := 0; i < b.N; i++ {
		res, err := Extract(context.Background(), img, mask, p)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Values) != 851 {
			b.Fatalf("%d features", len(res.Values))
		}
	}
	b.ReportMetric(float64(cpuTime(b)-start)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// BenchmarkExtract851CT measures all 851 features (Original + 8 wavelet
// decompositions, every class) for one CT-sized input.
func BenchmarkExtract851CT(b *testing.B) {
	img, mask := benchCT()
	benchExtract(b, img, mask)
}

// benchMR returns a 320 x 320 x 30 MR-like volume (0.7 x 0.7 x 4 mm,
// intensities in the hundreds) with an ellipsoidal region inside a
// 100 x 100 x 20 box.
func benchMR() (*volume.Volume, *volume.Mask) {
	size := [3]int{320, 320, 30}
	g := volume.Geometry{Size: size, Spacing: [3]float64{0.7, 0.7, 4},
		Axes: [3][3]float64{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}}
	v := &volume.Volume{Geometry: g, Data: make([]float32, g.Len())}
	m := &volume.Mask{Geometry: g, Data: make([]uint8, g.Len())}
	var seed uint32 = 7
	for z := 0; z < size[2]; z++ {
		for y := 0; y < size[1]; y++ {
			for x := 0; x < size[0]; x++ {
				seed = seed*1664525 + 1013904223
				noise := float64(seed>>16)/65536*80 - 40
				i := g.Index(x, y, z)
				v.Data[i] = float32(600 + 250*math.Sin(float64(x)/11)*math.Cos(float64(y)/7) + 80*math.Cos(float64(z)/4) + noise)
				dx, dy, dz := float64(x-160)/50, float64(y-160)/50, float64(z-15)/10
				if dx*dx+dy*dy+dz*dz <= 1 {
					m.Data[i] = 1
				}
			}
		}
	}
	return v, m
}

// BenchmarkExtract851MRSynthetic is the CT benchmark for a typical MR size
// (benchMR).
func BenchmarkExtract851MRSynthetic(b *testing.B) {
	img, mask := benchMR()
	benchExtract(b, img, mask)
}

// BenchmarkExtract851MR is the same for a 256 x 256 x 25 MR-like volume
// (brain1 of PyRadiomics' test data, region 47 x 70 x 7 voxels).
func BenchmarkExtract851MR(b *testing.B) {
	img, mask := loadBrain1(b)
	benchExtract(b, img, mask)
}
