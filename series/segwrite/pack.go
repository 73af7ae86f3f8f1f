package segwrite

// packFrames encodes the given slices of a binary mask as 1-bit pixel data.
// Pixels follow each other across frame boundaries without padding; within
// a byte the first pixel is the least significant bit (PS3.5 8.1.1 and
// D.2). The result is padded with a zero byte to an even length.
func packFrames(data []uint8, cols, rows int, slices []int) ([]byte, int) {
	frame := cols * rows
	total := frame * len(slices)
	out := make([]byte, (total+7)/8+(((total+7)/8)&1))
	bit, voxels := 0, 0
	for _, k := range slices {
		for _, v := range data[k*frame : (k+1)*frame] {
			if v != 0 {
				out[bit>>3] |= 1 << (bit & 7)
				voxels++
			}
			bit++
		}
	}
	return out, voxels
}
