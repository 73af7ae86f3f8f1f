package scp

import (
	"errors"
	"fmt"
	"time"

	"github.com/mdm2node/mdm2node/internal/dcmuid"
)

// ImplementationClassUID identifies this implementation in the User
// Information item of the associations it negotiates (PS3.7 Annex D.3.3.2).
// It is a 2.25 UUID-derived UID (PS3.5 Annex B.2), fixed for the node.
const ImplementationClassUID = "2.25.52132249291800030270198476687309393823"

// ImplementationVersionName is sent beside ImplementationClassUID; at most 16
// characters (PS3.7 Annex D.3.3.2).
const ImplementationVersionName = "MDM2NODE_0_1"

// Limits of the protocol that are not configurable.
const (
	// MinPDULength is the smallest maximum PDU length Config accepts; PS3.8
	// does not set one, but a PDU must at least hold a command set.
	MinPDULength = 4096
	// MaxAssociatePDULength bounds the A-ASSOCIATE-RQ/AC PDUs the node reads.
	// They hold at most 128 presentation contexts and user identity tokens
	// of at most 2 x 64 KiB, never instance data (DCMTK getscu's request,
	// with every storage SOP class, is 17 KiB).
	MaxAssociatePDULength = 256 << 10
	// MaxCommandLength bounds the command set of one DIMSE message; command
	// sets are a few hundred bytes.
	MaxCommandLength = 64 << 10
)

// Defaults applied by NewServer to zero fields of Config.
const (
	DefaultMaxAssociations = 16
	DefaultMaxPDULength    = 128 << 10
	DefaultARTIMTimeout    = 30 * time.Second
	DefaultACSETimeout     = 30 * time.Second
	DefaultDIMSETimeout    = 60 * time.Second
	DefaultIdleTimeout     = 5 * time.Minute
)

// ErrConfig is returned by NewServer when a Config value is invalid.
var ErrConfig = errors.New("scp: invalid config")

// Config is the configuration of a Server. Zero values take the defaults
// named in each field's comment; slices are copied by NewServer and never
// modified.
type Config struct {
	// AETitle is the called AE title the server answers to (1 to 16
	// characters, case-sensitive, leading and trailing spaces not
	// significant). Associations to another called AE title are rejected
	// with "called-AE-title-not-recognized".
	AETitle string
	// AllowedCallingAEs, when not empty, lists the calling AE titles that
	// may associate; others are rejected with
	// "calling-AE-title-not-recognized". Empty accepts any calling AE.
	AllowedCallingAEs []string
	// MaxAssociations limits concurrent associations; one more is rejected
	// with the transient "local-limit-exceeded". Default 16.
	MaxAssociations int
	// MaxPDULength is the Maximum Length the server announces, and the
	// largest P-DATA-TF PDU (variable field) it reads, in bytes. At least
	// MinPDULength. Default 128 KiB.
	MaxPDULength uint32
	// AcceptedSOPClasses are the abstract syntaxes the server accepts; each
	// must be the Verification SOP class or one of StorageSOPClasses or
	// QueryRetrieveSOPClasses. A Query/Retrieve SOP class is accepted only
	// while a Service is registered for its command field, and Server.Handle
	// adds the classes of the field it registers. Default
	// DefaultAcceptedSOPClasses.
	AcceptedSOPClasses []string
	// ImageTransferSyntaxes are accepted for ImageStorageSOPClasses, in
	// order of preference. Default ImageTransferSyntaxes.
	ImageTransferSyntaxes []string
	// OtherTransferSyntaxes are accepted for NonImageStorageSOPClasses, in
	// order of preference. Default OtherTransferSyntaxes.
	OtherTransferSyntaxes []string
	// ARTIMTimeout is the Association Request/Reject/Release timer of PS3.8
	// section 9.1.5: how long a new connection may take to send its
	// A-ASSOCIATE-RQ, and how long the server waits for the peer to close
	// the connection after a reject or abort. Default 30 s.
	ARTIMTimeout time.Duration
	// ACSETimeout bounds the wait for an A-ASSOCIATE-AC/RJ or A-RELEASE-RP
	// from the peer (SCU side and release collisions). Default 30 s.
	ACSETimeout time.Duration
	// DIMSETimeout bounds the gap between two PDUs of one DIMSE message,
	// i.e. while a command or data set is incomplete. Default 60 s.
	DIMSETimeout time.Duration
	// IdleTimeout bounds the gap between two DIMSE messages on an
	// established association; when it expires the server aborts the
	// association. Default 5 min.
	IdleTimeout time.Duration
}

