package file

import "errors"

// backendName is the name this backend reports in errors and health checks.
const backendName = "file"

// Sentinel errors of this package.
var (
	// ErrInvalidOptions is matched (errors.Is) by every *ConfigError returned by New.
	ErrInvalidOptions = errors.New("file: the options are not valid")
	// ErrInsecureDir is wrapped by the *ConfigError New returns for a directory that is
	// not owned by the current user, or that group or others may write to.
	ErrInsecureDir = errors.New("file: the cache directory must be owned by the current user and not writable by group or others")
	// ErrCorruptEntry is wrapped by ParseHeader for a file too short for a header, or with
	// the wrong magic bytes or version. Readers treat such a file as a miss and may remove it.
	ErrCorruptEntry = errors.New("file: the entry file is corrupt")
	// ErrUnsupportedEntry is wrapped by ParseHeader for a header whose reserved byte or
	// flags are not zero: a transform this reader does not implement. Readers treat such
	// a file as a miss and leave it untouched.
	ErrUnsupportedEntry = errors.New("file: the entry file uses a reserved byte or flags this reader does not implement")
)

// ConfigError is returned by New when Options are not usable. It matches
// ErrInvalidOptions with errors.Is and unwraps to the cause, if any (ErrInsecureDir or an
// operating-system error).
type ConfigError struct {
	// Field names the offending option, such as "Dir" or "MaxValueSize".
	Field string
	// Reason says what is wrong, in words.
	Reason string
	// Err is the underlying cause, or nil.
	Err error
}

// Error formats the problem; it never contains cached values.
func (e *ConfigError) Error() string {
	msg := "file: invalid Options." + e.Field + ": " + e.Reason
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *ConfigError) Unwrap() error { return e.Err }

// Is matches ErrInvalidOptions.
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidOptions }
