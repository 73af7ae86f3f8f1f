package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Limits is the limits section: resource limits of the listener.
type Limits struct {
	// MaxAssociations is the number of associations served at once; one more
	// is rejected with A-ASSOCIATE-RJ (transient, local limit exceeded).
	MaxAssociations int `yaml:"max_associations"`
	// MaxPDULength is the Maximum Length (PS3.8 D.1) the node announces, the
	// largest P-DATA-TF PDU body it accepts.
	MaxPDULength ByteSize `yaml:"max_pdu_length"`
	// MaxInstanceSize is the largest data set accepted. A larger one is
	// rejected with status A700 and discarded.
	MaxInstanceSize ByteSize `yaml:"max_instance_size"`
	// FreeSpaceWatermark is the free space the data folder's file system must
	// keep. A store that would go below it is rejected with status A700.
	FreeSpaceWatermark ByteSize `yaml:"free_space_watermark"`
	// Timeouts of the upper layer and of shutdown.
	Timeouts Timeouts `yaml:"timeouts"`
}

// Timeouts are the listener's timers.
type Timeouts struct {
	// ARTIM is the association request/reject/release timer (PS3.8 9.1.5).
	ARTIM time.Duration `yaml:"artim"`
	// ACSE bounds the wait for an ACSE reply: A-ASSOCIATE-AC/RJ when the
	// node is the requestor, A-RELEASE-RP in a release collision.
	ACSE time.Duration `yaml:"acse"`
	// DIMSE bounds the wait for the next PDU inside a DIMSE message.
	DIMSE time.Duration `yaml:"dimse"`
	// Idle aborts an association with no DIMSE message for this long.
	Idle time.Duration `yaml:"idle"`
	// Shutdown is how long open associations may run after SIGINT/SIGTERM
	// before they are aborted.
	Shutdown time.Duration `yaml:"shutdown"`
}

// Default limits.
const (
	DefaultMaxAssociations    = 16
	DefaultMaxPDULength       = 131072
	DefaultMaxInstanceSize    = 2 << 30
	DefaultFreeSpaceWatermark = 1 << 30
)

// MinPDULength and MaxPDULengthLimit bound limits.max_pdu_length. PS3.8
// allows any value, but a tiny one makes every data set thousands of PDUs and
// a huge one only costs memory: the bounds keep the buffer per association
// between 4 KiB and 4 MiB.
const (
	MinPDULength      = 4096
	MaxPDULengthLimit = 4 << 20
)

func (s *Limits) setDefaults() {
	s.MaxAssociations = DefaultMaxAssociations
	s.MaxPDULength = DefaultMaxPDULength
	s.MaxInstanceSize = DefaultMaxInstanceSize
	s.FreeSpaceWatermark = DefaultFreeSpaceWatermark
	s.Timeouts = Timeouts{
		ARTIM:    30 * time.Second,
		ACSE:     30 * time.Second,
		DIMSE:    60 * time.Second,
		Idle:     5 * time.Minute,
		Shutdown: 30 * time.Second,
	}
}

func (s *Limits) validate() error {
	if s.MaxAssociations < 1 {
		return fmt.Errorf("%w: limits.max_associations %d is below 1", ErrInvalid, s.MaxAssociations)
	}
	if s.MaxPDULength < MinPDULength || s.MaxPDULength > MaxPDULengthLimit {
		return fmt.Errorf("%w: limits.max_pdu_length %d is not in %d..%d", ErrInvalid, s.MaxPDULength, MinPDULength, MaxPDULengthLimit)
	}
	if s.MaxInstanceSize < 1 {
		return fmt.Errorf("%w: limits.max_instance_size must be positive", ErrInvalid)
	}
	if s.FreeSpaceWatermark < 0 {
		return fmt.Errorf("%w: limits.free_space_watermark is negative", ErrInvalid)
	}
	timers := []struct {
		name string
		d    time.Duration
	}{
		{"artim", s.Timeouts.ARTIM}, {"acse", s.Timeouts.ACSE}, {"dimse", s.Timeouts.DIMSE},
		{"idle", s.Timeouts.Idle}, {"shutdown", s.Timeouts.Shutdown},
	}
	for _, t := range timers {
		if t.d <= 0 {
			return fmt.Errorf("%w: limits.timeouts.%s must be positive, got %s", ErrInvalid, t.name, t.d)
		}
	}
	return nil
}

// ByteSize is a number of bytes. In YAML it is an integer or a string with a
// binary or decimal unit: "512MiB", "2 GiB", "100MB", "4096".
type ByteSize int64

var byteUnits = []struct {
	suffix string
	factor int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
	{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
	{"B", 1},
}

// ParseByteSize parses an integer with an optional unit suffix (KiB, MiB,
// GiB, TiB, KB, MB, GB, TB, B).
func ParseByteSize(s string) (ByteSize, error) {
	t := strings.TrimSpace(s)
	factor := int64(1)
	for _, u := range byteUnits {
		if strings.HasSuffix(t, u.suffix) {
			factor = u.factor
			t = strings.TrimSpace(strings.TrimSuffix(t, u.suffix))
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("size %q is not a non-negative integer with an optional unit", s)
	}
	if n > (1<<62)/factor {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	return ByteSize(n * factor), nil
}

// UnmarshalYAML accepts an integer or a string with a unit.
func (b *ByteSize) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: a size must be a scalar", node.Line)
	}
	v, err := ParseByteSize(node.Value)
	if err != nil {
		return fmt.Errorf("line %d: %v", node.Line, err)
	}
	*b = v
	return nil
}

// String formats the size with the largest binary unit that divides it.
func (b ByteSize) String() string {
	for _, u := range []struct {
		suffix string
		factor int64
	}{{"TiB", 1 << 40}, {"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if b != 0 && int64(b)%u.factor == 0 {
			return strconv.FormatInt(int64(b)/u.factor, 10) + u.suffix
		}
	}
	return strconv.FormatInt(int64(b), 10) + "B"
}
