package store

import (
	"fmt"
	"sync/atomic"
	"testing"
)

// BenchmarkCommit measures one durable store of a 0.5 MB CT data set,
// written in 16 KiB fragments: write, parse, fsync, rename, folder fsync and
// index commit.
func BenchmarkCommit(b *testing.B) {
	s, err := Open(Options{DataDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ct := loadInstance(b, "egsnrc/DICOM/1998052815582995.ct")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		uid := fmt.Sprintf("2.25.9%0*d", len(ct.sopInstance)-6, i+1)
		req := ct.request("bench")
		req.SOPInstanceUID = uid
		data := replaceValue(ct.dataSet, ct.sopInstance, uid)
		if status, err := push(b, s, req, data); status != StatusSuccess {
			b.Fatalf("status %04X: %v", status, err)
		}
	}
}

// BenchmarkCommitParallel runs BenchmarkCommit's store from 4 goroutines,
// as 4 associations would, and reports how many instances one group commit
// indexed on average.
func BenchmarkCommitParallel(b *testing.B) {
	s, err := Open(Options{DataDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ct := loadInstance(b, "egsnrc/DICOM/1998052815582995.ct")
	var next atomic.Int64
	b.SetParallelism(2) // 2 × GOMAXPROCS goroutines: 4 on 2 cores
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			uid := fmt.Sprintf("2.25.9%0*d", len(ct.sopInstance)-6, next.Add(1))
			req := ct.request("bench")
			req.SOPInstanceUID = uid
			data := replaceValue(ct.dataSet, ct.sopInstance, uid)
			if status, err := push(b, s, req, data); status != StatusSuccess {
				b.Fatalf("status %04X: %v", status, err)
			}
		}
	})
	b.StopTimer()
	if groups := s.changes.Load(); groups > 0 {
		b.ReportMetric(float64(b.N)/float64(groups), "instances/group")
	}
}
