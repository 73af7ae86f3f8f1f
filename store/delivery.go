package store

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Buckets of the delivery queue, created on first use so that an index
// written before the queue existed opens unchanged.
var (
	bucketDeliveries   = []byte("deliveries")    // 8-byte big-endian ID -> Delivery
	bucketDeliveryKeys = []byte("delivery_keys") // SOP instance UID "\x00" AE title -> ID
)

// DeliveryState is the state of a delivery, stored as its string.
type DeliveryState string

// Delivery states.
const (
	// DeliveryPending waits for its next attempt.
	DeliveryPending DeliveryState = "pending"
	// DeliveryDelivered was acknowledged by the destination with Success or
	// a warning status.
	DeliveryDelivered DeliveryState = "delivered"
	// DeliveryFailed was given up: its maximum age passed, or its file is
	// gone. `mdm2node resend` queues it again.
	DeliveryFailed DeliveryState = "failed"
)

// ErrDeliveryState is returned when a delivery is not in the state an
// operation needs, for example a resend of a pending delivery.
var ErrDeliveryState = errors.New("store: delivery in the wrong state")

// Delivery is one SOP instance to send to one destination AE title. Path is
// relative to the data folder.
type Delivery struct {
	V                 int           `json:"v"`
	ID                uint64        `json:"id"`
	Destination       string        `json:"destination"`
	SOPClassUID       string        `json:"sop_class_uid"`
	SOPInstanceUID    string        `json:"sop_instance_uid"`
	StudyInstanceUID  string        `json:"study_uid,omitempty"`
	TransferSyntaxUID string        `json:"transfer_syntax_uid"`
	Path              string        `json:"path"`
	DataSetOffset     int64         `json:"data_set_offset"`
	State             DeliveryState `json:"state"`
	Attempts          int           `json:"attempts"`
	Queued            time.Time     `json:"queued"`
	NextAttempt       time.Time     `json:"next_attempt"`
	LastAttempt       time.Time     `json:"last_attempt,omitzero"`
	Delivered         time.Time     `json:"delivered,omitzero"`
	// LastStatus is the DIMSE status of the last C-STORE-RSP, as four
	// hexadecimal digits; empty when no response arrived.
	LastStatus string `json:"last_status,omitempty"`
	LastError  string `json:"last_error,omitempty"`
}

// FormatDeliveryID returns the ID as users type it.
func FormatDeliveryID(id uint64) string { return strconv.FormatUint(id, 10) }

// ParseDeliveryID parses an ID printed by FormatDeliveryID.
func ParseDeliveryID(s string) (uint64, error) {
	id, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
	if err != nil || id == 0 {
		return 0, fmt.Errorf("store: delivery ID %q is not a positive integer", s)
	}
	return id, nil
}

func deliveryKey(id uint64) []byte {
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], id)
	return k[:]
}

func deliveryDedupKey(sopInstanceUID, ae string) []byte {
	return []byte(sopInstanceUID + "\x00" + ae)
}

func getDelivery(b *bolt.Bucket, id uint64) (Delivery, error) {
	var d Delivery
	v := b.Get(deliveryKey(id))
	if v == nil {
		return d, fmt.Errorf("%w: delivery %d", ErrNotFound, id)
	}
	if err := json.Unmarshal(v, &d); err != nil {
		return d, fmt.Errorf("store: delivery %d: %w", id, err)
	}
	return d, nil
}

func putDelivery(b *bolt.Bucket, d Delivery) error {
	v, err := json.Marshal(d)
	if err != nil {
		return err
	}
	return b.Put(deliveryKey(d.ID), v)
}

