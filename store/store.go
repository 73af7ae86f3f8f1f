package store

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mdm2node/mdm2node/scp"
	bolt "go.etcd.io/bbolt"
)

// Duplicate policies (the values of storage.duplicate_policy).
const (
	KeepFirst = "keep-first"
	Replace   = "replace"
)

// tmpDirName is the folder of the data folder where data sets are received.
const tmpDirName = "tmp"

// indexLockTimeout bounds the wait for the index's file lock at Open.
const indexLockTimeout = 5 * time.Second

// Options configure a Store.
type Options struct {
	// DataDir is the folder of the instance files and the index.
	DataDir string
	// DuplicatePolicy is KeepFirst (default) or Replace.
	DuplicatePolicy string
	// MaxInstanceSize is the largest data set accepted, in bytes; 0 means
	// no limit.
	MaxInstanceSize int64
	// FreeSpaceWatermark is the free space, in bytes, the data folder's file
	// system must keep.
	FreeSpaceWatermark int64
	// Events, when set, receives duplicates and rejected data sets.
	Events Events
	// Logger receives the application log; nil discards it.
	Logger *slog.Logger
}

// Events receives what the audit log records about stores. Methods must
// return quickly.
type Events interface {
	// DuplicateInstance reports a data set whose SOP Instance UID was
	// already stored. kept is true when the stored one was kept.
	DuplicateInstance(req *scp.StoreRequest, studyUID string, kept bool)
	// StoreRejected reports a data set rejected with a failure status
	// because of what it contains (A900, C000).
	StoreRejected(req *scp.StoreRequest, status uint16, err error)
}

// Store is the durable instance store. It implements scp.StoreHandler and
// is safe for concurrent use by many associations.
type Store struct {
	*Index
	opts   Options
	dir    string
	tmpDir string
	log    *slog.Logger

	// closing is held for reading by every commit and for writing by Close,
	// so that Close waits for commits in progress.
	closing sync.RWMutex
	closed  bool

	// uidLocks serialise commits of the same SOP Instance UID.
	uidLocks [64]sync.Mutex

	mu      sync.Mutex
	byAssoc map[string]map[string]int

	// commits feeds the committer goroutine (commit.go), which closes
	// committerDone when commits is closed and drained.
	commits       chan *commitRequest
	committerDone chan struct{}

	// changes counts committed groups; the snapshotter rewrites
	// SnapshotFile when it moved.
	changes      atomic.Int64
	stopSnapshot chan struct{}
	snapshotDone chan struct{}
}

// Open opens or creates the store in opts.DataDir. It removes data sets
// left half received in the tmp folder by an earlier crash, and index
// entries of the last group commit whose file is missing. None of them was
// acknowledged.
func Open(opts Options) (*Store, error) {
	if opts.DataDir == "" {
		return nil, fmt.Errorf("store: empty data folder")
	}
	switch opts.DuplicatePolicy {
	case "":
		opts.DuplicatePolicy = KeepFirst
	case KeepFirst, Replace:
	default:
		return nil, fmt.Errorf("store: unknown duplicate policy %q", opts.DuplicatePolicy)
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}

	dir, err := filepath.Abs(opts.DataDir)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	tmp := filepath.Join(dir, tmpDirName)
	if err := os.MkdirAll(tmp, 0o750); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if err := removeLeftovers(tmp, log); err != nil {
		return nil, err
	}

	ix, err := OpenIndex(filepath.Join(dir, IndexFile), false, indexLockTimeout)
	if err != nil {
		return nil, err
	}
	if err := reconcilePending(ix, dir, log); err != nil {
		ix.Close()
		return nil, err
	}
	s := &Store{Index: ix, opts: opts, dir: dir, tmpDir: tmp, log: log, byAssoc: map[string]map[string]int{},
		commits: make(chan *commitRequest, maxGroupCommit), committerDone: make(chan struct{}),
		stopSnapshot: make(chan struct{}), snapshotDone: make(chan struct{})}
	go s.committer()
	go s.snapshotter(s.stopSnapshot, s.snapshotDone)
	return s, nil
}

// Dir returns the absolute path of the data folder.
func (s *Store) Dir() string { return s.dir }

// Close waits for commits in progress and closes the index. Sinks still
// open afterwards fail.
func (s *Store) Close() error {
	s.closing.Lock()
	defer s.closing.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	close(s.commits)
	<-s.committerDone
	close(s.stopSnapshot)
	<-s.snapshotDone
	return s.Index.Close()
}

