package listener

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
)

// proxy forwards TCP connections from 127.0.0.1 to the node and records
// the bytes each client sends, so that a test can compare stored data sets
// with the exact bytes that went over the wire.
type proxy struct {
	t        *testing.T
	l        net.Listener
	target   string
	mu       sync.Mutex
	captured [][]byte // client streams of finished connections
	conns    sync.WaitGroup
	// maxPData is the longest P-DATA-TF PDU (bytes after the 6-byte
	// header) seen by the last takeDataSets.
	maxPData int
}

func startProxy(t *testing.T, target string) *proxy {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{t: t, l: l, target: target}
	go p.accept()
	t.Cleanup(func() {
		l.Close()
		p.conns.Wait()
	})
	return p
}

func (p *proxy) port() int { return p.l.Addr().(*net.TCPAddr).Port }

func (p *proxy) accept() {
	for {
		client, err := p.l.Accept()
		if err != nil {
			return
		}
		p.conns.Add(1)
		go p.forward(client)
	}
}

func (p *proxy) forward(client net.Conn) {
	defer p.conns.Done()
	defer client.Close()
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer server.Close()
	var sent bytes.Buffer
	done := make(chan struct{})
	go func() {
		io.Copy(client, server)
		client.(*net.TCPConn).CloseWrite()
		close(done)
	}()
	io.Copy(io.MultiWriter(server, &sent), client)
	server.(*net.TCPConn).CloseWrite()
	<-done
	p.mu.Lock()
	p.captured = append(p.captured, sent.Bytes())
	p.mu.Unlock()
}

// takeDataSets waits for every connection to end and returns the data sets
// the clients sent on them, in order, then clears them.
func (p *proxy) takeDataSets() [][]byte {
	p.t.Helper()
	p.conns.Wait()
	p.mu.Lock()
	streams := p.captured
	p.captured = nil
	p.mu.Unlock()
	var out [][]byte
	p.maxPData = 0
	for _, s := range streams {
		ds, longest, err := dataSetsOf(s)
		p.maxPData = max(p.maxPData, longest)
		if err != nil {
			p.t.Errorf("proxy: %v", err)
		}
		out = append(out, ds...)
	}
	return out
}

// dataSetsOf extracts the data sets of the DIMSE messages in a client's
// byte stream. The P-DATA-TF PDUs (type 04, PS3.8 9.3.5) contain PDV items.
// A PDV's control header has bit 0 clear for data set fragments and bit 1
// set on the last fragment of a message (PS3.8 E.2). Other PDU types are skipped.
// A data set whose last fragment never came is dropped. longest is the
// maximum length of the P-DATA-TF PDUs.
func dataSetsOf(stream []byte) (out [][]byte, longest int, err error) {
	var cur []byte
	for len(stream) > 0 {
		if len(stream) < 6 {
			return out, longest, fmt.Errorf("truncated PDU header")
		}
		pduType, length := stream[0], binary.BigEndian.Uint32(stream[2:6])
		if uint64(length) > uint64(len(stream)-6) {
			return out, longest, nil // connection cut inside a PDU
		}
		body := stream[6 : 6+length]
		stream = stream[6+length:]
		if pduType != 0x04 {
			continue
		}
		longest = max(longest, int(length))
		for len(body) > 0 {
			if len(body) < 6 {
				return out, longest, fmt.Errorf("truncated PDV item")
			}
			itemLen := binary.BigEndian.Uint32(body[0:4])
			if itemLen < 2 || uint64(itemLen) > uint64(len(body)-4) {
				return out, longest, fmt.Errorf("PDV item length %d", itemLen)
			}
			control, data := body[5], body[6:4+itemLen]
			body = body[4+itemLen:]
			if control&0x01 != 0 {
				continue // command fragment
			}
			cur = append(cur, data...)
			if control&0x02 != 0 {
				out = append(out, cur)
				cur = nil
			}
		}
	}
	return out, longest, nil
}
