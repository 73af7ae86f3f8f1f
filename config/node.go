package config

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Node is the node section: the listener's AE title and address, the calling
// AE titles it accepts and the known peers.
type Node struct {
	// AETitle is the called AE title of the listener (PS3.8 9.3.2: at most
	// 16 characters, no backslash or control characters).
	AETitle string `yaml:"ae_title"`
	// Listen is the TCP address, host:port, the listener binds.
	Listen string `yaml:"listen"`
	// AllowedCallingAEs lists the calling AE titles accepted; empty accepts any.
	AllowedCallingAEs []string `yaml:"allowed_calling_aes"`
	// Peers are the remote applications known to the node, by AE title.
	Peers []Peer `yaml:"peers"`
}

// Peer is a remote DICOM application entity.
type Peer struct {
	AETitle string `yaml:"ae_title"`
	Host    string `yaml:"host"`
	Port    int    `yaml:"port"`
}

// Address returns host:port of the peer.
func (p Peer) Address() string {
	return net.JoinHostPort(p.Host, strconv.Itoa(p.Port))
}

// Default node values.
const (
	DefaultAETitle = "MDM2NODE"
	DefaultListen  = "127.0.0.1:11112"
)

func (s *Node) setDefaults() {
	s.AETitle = DefaultAETitle
	s.Listen = DefaultListen
	s.AllowedCallingAEs = nil
	s.Peers = nil
}

func (s *Node) validate() error {
	if err := CheckAETitle(s.AETitle); err != nil {
		return fmt.Errorf("%w: node.ae_title: %v", ErrInvalid, err)
	}
	if _, _, err := net.SplitHostPort(s.Listen); err != nil {
		return fmt.Errorf("%w: node.listen %q: %v", ErrInvalid, s.Listen, err)
	}
	for i, ae := range s.AllowedCallingAEs {
		if err := CheckAETitle(ae); err != nil {
			return fmt.Errorf("%w: node.allowed_calling_aes[%d]: %v", ErrInvalid, i, err)
		}
	}
	for i, p := range s.Peers {
		if err := CheckAETitle(p.AETitle); err != nil {
			return fmt.Errorf("%w: node.peers[%d].ae_title: %v", ErrInvalid, i, err)
		}
		if p.Host == "" {
			return fmt.Errorf("%w: node.peers[%d].host is empty", ErrInvalid, i)
		}
		if p.Port < 1 || p.Port > 65535 {
			return fmt.Errorf("%w: node.peers[%d].port %d is not in 1..65535", ErrInvalid, i, p.Port)
		}
	}
	return nil
}

// CheckAETitle returns an error when ae is not a valid application entity
// title: 1 to 16 characters of the default character repertoire without
// backslash or control characters, and not only spaces (PS3.5 6.2, AE).
func CheckAETitle(ae string) error {
	if len(ae) == 0 || len(ae) > 16 {
		return fmt.Errorf("AE title %q must have 1 to 16 characters", ae)
	}
	if strings.TrimSpace(ae) == "" {
		return fmt.Errorf("AE title of only spaces")
	}
	for i := 0; i < len(ae); i++ {
		c := ae[i]
		if c < 0x20 || c > 0x7e || c == '\\' {
			return fmt.Errorf("AE title %q has a forbidden character at offset %d", ae, i)
		}
	}
	return nil
}
