package store

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
)

// ResendRequestDir is the folder, inside the data folder, where `mdm2node
// resend` leaves one empty file per delivery ID while a running server holds
// the index. The server's delivery worker performs the resends and removes
// the files.
const ResendRequestDir = "resend-requests"

// RequestResend leaves a resend request for delivery id in dataDir.
func RequestResend(dataDir string, id uint64) (string, error) {
	dir := filepath.Join(dataDir, ResendRequestDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("store: %w", err)
	}
	path := filepath.Join(dir, FormatDeliveryID(id))
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		return "", fmt.Errorf("store: %w", err)
	}
	return path, nil
}

// ResendRequests returns the delivery IDs of the resend requests in
// dataDir. Files whose names are not IDs are ignored.
func ResendRequests(dataDir string) ([]uint64, error) {
	entries, err := os.ReadDir(filepath.Join(dataDir, ResendRequestDir))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	var out []uint64
	for _, e := range entries {
		if id, err := strconv.ParseUint(e.Name(), 10, 64); err == nil && id > 0 {
			out = append(out, id)
		}
	}
	return out, nil
}

// RemoveResendRequest removes the resend request of delivery id.
func RemoveResendRequest(dataDir string, id uint64) error {
	err := os.Remove(filepath.Join(dataDir, ResendRequestDir, FormatDeliveryID(id)))
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}
