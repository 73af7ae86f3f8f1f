package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"
)

// followPoll is how often Follow looks for new lines.
const followPoll = 200 * time.Millisecond

// Follow calls fn for each event appended to the file at path from offset
// on, until ctx ends. When the file shrinks (it was truncated or replaced)
// it starts again from the beginning. A partial last line waits until its
// newline is written.
func Follow(ctx context.Context, path string, offset int64, fn func(Event)) error {
	var pending []byte
	buf := make([]byte, 64<<10)
	for {
		f, err := os.Open(path)
		if err == nil {
			if st, serr := f.Stat(); serr == nil && st.Size() < offset {
				offset, pending = 0, nil
			}
			if _, err := f.Seek(offset, io.SeekStart); err != nil {
				f.Close()
				return fmt.Errorf("audit: %w", err)
			}
			for {
				n, rerr := f.Read(buf)
				offset += int64(n)
				pending = append(pending, buf[:n]...)
				if rerr != nil {
					break
				}
			}
			f.Close()
			for {
				i := bytes.IndexByte(pending, '\n')
				if i < 0 {
					break
				}
				var e Event
				if json.Unmarshal(pending[:i], &e) == nil {
					fn(e)
				}
				pending = pending[i+1:]
			}
			if len(pending) > maxLineLength {
				pending = nil
			}
		} else if !os.IsNotExist(err) {
			return fmt.Errorf("audit: %w", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(followPoll):
		}
	}
}