// withDefaults returns a copy of c with defaults filled in and slices copied.
func (c Config) withDefaults() Config {
	if c.MaxAssociations == 0 {
		c.MaxAssociations = DefaultMaxAssociations
	}
	if c.MaxPDULength == 0 {
		c.MaxPDULength = DefaultMaxPDULength
	}
	if c.AcceptedSOPClasses == nil {
		c.AcceptedSOPClasses = DefaultAcceptedSOPClasses
	}
	if c.ImageTransferSyntaxes == nil {
		c.ImageTransferSyntaxes = ImageTransferSyntaxes
	}
	if c.OtherTransferSyntaxes == nil {
		c.OtherTransferSyntaxes = OtherTransferSyntaxes
	}
	if c.ARTIMTimeout == 0 {
		c.ARTIMTimeout = DefaultARTIMTimeout
	}
	if c.ACSETimeout == 0 {
		c.ACSETimeout = DefaultACSETimeout
	}
	if c.DIMSETimeout == 0 {
		c.DIMSETimeout = DefaultDIMSETimeout
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	c.AETitle = trimAE(c.AETitle)
	c.AllowedCallingAEs = copyStrings(c.AllowedCallingAEs)
	for i, ae := range c.AllowedCallingAEs {
		c.AllowedCallingAEs[i] = trimAE(ae)
	}
	c.AcceptedSOPClasses = copyStrings(c.AcceptedSOPClasses)
	c.ImageTransferSyntaxes = copyStrings(c.ImageTransferSyntaxes)
	c.OtherTransferSyntaxes = copyStrings(c.OtherTransferSyntaxes)
	return c
}

// validate checks a Config that withDefaults has completed.
func (c *Config) validate() error {
	if err := checkAE(c.AETitle); err != nil {
		return fmt.Errorf("%w: AETitle: %v", ErrConfig, err)
	}
	for _, ae := range c.AllowedCallingAEs {
		if err := checkAE(ae); err != nil {
			return fmt.Errorf("%w: AllowedCallingAEs: %v", ErrConfig, err)
		}
	}
	if c.MaxAssociations < 1 {
		return fmt.Errorf("%w: MaxAssociations %d is less than 1", ErrConfig, c.MaxAssociations)
	}
	if c.MaxPDULength < MinPDULength {
		return fmt.Errorf("%w: MaxPDULength %d is less than %d", ErrConfig, c.MaxPDULength, MinPDULength)
	}
	for _, uid := range c.AcceptedSOPClasses {
		if uid != VerificationSOPClass && !contains(StorageSOPClasses, uid) && !contains(QueryRetrieveSOPClasses, uid) {
			return fmt.Errorf("%w: AcceptedSOPClasses: %s is not a SOP class the node supports", ErrConfig, uid)
		}
	}
	for _, list := range [][]string{c.ImageTransferSyntaxes, c.OtherTransferSyntaxes} {
		for _, uid := range list {
			if err := dcmuid.Check(uid); err != nil {
				return fmt.Errorf("%w: transfer syntax %q: %v", ErrConfig, uid, err)
			}
		}
	}
	for _, d := range []time.Duration{c.ARTIMTimeout, c.ACSETimeout, c.DIMSETimeout, c.IdleTimeout} {
		if d < 0 {
			return fmt.Errorf("%w: negative timeout %v", ErrConfig, d)
		}
	}
	return nil
}

// checkAE checks an AE title after trimAE: 1 to 16 characters of the default
// character repertoire without control characters or backslash (PS3.5 6.2).
func checkAE(ae string) error {
	if ae == "" || len(ae) > 16 {
		return fmt.Errorf("AE title %q must have 1 to 16 characters", ae)
	}
	for i := 0; i < len(ae); i++ {
		if ae[i] < 0x20 || ae[i] > 0x7e || ae[i] == '\\' {
			return fmt.Errorf("AE title %q has a character not allowed in an AE title", ae)
		}
	}
	return nil
}

// trimAE removes the leading and trailing spaces (and NUL padding sent by some
// peers) that are not significant in an AE title.
func trimAE(s string) string {
	i, j := 0, len(s)
	for i < j && (s[i] == ' ' || s[i] == 0) {
		i++
	}
	for j > i && (s[j-1] == ' ' || s[j-1] == 0) {
		j--
	}
	return s[i:j]
}

func copyStrings(s []string) []string {
	if s == nil {
		return nil
	}
	return append([]string(nil), s...)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
