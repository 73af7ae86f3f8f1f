package results

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"time"

	"github.com/mdm2node/mdm2node/scp"
)

// SendConfig configures one association that sends instances.
type SendConfig struct {
	// CallingAE is this node's AE title; CalledAE the destination's.
	CallingAE string
	CalledAE  string
	// ConnectTimeout bounds the TCP connection and the waits for
	// A-ASSOCIATE-AC and A-RELEASE-RP; DIMSETimeout bounds the wait for each
	// PDU of a C-STORE-RSP. Zero takes the scp package defaults.
	ConnectTimeout time.Duration
	DIMSETimeout   time.Duration
	// Log may be nil.
	Log *slog.Logger
	// Progress, when set, is called after each instance with its index and
	// result; returning false stops the sending, and the instances left get
	// an error wrapping ErrCanceled.
	Progress func(i int, r Result) bool
	// MoveOriginator, when set, marks every C-STORE-RQ as a sub-operation
	// of that C-MOVE (PS3.7 section 9.3.1.1).
	MoveOriginator *scp.MoveOriginator
}

// Result is the outcome of one instance.
type Result struct {
	// Status is the C-STORE-RSP status; valid when Responded is true.
	Status    uint16
	Responded bool
	// Err is nil when the instance was stored with Success or a warning
	// status (PS3.4 B.2.3); otherwise it wraps ErrSOPClassRejected,
	// ErrTransferSyntax, ErrStoreFailed or ErrAssociation.
	Err error
}

// Stored reports whether the destination acknowledged the instance.
func (r Result) Stored() bool { return r.Err == nil && r.Responded }

// maxContexts is the most presentation contexts one A-ASSOCIATE-RQ may
// propose (PS3.8 9.3.2.2: odd IDs 1 to 255).
const maxContexts = 128

// ProposedContexts returns the presentation contexts that send instances:
// for each SOP class, one context with Explicit and Implicit VR Little
// Endian (the instance's own first when it is one of them), and one with
// each other transfer syntax an instance of the class is encoded in.
func ProposedContexts(instances []Instance) []scp.ProposedContext {
	var out []scp.ProposedContext
	seen := map[string]bool{}
	add := func(class string, ts []string) {
		key := class + "|" + fmt.Sprint(ts)
		if !seen[key] {
			seen[key] = true
			out = append(out, scp.ProposedContext{AbstractSyntax: class, TransferSyntaxes: ts})
		}
	}
	for _, inst := range instances {
		switch inst.TransferSyntaxUID {
		case scp.ImplicitVRLittleEndian:
			add(inst.SOPClassUID, []string{scp.ImplicitVRLittleEndian, scp.ExplicitVRLittleEndian})
		case scp.ExplicitVRLittleEndian:
			add(inst.SOPClassUID, []string{scp.ExplicitVRLittleEndian, scp.ImplicitVRLittleEndian})
		default:
			add(inst.SOPClassUID, []string{inst.TransferSyntaxUID})
		}
	}
	return out
}

// Send opens one association to addr, sends every instance with C-STORE and
// releases the association. It returns one Result per instance, in order.
// The error is not nil when the association could not be established; then
// every Result carries it too. Cancelling ctx stops the connection attempt
// and the sending of further instances.
func Send(ctx context.Context, addr string, cfg SendConfig, instances []Instance) ([]Result, error) {
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	results := make([]Result, len(instances))
	failAll := func(from int, err error) {
		for i := from; i < len(results); i++ {
			if !results[i].Responded && results[i].Err == nil {
				results[i].Err = err
			}
		}
	}
	if len(instances) == 0 {
		return results, nil
	}

	// 1. The association.
	contexts := ProposedContexts(instances)
	if len(contexts) > maxContexts {
		err := fmt.Errorf("%w: %d presentation contexts needed, at most %d fit in one association", ErrAssociation, len(contexts), maxContexts)
		failAll(0, err)
		return results, err
	}
	c, err := scp.Dial(ctx, addr, scp.ClientConfig{
		CallingAE:    cfg.CallingAE,
		CalledAE:     cfg.CalledAE,
		ACSETimeout:  cfg.ConnectTimeout,
		ARTIMTimeout: cfg.ConnectTimeout,
		DIMSETimeout: cfg.DIMSETimeout,
		Log:          log,
	}, contexts)
	if err != nil {
		err = fmt.Errorf("%w: %s at %s: %w", ErrAssociation, cfg.CalledAE, addr, err)
		failAll(0, err)
		return results, err
	}

	// 2. One C-STORE per instance. A broken association fails the rest.
	for i, inst := range instances {
		if ctx.Err() != nil {
			failAll(i, fmt.Errorf("%w: %w", ErrAssociation, ctx.Err()))
			break
		}
		results[i] = storeOne(c, inst, cfg.MoveOriginator)
		if r := results[i]; !r.Responded && r.Err != nil && isAssociationError(r.Err) {
			failAll(i+1, r.Err)
			_ = c.Abort()
			return results, nil
		}
		if cfg.Progress != nil && !cfg.Progress(i, results[i]) {
			failAll(i+1, ErrCanceled)
			break
		}
	}

	// 3. Release. The instances are acknowledged already, so a failed
	// release only goes to the log.
	if err := c.Release(); err != nil {
		log.Warn("release failed", "called_ae", cfg.CalledAE, "err", err)
	}
	return results, nil
}