// BeginStore starts receiving one data set. It fails with status A700 when
// the file system is under the free-space watermark.
func (s *Store) BeginStore(req *scp.StoreRequest) (scp.StoreSink, error) {
	s.closing.RLock()
	closed := s.closed
	s.closing.RUnlock()
	if closed {
		return nil, statusErr(StatusOutOfResources, ErrClosed)
	}
	if err := s.checkFreeSpace(); err != nil {
		return nil, err
	}
	return s.newSink(req)
}

// checkFreeSpace returns a StatusError A700 when the data folder's file
// system has less free space than the watermark.
func (s *Store) checkFreeSpace() error {
	if s.opts.FreeSpaceWatermark <= 0 {
		return nil
	}
	free, err := freeBytes(s.dir)
	if err != nil {
		return statusErr(StatusOutOfResources, err)
	}
	if free < s.opts.FreeSpaceWatermark {
		return statusErr(StatusOutOfResources, fmt.Errorf("%w: %d bytes free, watermark %d", ErrLowDiskSpace, free, s.opts.FreeSpaceWatermark))
	}
	return nil
}

// TakeAssociationCounts returns the instances stored with Success on an
// association, per Study Instance UID, and clears them.
func (s *Store) TakeAssociationCounts(assocID string) map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	counts := s.byAssoc[assocID]
	delete(s.byAssoc, assocID)
	return counts
}

func (s *Store) countStored(assocID, studyUID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.byAssoc[assocID]
	if m == nil {
		m = map[string]int{}
		s.byAssoc[assocID] = m
	}
	m[studyUID]++
}

func (s *Store) uidLock(uid string) *sync.Mutex {
	h := fnv.New32a()
	h.Write([]byte(uid))
	return &s.uidLocks[h.Sum32()%uint32(len(s.uidLocks))]
}

// removeLeftovers deletes the files in tmp: data sets half received and a
// snapshot half written when the process stopped. None was acknowledged.
func removeLeftovers(tmp string, log *slog.Logger) error {
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		if err := os.Remove(filepath.Join(tmp, e.Name())); err != nil {
			return fmt.Errorf("store: remove leftover file: %w", err)
		}
		log.Info("removed a file left in tmp by an earlier run", "file", e.Name())
	}
	return nil
}

// reconcilePending checks the instances of the last group commit, which a
// crash may have stopped after the index transaction but before the folder
// fsyncs that make the renames durable. An entry whose file is missing was
// never acknowledged, so it is dropped and logged. A file of another size
// than its entry, which only the replace policy can leave (the rename of
// the new file was lost, the old file is back), is logged and kept.
func reconcilePending(ix *Index, dir string, log *slog.Logger) error {
	err := ix.db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		var uids []string
		found, err := getJSON(meta, pendingKey, &uids)
		if err != nil || !found {
			return err
		}
		instances := tx.Bucket(bucketInstances)
		for _, uid := range uids {
			var rec InstanceRecord
			found, err := getJSON(instances, []byte(uid), &rec)
			if err != nil {
				return err
			}
			if !found {
				continue
			}
			fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(rec.Path)))
			switch {
			case errors.Is(err, fs.ErrNotExist):
				if err := removeInstance(tx, uid); err != nil {
					return err
				}
				log.Warn("dropped an index entry whose file is missing after a crash; the instance was never acknowledged",
					"sop_instance_uid", uid, "path", rec.Path)
			case err != nil:
				return err
			case fi.Size() != rec.Size:
				log.Warn("index entry does not match its file after a crash", "sop_instance_uid", uid,
					"path", rec.Path, "index_size", rec.Size, "file_size", fi.Size())
			}
		}
		return meta.Delete(pendingKey)
	})
	if err != nil {
		return fmt.Errorf("store: check the last group commit: %w", err)
	}
	return nil
}

// syncDir fsyncs a folder so that a rename or creation in it is durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// mkdirDurable creates dir and its missing parents below root, fsyncing the
// parent of each folder it creates.
func mkdirDurable(root, dir string) error {
	rel, err := filepath.Rel(root, dir)
	if err != nil || strings.HasPrefix(rel, "..") {
		return fmt.Errorf("store: %s is outside %s", dir, root)
	}
	cur := root
	for _, part := range strings.Split(rel, string(filepath.Separator)) {
		next := filepath.Join(cur, part)
		if err := os.Mkdir(next, 0o750); err == nil {
			if err := syncDir(cur); err != nil {
				return err
			}
		} else if !os.IsExist(err) {
			return err
		}
		cur = next
	}
	return nil
}
