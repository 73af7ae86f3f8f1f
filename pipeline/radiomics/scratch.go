package radiomics

import "sync"

// int32Pool holds []int32 buffers of region-sized scratch arrays (padded
// grey levels, union-find parents, run lengths) for reuse across feature
// classes and image types, which saves their allocation and clearing by the
// runtime and the garbage collection that follows.
var int32Pool sync.Pool

// getInt32 returns a zeroed []int32 of length n, reused from int32Pool when
// a large enough buffer is available. Return it with putInt32 when done.
func getInt32(n int) []int32 {
	if p, ok := int32Pool.Get().(*[]int32); ok {
		if cap(*p) >= n {
			s := (*p)[:n]
			clear(s)
			return s
		}
	}
	return make([]int32, n)
}

// putInt32 returns s to int32Pool. The caller must not use s afterwards.
func putInt32(s []int32) {
	int32Pool.Put(&s)
}
