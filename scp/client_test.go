package scp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mdm2node/mdm2node/internal/testutil"
	"github.com/mdm2node/mdm2node/scp/pdu"
)

func dialTest(t *testing.T, addr, called string, max uint32, contexts []ProposedContext) (*Client, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return Dial(ctx, addr, ClientConfig{CallingAE: "MDM2NODE", CalledAE: called, MaxPDULength: max, ACSETimeout: 5 * time.Second, DIMSETimeout: 10 * time.Second, ARTIMTimeout: 2 * time.Second}, contexts)
}

var ctExplicit = ProposedContext{AbstractSyntax: CTImageStorage, TransferSyntaxes: []string{ExplicitVRLittleEndian}}
var verification = ProposedContext{AbstractSyntax: VerificationSOPClass, TransferSyntaxes: []string{ImplicitVRLittleEndian}}

// TestClientStoreToServer sends a 527 KB data set through the client to a
// server that accepts P-DATA-TF PDUs of at most 4096 bytes: the server
// aborts an association whose peer exceeds that, so success shows that the
// client fragments to the peer's maximum.
func TestClientStoreToServer(t *testing.T) {
	cfg := testConfig()
	cfg.MaxPDULength = 4096
	s := startServer(t, cfg)
	file := sharedFiles(t, []string{"rt-utils/mock_data/ct_1.dcm"})[0]
	data := dataSetOf(t, file)

	c, err := dialTest(t, s.addr, "MDM2NODE", 0, []ProposedContext{ctExplicit, verification})
	if err != nil {
		t.Fatal(err)
	}
	if c.PeerMaxPDULength() != 4096 {
		t.Errorf("peer max %d", c.PeerMaxPDULength())
	}
	if st, err := c.Echo(); err != nil || st != 0 {
		t.Fatalf("echo %04X %v", st, err)
	}
	const uid = "1.2.826.0.1.3680043.8.498.1"
	for i := 0; i < 3; i++ {
		st, err := c.Store(CTImageStorage, uid, ExplicitVRLittleEndian, bytes.NewReader(data))
		if err != nil || st != 0 {
			t.Fatalf("store %d: status %04X, %v", i, st, err)
		}
	}
	// An empty data set is one empty last fragment.
	if st, err := c.Store(CTImageStorage, "1.2.3.4", ExplicitVRLittleEndian, bytes.NewReader(nil)); err != nil || st != 0 {
		t.Fatalf("empty store: %04X %v", st, err)
	}
	if _, err := c.Store(MRImageStorage, uid, ExplicitVRLittleEndian, bytes.NewReader(data)); !errors.Is(err, ErrNoContext) {
		t.Errorf("store without context: %v", err)
	}
	if err := c.Release(); err != nil {
		t.Fatal(err)
	}
	committed, _, _ := s.h.snapshot()
	if !bytes.Equal(committed[uid], data) {
		t.Errorf("server received %d bytes, sent %d", len(committed[uid]), len(data))
	}
	if _, err := c.Echo(); !errors.Is(err, ErrAssociationEnded) {
		t.Errorf("echo after release: %v", err)
	}
}

func TestClientRejected(t *testing.T) {
	s := startServer(t, testConfig())
	_, err := dialTest(t, s.addr, "SOMEONE", 0, []ProposedContext{verification})
	var rj *RejectError
	if !errors.As(err, &rj) || rj.Reason != pdu.RejectReasonCalledAENotRecognized {
		t.Fatalf("got %v, want a rejection for the called AE title", err)
	}
}

func TestClientAbort(t *testing.T) {
	s := startServer(t, testConfig())
	c, err := dialTest(t, s.addr, "MDM2NODE", 0, []ProposedContext{verification})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Abort(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "abort seen", func() bool { _, _, _, ab, _ := s.obs.counts(); return ab == 1 })
}

