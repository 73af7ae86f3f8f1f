package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// ErrClosed is returned by Write after Close.
var ErrClosed = errors.New("audit: log closed")

// Log appends events to the audit log file. It is safe for concurrent use:
// each event is written with one write call on a file opened with O_APPEND,
// so lines are never interleaved, even with another process appending.
type Log struct {
	mu     sync.Mutex
	f      *os.File
	now    func() time.Time
	errors int
}

// Open opens the audit log at path for appending, creating it and its
// folder when missing.
func Open(path string) (*Log, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	return &Log{f: f, now: time.Now}, nil
}

// Write appends e, setting its time when zero.
func (l *Log) Write(e Event) error {
	if e.Time.IsZero() {
		e.Time = l.now()
	}
	e.Time = e.Time.UTC()
	line, err := json.Marshal(&e)
	if err != nil {
		return fmt.Errorf("audit: encode %s: %w", e.Type, err)
	}
	line = append(line, '\n')

	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return ErrClosed
	}
	if _, err := l.f.Write(line); err != nil {
		l.errors++
		return fmt.Errorf("audit: write: %w", err)
	}
	return nil
}

// Close syncs and closes the file.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f == nil {
		return nil
	}
	serr := l.f.Sync()
	cerr := l.f.Close()
	l.f = nil
	return errors.Join(serr, cerr)
}
