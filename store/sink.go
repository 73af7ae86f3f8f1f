package store

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mdm2node/mdm2node/internal/dcmuid"
	"github.com/mdm2node/mdm2node/scp"
)

// partSuffix ends the names of files being received.
const partSuffix = ".part"

// freeSpaceCheckInterval is how many bytes a sink writes between two checks
// of the free-space watermark.
const freeSpaceCheckInterval = 64 << 20

// writeBufferSize is the buffer between P-DATA fragments and the file.
const writeBufferSize = 256 << 10

// headPrefixSize is how many bytes of the start of a data set a sink keeps
// in memory, so that ParseHeader reads the header from memory instead of
// with many small reads of the file. A header that ends later is read from
// the file past this prefix.
const headPrefixSize = 64 << 10

var tempCounter atomic.Uint64

// writerPool and headPool keep the write buffers and header prefixes of
// finished sinks for the next ones, so that each data set does not allocate
// and clear 320 KiB.
var (
	writerPool = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, writeBufferSize) }}
	headPool   = sync.Pool{New: func() any { return new([headPrefixSize]byte) }}
)

// sink receives one data set into a temporary Part 10 file.
type sink struct {
	s         *Store
	req       scp.StoreRequest
	f         *os.File
	path      string
	buf       *bufio.Writer
	hash      hash.Hash
	head      []byte // the first headPrefixSize bytes of the data set
	headArray *[headPrefixSize]byte
	headerLen int64
	size      int64 // data set bytes written
	nextCheck int64
	err       error // sticky: the first Write failure
	done      bool
	received  time.Time
	studyUID  string
}

func (s *Store) newSink(req *scp.StoreRequest) (*sink, error) {
	header, err := encodeFileHeader(fileMeta{
		SOPClassUID:       trimValue(req.SOPClassUID),
		SOPInstanceUID:    trimValue(req.SOPInstanceUID),
		TransferSyntaxUID: trimValue(req.TransferSyntaxUID),
		SourceAETitle:     strings.TrimSpace(req.CallingAE),
	})
	if err != nil {
		return nil, statusErr(StatusCannotUnderstand, err)
	}
	name := strconv.FormatInt(time.Now().UnixNano(), 36) + "-" + strconv.FormatUint(tempCounter.Add(1), 36) + partSuffix
	path := filepath.Join(s.tmpDir, name)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return nil, statusErr(StatusOutOfResources, fmt.Errorf("store: create temporary file: %w", err))
	}
	k := &sink{
		s: s, req: *req, f: f, path: path,
		buf:       writerPool.Get().(*bufio.Writer),
		hash:      sha256.New(),
		headerLen: int64(len(header)),
		nextCheck: freeSpaceCheckInterval,
		received:  time.Now().UTC(),
	}
	k.buf.Reset(f)
	if _, err := k.buf.Write(header); err != nil {
		k.Abort()
		return nil, statusErr(StatusOutOfResources, err)
	}
	k.hash.Write(header)
	return k, nil
}

// Write appends data set bytes. After the first failure every call returns
// the same error.
func (k *sink) Write(p []byte) (int, error) {
	if k.done {
		return 0, ErrSinkDone
	}
	if k.err != nil {
		return 0, k.err
	}
	if max := k.s.opts.MaxInstanceSize; max > 0 && k.size+int64(len(p)) > max {
		k.err = statusErr(StatusOutOfResources, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, max))
		return 0, k.err
	}
	if k.size+int64(len(p)) >= k.nextCheck {
		k.nextCheck += freeSpaceCheckInterval
		if err := k.s.checkFreeSpace(); err != nil {
			k.err = err
			return 0, err
		}
	}
	n, err := k.buf.Write(p)
	k.hash.Write(p[:n])
	if len(k.head) < headPrefixSize {
		if k.headArray == nil {
			k.headArray = headPool.Get().(*[headPrefixSize]byte)
			k.head = k.headArray[:0]
		}
		k.head = append(k.head, p[:min(n, headPrefixSize-len(k.head))]...)
	}
	k.size += int64(n)
	if err != nil {
		k.err = statusErr(StatusOutOfResources, fmt.Errorf("store: write %s: %w", k.path, err))
		return n, k.err
	}
	return n, nil
}

