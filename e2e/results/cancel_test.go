package results

import (
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mdm2node/mdm2node/config"
	"github.com/mdm2node/mdm2node/scp"
)

// slowStore is a storage SCP handler that keeps nothing and responds to
// each C-STORE after delay, so that a C-CANCEL-RQ arrives during a
// sub-operation.
type slowStore struct {
	delay  time.Duration
	stored atomic.Int32
}

func (s *slowStore) BeginStore(*scp.StoreRequest) (scp.StoreSink, error) { return &slowSink{s}, nil }

type slowSink struct{ s *slowStore }

func (k *slowSink) Write(p []byte) (int, error) { return len(p), nil }
func (k *slowSink) Abort()                      {}
func (k *slowSink) Commit() (uint16, error) {
	time.Sleep(k.s.delay)
	k.s.stored.Add(1)
	return scp.StatusSuccess, nil
}

// TestMoveCancel cancels a C-MOVE of two instances after the first pending
// response (movescu --cancel 1). The destination responds to each C-STORE after
// 300 ms, so the C-CANCEL-RQ arrives during the second sub-operation, and
// the final status must be Cancel (FE00).
func TestMoveCancel(t *testing.T) {
	slow := &slowStore{delay: 300 * time.Millisecond}
	dest, err := scp.NewServer(scp.Config{AETitle: "SLOWDEST"}, slow, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = dest.Serve(l); close(done) }()
	t.Cleanup(func() { dest.Close(); <-done })
	destPort := l.Addr().(*net.TCPAddr).Port

	n := startRetrieveNode(t, []config.Peer{{AETitle: "SLOWDEST", Host: "127.0.0.1", Port: destPort}})
	studies := n.srRec.StudyInstanceUID + `\` + n.ctRec.StudyInstanceUID
	output, _ := runDCMTK(t, "movescu", "-d", "--cancel", "1", "-aet", "MOVESCU", "-aec", "MDM2NODE", "-aem", "SLOWDEST", "-S",
		"-k", "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID="+studies, "127.0.0.1", strconv.Itoa(n.port))
	if !strings.Contains(strings.ToLower(output), "0xfe00") {
		t.Errorf("final status of the cancelled move is not FE00")
	}
}
