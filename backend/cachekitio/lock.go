package cachekitio

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/cachekit-io/cachekit-go/backend"
)

// maxLockIDLen bounds a lock id accepted from the server.
const maxLockIDLen = 256

// AcquireLock implements backend.Locker: POST /v1/cache/{key}/lock {"timeout_ms": N},
// N being timeout rounded up to a millisecond. A non-empty lock_id means the lock was
// taken; a null or absent lock_id (or a legacy 409) means another holder has it. The
// request is never repeated, since a lost answer could leave a lock nobody knows the id
// of; such a lock frees itself after timeout. timeout <= 0 fails with an error wrapping
// backend.ErrInvalidTTL.
func (b *Backend) AcquireLock(ctx context.Context, key string, timeout time.Duration) (string, bool, error) {
	const op = "acquire_lock"
	if err := b.checkCall(ctx, op, key, true); err != nil {
		return "", false, err
	}
	if timeout <= 0 {
		return "", false, permanent(op, key, backend.ErrInvalidTTL)
	}
	ms := int64(min(timeout, backend.MaxTTL) / time.Millisecond)
	if timeout%time.Millisecond != 0 {
		ms++
	}
	c := keyCall(op, http.MethodPost, key, "/lock")
	c.idempotent = false
	c.contentType = "application/json"
	c.body = []byte(`{"timeout_ms":` + strconv.FormatInt(ms, 10) + `}`)
	var id string
	err := b.roundTrip(ctx, c, func(ctx context.Context, resp *http.Response) error {
		switch resp.StatusCode {
		case http.StatusConflict:
			id = ""
			return nil
		case http.StatusOK:
			var body struct {
				LockID *string `json:"lock_id"`
			}
			if err := b.decodeJSON(ctx, c, resp, &body); err != nil {
				return err
			}
			id = ""
			if body.LockID != nil && validLockID(*body.LockID) {
				id = *body.LockID
			}
			return nil
		}
		return b.statusError(c, resp)
	})
	if err != nil {
		return "", false, err
	}
	return id, id != "", nil
}

// ReleaseLock implements backend.Locker: DELETE /v1/cache/{key}/lock with the id in
// the X-CacheKit-Lock-Id header, never in the URL. A 200 answer means released unless
// its body says {"released": false} or {"success": false} (as package devserver does
// for an id that does not hold the lock); a 404 means not released. An empty id, or one
// that could not have been issued, reports false without a request.
func (b *Backend) ReleaseLock(ctx context.Context, key, lockID string) (bool, error) {
	const op = "release_lock"
	if err := b.checkCall(ctx, op, key, true); err != nil {
		return false, err
	}
	if !validLockID(lockID) {
		return false, nil
	}
	c := keyCall(op, http.MethodDelete, key, "/lock")
	c.idempotent = false
	c.header = map[string]string{headerLockID: lockID}
	released := false
	err := b.roundTrip(ctx, c, func(ctx context.Context, resp *http.Response) error {
		switch {
		case resp.StatusCode == http.StatusNotFound:
			released = false
			return nil
		case isSuccess(resp.StatusCode):
			var body struct {
				Released *bool `json:"released"`
				Success  *bool `json:"success"`
			}
			if err := b.decodeOptionalJSON(ctx, c, resp, &body); err != nil {
				return err
			}
			switch {
			case body.Released != nil:
				released = *body.Released
			case body.Success != nil:
				released = *body.Success
			default:
				released = true
			}
			return nil
		}
		return b.statusError(c, resp)
	})
	if err != nil {
		return false, err
	}
	return released, nil
}

// validLockID reports whether id can travel in a header: 1 to 256 visible ASCII bytes
// with no leading or trailing space.
func validLockID(id string) bool {
	if len(id) == 0 || len(id) > maxLockIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return false
		}
	}
	return true
}
