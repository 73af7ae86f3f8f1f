package config

// Node is the node section: the listener: AE title, address, allowed peers.
type Node struct{}

func (s *Node) setDefaults() {}

func (s *Node) validate() error { return nil }