// EnqueueDeliveries queues the stored instance sopInstanceUID for each of
// destinations, first attempt due at now. A destination that already has a
// pending delivery of the instance is not queued twice: its existing entry
// is returned. It returns an error wrapping ErrNotFound when the instance
// is not stored.
func (ix *Index) EnqueueDeliveries(sopInstanceUID string, destinations []string, now time.Time) ([]Delivery, error) {
	var out []Delivery
	err := ix.db.Update(func(tx *bolt.Tx) error {
		out = out[:0]

		// 1. The instance as stored.
		ib := tx.Bucket(bucketInstances)
		raw := ib.Get([]byte(sopInstanceUID))
		if raw == nil {
			return fmt.Errorf("%w: instance %s", ErrNotFound, sopInstanceUID)
		}
		var rec InstanceRecord
		if err := json.Unmarshal(raw, &rec); err != nil {
			return fmt.Errorf("store: instance %s: %w", sopInstanceUID, err)
		}

		// 2. One entry per destination, unless one is pending already.
		db, err := tx.CreateBucketIfNotExists(bucketDeliveries)
		if err != nil {
			return err
		}
		kb, err := tx.CreateBucketIfNotExists(bucketDeliveryKeys)
		if err != nil {
			return err
		}
		for _, ae := range destinations {
			dk := deliveryDedupKey(sopInstanceUID, ae)
			if v := kb.Get(dk); v != nil && len(v) == 8 {
				d, err := getDelivery(db, binary.BigEndian.Uint64(v))
				if err == nil && d.State == DeliveryPending {
					out = append(out, d)
					continue
				}
			}
			id, err := db.NextSequence()
			if err != nil {
				return err
			}
			d := Delivery{
				V:                 RecordVersion,
				ID:                id,
				Destination:       ae,
				SOPClassUID:       rec.SOPClassUID,
				SOPInstanceUID:    rec.SOPInstanceUID,
				StudyInstanceUID:  rec.StudyInstanceUID,
				TransferSyntaxUID: rec.TransferSyntaxUID,
				Path:              rec.Path,
				DataSetOffset:     rec.DataSetOffset,
				State:             DeliveryPending,
				Queued:            now,
				NextAttempt:       now,
			}
			if err := putDelivery(db, d); err != nil {
				return err
			}
			if err := kb.Put(dk, deliveryKey(id)); err != nil {
				return err
			}
			out = append(out, d)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: enqueue %s: %w", sopInstanceUID, err)
	}
	return out, nil
}

// Deliveries returns every delivery in ID order (the order they were queued).
func (ix *Index) Deliveries() ([]Delivery, error) {
	var out []Delivery
	err := ix.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDeliveries)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			var d Delivery
			if err := json.Unmarshal(v, &d); err != nil {
				return fmt.Errorf("store: delivery %x: %w", k, err)
			}
			out = append(out, d)
			return nil
		})
	})
	return out, err
}

// Delivery returns one delivery, or an error wrapping ErrNotFound.
func (ix *Index) Delivery(id uint64) (Delivery, error) {
	var d Delivery
	err := ix.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDeliveries)
		if b == nil {
			return fmt.Errorf("%w: delivery %d", ErrNotFound, id)
		}
		var err error
		d, err = getDelivery(b, id)
		return err
	})
	return d, err
}

// PendingDeliveries returns the pending deliveries ordered by next attempt
// time, then ID.
func (ix *Index) PendingDeliveries() ([]Delivery, error) {
	all, err := ix.Deliveries()
	if err != nil {
		return nil, err
	}
	var out []Delivery
	for _, d := range all {
		if d.State == DeliveryPending {
			out = append(out, d)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].NextAttempt.Before(out[j].NextAttempt) })
	return out, nil
}

// UpdateDelivery applies fn to delivery id in one transaction and returns
// the stored result. fn must not change the ID.
func (ix *Index) UpdateDelivery(id uint64, fn func(d *Delivery) error) (Delivery, error) {
	var d Delivery
	err := ix.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketDeliveries)
		if b == nil {
			return fmt.Errorf("%w: delivery %d", ErrNotFound, id)
		}
		var err error
		if d, err = getDelivery(b, id); err != nil {
			return err
		}
		if err := fn(&d); err != nil {
			return err
		}
		d.ID = id
		return putDelivery(b, d)
	})
	return d, err
}

// ResendDelivery queues a delivered or failed delivery again: state
// pending, attempts reset, queued and due at now. A pending delivery
// returns an error wrapping ErrDeliveryState.
func (ix *Index) ResendDelivery(id uint64, now time.Time) (Delivery, error) {
	return ix.UpdateDelivery(id, func(d *Delivery) error {
		if d.State == DeliveryPending {
			return fmt.Errorf("%w: delivery %d is already pending", ErrDeliveryState, id)
		}
		d.State = DeliveryPending
		d.Attempts = 0
		d.Queued = now
		d.NextAttempt = now
		d.Delivered = time.Time{}
		d.LastError = ""
		d.LastStatus = ""
		return nil
	})
}
