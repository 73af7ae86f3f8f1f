package config

import (
	"fmt"
	"time"

	"github.com/mdm2node/mdm2node/internal/dcmuid"
)

// Results is the results section: where Structured Reports are delivered,
// how delivery retries, and the identity the node writes into its reports.
type Results struct {
	// Destinations are the applications results may be sent to. They and
	// node.peers are the only Move Destinations a C-MOVE may name.
	Destinations []Peer `yaml:"destinations"`
	// DefaultDestinations are the AE titles, from Destinations, that every
	// new result is sent to.
	DefaultDestinations []string `yaml:"default_destinations"`
	// SendToSender adds the calling AE title that sent a study to the
	// destinations of its result, when that AE title is in Destinations.
	SendToSender bool `yaml:"send_to_sender"`
	// CallingAE is the calling AE title of the node's associations as SCU;
	// empty uses node.ae_title.
	CallingAE string `yaml:"calling_ae"`
	// DeviceUID is the Device Observer UID of the node in the SR's
	// observer context. When it is empty, `mdm2node serve` derives a stable
	// one from node.ae_title and the data folder.
	DeviceUID string `yaml:"device_uid"`
	// Retry is the retry policy of deliveries.
	Retry Retry `yaml:"retry"`
	// Timeouts of one delivery association.
	Timeouts DeliveryTimeouts `yaml:"timeouts"`
}

// Retry is the exponential back-off of a failed delivery: the n-th retry
// waits min(InitialBackoff * Factor^(n-1), MaxBackoff). A delivery still
// undelivered MaxAge after it was queued is marked failed.
type Retry struct {
	InitialBackoff time.Duration `yaml:"initial_backoff"`
	Factor         float64       `yaml:"factor"`
	MaxBackoff     time.Duration `yaml:"max_backoff"`
	MaxAge         time.Duration `yaml:"max_age"`
}

// DeliveryTimeouts bound one delivery association.
type DeliveryTimeouts struct {
	// Connect bounds the TCP connection and the wait for A-ASSOCIATE-AC
	// or A-RELEASE-RP.
	Connect time.Duration `yaml:"connect"`
	// DIMSE bounds the wait for each PDU of a C-STORE response.
	DIMSE time.Duration `yaml:"dimse"`
}

// Default results values.
const (
	DefaultInitialBackoff = 30 * time.Second
	DefaultBackoffFactor  = 2
	DefaultMaxBackoff     = time.Hour
	DefaultMaxAge         = 72 * time.Hour
	DefaultConnectTimeout = 30 * time.Second
	DefaultDeliveryDIMSE  = 60 * time.Second
)

func (s *Results) setDefaults() {
	s.Destinations = nil
	s.DefaultDestinations = nil
	s.SendToSender = true
	s.CallingAE = ""
	s.DeviceUID = ""
	s.Retry = Retry{
		InitialBackoff: DefaultInitialBackoff,
		Factor:         DefaultBackoffFactor,
		MaxBackoff:     DefaultMaxBackoff,
		MaxAge:         DefaultMaxAge,
	}
	s.Timeouts = DeliveryTimeouts{Connect: DefaultConnectTimeout, DIMSE: DefaultDeliveryDIMSE}
}

func (s *Results) validate() error {
	seen := map[string]bool{}
	for i, p := range s.Destinations {
		if err := CheckAETitle(p.AETitle); err != nil {
			return fmt.Errorf("%w: results.destinations[%d].ae_title: %v", ErrInvalid, i, err)
		}
		if seen[p.AETitle] {
			return fmt.Errorf("%w: results.destinations[%d]: AE title %q is listed twice", ErrInvalid, i, p.AETitle)
		}
		seen[p.AETitle] = true
		if p.Host == "" {
			return fmt.Errorf("%w: results.destinations[%d].host is empty", ErrInvalid, i)
		}
		if p.Port < 1 || p.Port > 65535 {
			return fmt.Errorf("%w: results.destinations[%d].port %d is not in 1..65535", ErrInvalid, i, p.Port)
		}
	}
	for i, ae := range s.DefaultDestinations {
		if !seen[ae] {
			return fmt.Errorf("%w: results.default_destinations[%d]: %q is not in results.destinations", ErrInvalid, i, ae)
		}
	}
	if s.CallingAE != "" {
		if err := CheckAETitle(s.CallingAE); err != nil {
			return fmt.Errorf("%w: results.calling_ae: %v", ErrInvalid, err)
		}
	}
	if s.DeviceUID != "" {
		if err := dcmuid.Check(s.DeviceUID); err != nil {
			return fmt.Errorf("%w: results.device_uid: %v", ErrInvalid, err)
		}
	}
	r := s.Retry
	switch {
	case r.InitialBackoff <= 0:
		return fmt.Errorf("%w: results.retry.initial_backoff %v is not positive", ErrInvalid, r.InitialBackoff)
	case r.Factor < 1:
		return fmt.Errorf("%w: results.retry.factor %v is less than 1", ErrInvalid, r.Factor)
	case r.MaxBackoff < r.InitialBackoff:
		return fmt.Errorf("%w: results.retry.max_backoff %v is less than initial_backoff %v", ErrInvalid, r.MaxBackoff, r.InitialBackoff)
	case r.MaxAge <= 0:
		return fmt.Errorf("%w: results.retry.max_age %v is not positive", ErrInvalid, r.MaxAge)
	}
	if s.Timeouts.Connect <= 0 || s.Timeouts.DIMSE <= 0 {
		return fmt.Errorf("%w: results.timeouts must be positive (connect %v, dimse %v)", ErrInvalid, s.Timeouts.Connect, s.Timeouts.DIMSE)
	}
	return nil
}

// Destination returns the destination with AE title ae.
func (s *Results) Destination(ae string) (Peer, bool) {
	for _, p := range s.Destinations {
		if p.AETitle == ae {
			return p, true
		}
	}
	return Peer{}, false
}