// StudyInstanceUID returns the Study Instance UID of the committed data set,
// empty before Commit succeeds.
func (k *sink) StudyInstanceUID() string { return k.studyUID }

// Abort discards the data set.
func (k *sink) Abort() {
	if k.done {
		return
	}
	k.done = true
	k.discard()
	k.release()
}

func (k *sink) discard() {
	k.f.Close()
	os.Remove(k.path)
}

// release returns the sink's buffers to their pools. The sink must not
// use them afterwards: it is done, so Write fails before touching them.
func (k *sink) release() {
	k.buf.Reset(nil)
	writerPool.Put(k.buf)
	k.buf = nil
	if k.headArray != nil {
		headPool.Put(k.headArray)
		k.headArray, k.head = nil, nil
	}
}

// Commit checks the data set, makes it durable and indexes it; see the
// package documentation for the steps. On failure nothing is kept.
func (k *sink) Commit() (uint16, error) {
	if k.done {
		return StatusOutOfResources, ErrSinkDone
	}
	k.done = true
	status, err := k.commit()
	k.release()
	if err != nil {
		k.discard()
		if status == StatusDataSetMismatch || status == StatusCannotUnderstand {
			if ev := k.s.opts.Events; ev != nil {
				ev.StoreRejected(&k.req, status, err)
			}
		}
		k.s.log.Warn("store failed", "assoc", k.req.AssociationID, "sop_instance_uid", k.req.SOPInstanceUID,
			"status", fmt.Sprintf("%04X", status), "err", err)
	}
	return status, err
}

func (k *sink) commit() (uint16, error) {
	if k.err != nil {
		return StatusOf(k.err), k.err
	}
	if err := k.buf.Flush(); err != nil {
		return StatusOutOfResources, fmt.Errorf("store: write %s: %w", k.path, err)
	}

	// 1. Parse the header and check it against the command.
	data := &prefixReaderAt{prefix: k.head, rest: io.NewSectionReader(k.f, k.headerLen, k.size)}
	h, err := ParseHeader(data, k.size, trimValue(k.req.TransferSyntaxUID))
	if err != nil {
		return StatusCannotUnderstand, fmt.Errorf("store: SOP instance %q: %w", k.req.SOPInstanceUID, err)
	}
	if err := checkHeader(h, &k.req); err != nil {
		return StatusDataSetMismatch, err
	}

	// 2. Make the file durable, then check the free space it left.
	if err := k.f.Sync(); err != nil {
		return StatusOutOfResources, fmt.Errorf("store: fsync %s: %w", k.path, err)
	}
	if err := k.f.Close(); err != nil {
		return StatusOutOfResources, fmt.Errorf("store: close %s: %w", k.path, err)
	}
	if err := k.s.checkFreeSpace(); err != nil {
		return StatusOutOfResources, err
	}

	k.s.closing.RLock()
	defer k.s.closing.RUnlock()
	if k.s.closed {
		return StatusOutOfResources, ErrClosed
	}
	lock := k.s.uidLock(h.SOPInstanceUID)
	lock.Lock()
	defer lock.Unlock()

	// 3. Apply the duplicate policy.
	prev, err := k.s.Instance(h.SOPInstanceUID)
	switch {
	case err == nil && k.s.opts.DuplicatePolicy == KeepFirst:
		os.Remove(k.path)
		if ev := k.s.opts.Events; ev != nil {
			ev.DuplicateInstance(&k.req, prev.StudyInstanceUID, true)
		}
		k.studyUID = h.StudyInstanceUID
		k.s.countStored(k.req.AssociationID, h.StudyInstanceUID)
		return StatusSuccess, nil
	case err != nil && !errors.Is(err, ErrNotFound):
		return StatusOutOfResources, err
	}
	duplicate := err == nil

	// 4. Rename into place; the UIDs were checked to be valid UIDs, which
	// cannot contain a separator or "..".
	// NOTE: with the replace policy, a crash before Success can leave the
	// new file under the old index entry or the old file under the new one.
	// Their size and SHA-256 then do not match. Open logs a size mismatch
	// in the second case.
	rel := filepath.Join(h.StudyInstanceUID, h.SeriesInstanceUID, h.SOPInstanceUID+".dcm")
	final := filepath.Join(k.s.dir, rel)
	seriesDir := filepath.Dir(final)
	if err := mkdirDurable(k.s.dir, seriesDir); err != nil {
		return StatusOutOfResources, fmt.Errorf("store: create %s: %w", seriesDir, err)
	}
	if err := os.Rename(k.path, final); err != nil {
		return StatusOutOfResources, fmt.Errorf("store: rename into place: %w", err)
	}

	// 5. Fsync the folder while indexing the instance, in a group commit with
	// other associations' instances.
	rec := &InstanceRecord{
		V:                 RecordVersion,
		SOPInstanceUID:    h.SOPInstanceUID,
		SOPClassUID:       h.SOPClassUID,
		StudyInstanceUID:  h.StudyInstanceUID,
		SeriesInstanceUID: h.SeriesInstanceUID,
		PatientID:         h.PatientID,
		InstanceNumber:    h.InstanceNumber,
		Modality:          h.Modality,
		TransferSyntaxUID: trimValue(k.req.TransferSyntaxUID),
		Path:              filepath.ToSlash(rel),
		Size:              k.headerLen + k.size,
		SHA256:            hex.EncodeToString(k.hash.Sum(nil)),
		DataSetOffset:     k.headerLen,
		Received:          k.received,
		CallingAE:         strings.TrimSpace(k.req.CallingAE),
		PeerAddr:          k.req.PeerAddr,
	}
	replaced, err := k.s.commit(rec, h, seriesDir)
	if err != nil {
		if !duplicate {
			os.Remove(final)
		}
		return StatusOutOfResources, err
	}

	// 6. A replaced instance filed elsewhere (other study or series) loses
	// its old file.
	if replaced != nil && replaced.Path != rec.Path {
		os.Remove(filepath.Join(k.s.dir, filepath.FromSlash(replaced.Path)))
	}
	if duplicate {
		if ev := k.s.opts.Events; ev != nil {
			ev.DuplicateInstance(&k.req, h.StudyInstanceUID, false)
		}
	}
	k.studyUID = h.StudyInstanceUID
	k.s.countStored(k.req.AssociationID, h.StudyInstanceUID)
	k.s.log.Debug("instance stored", "assoc", k.req.AssociationID, "study_uid", h.StudyInstanceUID,
		"sop_instance_uid", h.SOPInstanceUID, "bytes", rec.Size)
	return StatusSuccess, nil
}