type associationError struct{ error }

func (e associationError) Unwrap() error { return e.error }

func isAssociationError(err error) bool {
	_, ok := err.(associationError)
	return ok
}

// storeOne sends one instance on an established association.
func storeOne(c *scp.Client, inst Instance, orig *scp.MoveOriginator) Result {
	// 1. The data set in a transfer syntax the peer accepted.
	ts, data, err := OpenForSend(inst, c.AcceptedTransferSyntaxes(inst.SOPClassUID))
	if err != nil {
		return Result{Err: err}
	}
	defer data.Close()

	// 2. The C-STORE and its status (PS3.4 B.2.3: 0000 and Bxxx stored).
	var status uint16
	if orig != nil {
		status, err = c.StoreForMove(inst.SOPClassUID, inst.SOPInstanceUID, ts, data, *orig)
	} else {
		status, err = c.Store(inst.SOPClassUID, inst.SOPInstanceUID, ts, data)
	}
	if err != nil {
		return Result{Err: associationError{fmt.Errorf("%w: C-STORE of %s: %w", ErrAssociation, inst.SOPInstanceUID, err)}}
	}
	return StoreResult(inst, status)
}

// StoreResult returns the Result of a C-STORE-RSP status: stored for
// Success and the warnings (Bxxx, PS3.4 B.2.3), an error wrapping
// ErrStoreFailed otherwise.
func StoreResult(inst Instance, status uint16) Result {
	r := Result{Status: status, Responded: true}
	if status != scp.StatusSuccess && status&0xF000 != 0xB000 {
		r.Err = fmt.Errorf("%w: SOP instance %s: status %04X", ErrStoreFailed, inst.SOPInstanceUID, status)
	}
	return r
}

// OpenForSend picks the transfer syntax to send inst in among accepted,
// the transfer syntaxes the peer accepted for its SOP class: the
// instance's own, else the other little-endian one by conversion. It
// returns that transfer syntax and the data set encoded in it, which the
// caller closes. An empty accepted returns an error wrapping
// ErrSOPClassRejected, no usable one an error wrapping ErrTransferSyntax.
func OpenForSend(inst Instance, accepted []string) (string, io.ReadCloser, error) {
	if len(accepted) == 0 {
		return "", nil, fmt.Errorf("%w: %s (SOP instance %s)", ErrSOPClassRejected, inst.SOPClassUID, inst.SOPInstanceUID)
	}
	ts := ""
	if slices.Contains(accepted, inst.TransferSyntaxUID) {
		ts = inst.TransferSyntaxUID
	} else {
		for _, a := range accepted {
			if convertible(inst.TransferSyntaxUID, a) {
				ts = a
				break
			}
		}
	}
	if ts == "" {
		return "", nil, fmt.Errorf("%w: SOP instance %s is in %s, the destination accepted only %v for %s, and only Explicit and Implicit VR Little Endian are converted",
			ErrTransferSyntax, inst.SOPInstanceUID, inst.TransferSyntaxUID, accepted, inst.SOPClassUID)
	}
	if ts != inst.TransferSyntaxUID {
		b, err := convert(inst, ts)
		if err != nil {
			return "", nil, fmt.Errorf("%w: %w", ErrTransferSyntax, err)
		}
		return ts, io.NopCloser(bytes.NewReader(b)), nil
	}
	f, err := os.Open(inst.Path)
	if err != nil {
		return "", nil, fmt.Errorf("results: %w", err)
	}
	if _, err := f.Seek(inst.DataSetOffset, io.SeekStart); err != nil {
		f.Close()
		return "", nil, fmt.Errorf("results: %w", err)
	}
	return ts, f, nil
}
