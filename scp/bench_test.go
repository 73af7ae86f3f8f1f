package scp

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/mdm2node/mdm2node/internal/testutil"
)

// discardHandler is a StoreHandler that drops every data set: it measures
// the protocol alone.
type discardHandler struct{}

func (discardHandler) BeginStore(*StoreRequest) (StoreSink, error) { return discardSink{}, nil }

type discardSink struct{}

func (discardSink) Write(p []byte) (int, error) { return len(p), nil }
func (discardSink) Commit() (uint16, error)     { return StatusSuccess, nil }
func (discardSink) Abort()                      {}

func startDiscardServer(tb testing.TB, maxPDU uint32) (addr string, stop func()) {
	cfg := testConfig()
	cfg.MaxPDULength = maxPDU
	srv, err := NewServer(cfg, discardHandler{}, nil, nil)
	if err != nil {
		tb.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	go srv.Serve(l)
	return l.Addr().String(), func() { srv.Close() }
}

// BenchmarkClientStore measures C-STORE of a 512 KiB data set from the
// Client to the Server over loopback, with a sink that discards.
func BenchmarkClientStore(b *testing.B) {
	data := bytes.Repeat([]byte{1, 2, 3, 4}, 128<<10)
	for _, maxPDU := range []uint32{16384, 131072} {
		b.Run(fmt.Sprintf("pdu-%d", maxPDU), func(b *testing.B) {
			addr, stop := startDiscardServer(b, maxPDU)
			defer stop()
			c, err := Dial(context.Background(), addr, ClientConfig{CallingAE: "BENCH", CalledAE: "MDM2NODE"}, []ProposedContext{ctExplicit})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Release()
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if st, err := c.Store(CTImageStorage, "1.2.3", ExplicitVRLittleEndian, bytes.NewReader(data)); err != nil || st != 0 {
					b.Fatalf("%04X %v", st, err)
				}
			}
		})
	}
}

// TestProtocolThroughput compares storescu pushing to this server (data
// discarded) with storescu pushing to storescp --ignore (data received and
// discarded) on the same files. It runs only with MDM2NODE_PROTOCOL_BENCH=1;
// docs/BENCHMARKS-protocol.md has the results.
func TestProtocolThroughput(t *testing.T) {
	if os.Getenv("MDM2NODE_PROTOCOL_BENCH") == "" {
		t.Skip("set MDM2NODE_PROTOCOL_BENCH=1 to run")
	}
	storescu := testutil.RequireTool(t, "storescu")
	storescp := testutil.RequireTool(t, "storescp")
	n, _ := strconv.Atoi(os.Getenv("MDM2NODE_PROTOCOL_BENCH_N"))
	if n == 0 {
		n = 300
	}
	for _, rel := range []string{"rt-utils/mock_data/ct_1.dcm", "highdicom/sr_document.dcm"} {
		file := sharedFiles(t, []string{rel})[0]
		files := make([]string, n)
		for i := range files {
			files[i] = file
		}
		push := func(port int) time.Duration {
			args := append([]string{"-aec", "ANY", "-R", "-xe", "127.0.0.1", strconv.Itoa(port)}, files...)
			cmd := exec.Command(storescu, args...)
			cmd.Env = append(os.Environ(), "TCP_NODELAY=1")
			cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
			start := time.Now()
			if err := cmd.Run(); err != nil {
				t.Fatalf("storescu: %v", err)
			}
			return time.Since(start)
		}

		cfg := testConfig()
		cfg.AETitle = "ANY"
		srv, _ := NewServer(cfg, discardHandler{}, nil, nil)
		l, _ := net.Listen("tcp", "127.0.0.1:0")
		go srv.Serve(l)
		ours := push(l.Addr().(*net.TCPAddr).Port)
		srv.Close()

		port := testutil.FreePort(t)
		scp := exec.Command(storescp, "--ignore", strconv.Itoa(port))
		scp.Env = append(os.Environ(), "TCP_NODELAY=1")
		if err := scp.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		theirs := push(port)
		_ = scp.Process.Kill()
		_ = scp.Wait()

		t.Logf("%s x%d: mdm2node %.0f instances/s, storescp --ignore %.0f instances/s",
			rel, n, float64(n)/ours.Seconds(), float64(n)/theirs.Seconds())
	}
}