// checkHeader checks that the data set carries the command's SOP Class and
// SOP Instance UIDs and valid Study, Series and SOP Instance UIDs (PS3.5
// 9.1), which name the folders and the file.
func checkHeader(h *Header, req *scp.StoreRequest) error {
	cmdClass := trimValue(req.SOPClassUID)
	cmdInstance := trimValue(req.SOPInstanceUID)
	if h.SOPClassUID != cmdClass {
		return fmt.Errorf("%w: SOP Class UID (0008,0016) %q, command has %q", ErrMismatch, h.SOPClassUID, cmdClass)
	}
	if h.SOPInstanceUID != cmdInstance {
		return fmt.Errorf("%w: SOP Instance UID (0008,0018) %q, command has %q", ErrMismatch, h.SOPInstanceUID, cmdInstance)
	}
	for _, u := range []struct{ name, value string }{
		{"SOP Instance UID (0008,0018)", h.SOPInstanceUID},
		{"Study Instance UID (0020,000D)", h.StudyInstanceUID},
		{"Series Instance UID (0020,000E)", h.SeriesInstanceUID},
	} {
		if err := dcmuid.Check(u.value); err != nil {
			return fmt.Errorf("%w: %s %q: %v", ErrInvalidUID, u.name, u.value, err)
		}
	}
	return nil
}

// prefixReaderAt reads a data set from prefix, its first bytes kept in
// memory, and from rest, the whole data set in the file, for reads that
// reach past the prefix.
type prefixReaderAt struct {
	prefix []byte
	rest   io.ReaderAt
}

func (r *prefixReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off >= 0 && off+int64(len(p)) <= int64(len(r.prefix)) {
		return copy(p, r.prefix[off:]), nil
	}
	return r.rest.ReadAt(p, off)
}
