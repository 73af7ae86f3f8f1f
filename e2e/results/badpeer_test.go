package results

import (
	"net"
	"sync"
	"testing"

	"github.com/mdm2node/mdm2node/scp"
	"github.com/mdm2node/mdm2node/scp/pdu"
)

// fakePeer is a TCP listener on 127.0.0.1 that misbehaves as a storage SCP.
type fakePeer struct {
	l    net.Listener
	wg   sync.WaitGroup
	mu   sync.Mutex
	conn []net.Conn
}

// startSilentPeer accepts connections and never sends a byte.
func startSilentPeer(t *testing.T) (port int) {
	return startFakePeer(t, func(c net.Conn) {
		var buf [4096]byte
		for {
			if _, err := c.Read(buf[:]); err != nil {
				return
			}
		}
	})
}

// startAbortingPeer accepts every presentation context of an association
// and closes the connection as soon as the first P-DATA-TF PDU arrives, in
// the middle of the C-STORE.
func startAbortingPeer(t *testing.T) (port int) {
	return startFakePeer(t, func(c net.Conn) {
		r := pdu.NewReader(c, 1<<20, 1<<20)
		p, err := r.Next()
		if err != nil {
			return
		}
		rq, ok := p.(*pdu.AssociateRQ)
		if !ok {
			return
		}
		ac := &pdu.AssociateAC{
			ProtocolVersion:    pdu.ProtocolVersion,
			CalledAE:           rq.CalledAE,
			CallingAE:          rq.CallingAE,
			ApplicationContext: scp.ApplicationContextName,
			UserInfo:           pdu.UserInfo{MaxLength: 16384, HasMaxLength: true, ImplementationClassUID: "1.2.3.4"},
		}
		for _, pc := range rq.PresentationContexts {
			ac.PresentationContexts = append(ac.PresentationContexts, pdu.PresentationContextAC{ID: pc.ID, Result: pdu.ResultAcceptance, TransferSyntax: pc.TransferSyntaxes[0]})
		}
		if err := pdu.NewWriter(c).Write(ac); err != nil {
			return
		}
		_, _ = r.Next()
	})
}

func startFakePeer(t *testing.T, serve func(net.Conn)) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fp := &fakePeer{l: l}
	fp.wg.Add(1)
	go func() {
		defer fp.wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			fp.mu.Lock()
			fp.conn = append(fp.conn, c)
			fp.mu.Unlock()
			fp.wg.Add(1)
			go func() {
				defer fp.wg.Done()
				defer c.Close()
				serve(c)
			}()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		fp.mu.Lock()
		for _, c := range fp.conn {
			c.Close()
		}
		fp.mu.Unlock()
		fp.wg.Wait()
	})
	return l.Addr().(*net.TCPAddr).Port
}