// TestClientStoreToStorescp checks the client against DCMTK storescp,
// which writes the data set exactly as received with --bit-preserving.
func TestClientStoreToStorescp(t *testing.T) {
	storescp := testutil.RequireTool(t, "storescp")
	out := t.TempDir()
	port := testutil.FreePort(t)
	cmd := exec.Command(storescp, "--aetitle", "STORESCP", "--bit-preserving", "-od", out, strconv.Itoa(port))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := "127.0.0.1:" + strconv.Itoa(port)

	var c *Client
	var err error
	for i := 0; i < 50; i++ {
		if c, err = dialTest(t, addr, "STORESCP", 16384, []ProposedContext{ctExplicit, verification}); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	if st, err := c.Echo(); err != nil || st != 0 {
		t.Fatalf("echo %04X %v", st, err)
	}
	file := sharedFiles(t, []string{"rt-utils/mock_data/ct_1.dcm"})[0]
	data := dataSetOf(t, file)
	uid := sopInstanceOf(t, file)
	if st, err := c.Store(CTImageStorage, uid, ExplicitVRLittleEndian, bytes.NewReader(data)); err != nil || st != 0 {
		t.Fatalf("store: %04X %v", st, err)
	}
	if err := c.Release(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(out, "*"))
	if len(files) != 1 {
		t.Fatalf("storescp wrote %d files", len(files))
	}
	if got := dataSetOf(t, files[0]); !bytes.Equal(got, data) {
		t.Errorf("storescp stored %d bytes, sent %d", len(got), len(data))
	}
}

// sopInstanceOf returns the SOP Instance UID of a Part 10 file, read with
// DCMTK dcmdump.
func sopInstanceOf(t *testing.T, path string) string {
	t.Helper()
	dcmdump := testutil.RequireTool(t, "dcmdump")
	out, err := exec.Command(dcmdump, "-q", "-s", "+P", "0008,0018", path).Output()
	if err != nil {
		t.Fatalf("dcmdump: %v", err)
	}
	i := bytes.IndexByte(out, '[')
	j := bytes.IndexByte(out, ']')
	if i < 0 || j < i {
		t.Fatalf("dcmdump printed %q", out)
	}
	return string(out[i+1 : j])
}

var _ = os.Getenv

// TestClientReleaseCollision plays an acceptor that sends its own
// A-RELEASE-RQ when the client releases (PS3.8 section 9.2, release
// collision, requestor side: Sta7, Sta9, Sta11, Sta1).
func TestClientReleaseCollision(t *testing.T) {
	l, err := listenLoopback()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	acceptor := make(chan error, 1)
	go func() {
		acceptor <- func() error {
			conn, err := l.Accept()
			if err != nil {
				return err
			}
			defer conn.Close()
			_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
			r := pdu.NewReader(conn, 1<<20, 1<<20)
			w := pdu.NewWriter(conn)
			x, err := r.Next()
			if err != nil {
				return err
			}
			rq := x.(*pdu.AssociateRQ)
			if err := w.Write(&pdu.AssociateAC{ProtocolVersion: 1, CalledAE: rq.CalledAE, CallingAE: rq.CallingAE, ApplicationContext: ApplicationContextName,
				PresentationContexts: []pdu.PresentationContextAC{{ID: 1, Result: 0, TransferSyntax: ImplicitVRLittleEndian}},
				UserInfo:             pdu.UserInfo{MaxLength: 16384, HasMaxLength: true, ImplementationClassUID: "1.2.3"}}); err != nil {
				return err
			}
			// The client's A-RELEASE-RQ crosses ours.
			if x, err = r.Next(); err != nil || x.Type() != pdu.TypeReleaseRQ {
				return fmt.Errorf("want A-RELEASE-RQ, got %v %v", x, err)
			}
			if err := w.Write(&pdu.ReleaseRQ{}); err != nil {
				return err
			}
			// The requestor answers first (AR-9), then we answer (AR-4 after AR-10).
			if x, err = r.Next(); err != nil || x.Type() != pdu.TypeReleaseRP {
				return fmt.Errorf("want A-RELEASE-RP, got %v %v", x, err)
			}
			if err := w.Write(&pdu.ReleaseRP{}); err != nil {
				return err
			}
			// The requestor closes the connection (AR-3).
			if _, err = r.Next(); err != io.EOF {
				return fmt.Errorf("want the connection closed, got %v", err)
			}
			return nil
		}()
	}()
	c, err := dialTest(t, l.Addr().String(), "COLLIDER", 0, []ProposedContext{verification})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Release(); err != nil {
		t.Errorf("release: %v", err)
	}
	if err := <-acceptor; err != nil {
		t.Error(err)
	}
}

func TestRejectErrorNamesReason(t *testing.T) {
	cases := []struct {
		err  RejectError
		want string
	}{
		{RejectError{Result: 1, Source: 1, Reason: 7}, "permanent: called AE title not recognized"},
		{RejectError{Result: 1, Source: 1, Reason: 3}, "permanent: calling AE title not recognized"},
		{RejectError{Result: 2, Source: 3, Reason: 2}, "transient: local limit exceeded"},
		{RejectError{Result: 1, Source: 2, Reason: 9}, "permanent: unknown reason"},
	}
	for _, c := range cases {
		if got := c.err.Error(); !strings.Contains(got, c.want) {
			t.Errorf("Error() = %q, want it to contain %q", got, c.want)
		}
	}
}
