package synth

import (
	"crypto/sha256"
	"fmt"
	"math/big"

	"github.com/mdm2node/mdm2node/internal/dcmbuild"
)

// builder is the shared element builder; its errors wrap ErrWrite.
type builder = dcmbuild.Builder

// derivedUID returns a UID under the 2.25 root (PS3.5 B.2) made from the
// SHA-256 digest of the seed and the parts, with the version and variant
// bits of a name-based UUID set. The same inputs give the same UID.
func derivedUID(seed uint64, parts ...string) string {
	h := sha256.New()
	fmt.Fprintf(h, "mdm2node-synth/%d", seed)
	for _, p := range parts {
		fmt.Fprintf(h, "/%s", p)
	}
	sum := h.Sum(nil)
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x80 // UUID version 8 (custom, name-based)
	b[8] = b[8]&0x3f | 0x80
	return "2.25." + new(big.Int).SetBytes(b).String()
}
