//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package file

import (
	"os"
	"path/filepath"
	"syscall"
)

// prepareDir creates the cache directory with mode 0700 when it is missing, resolves
// symbolic links once, and checks that the directory is owned by the effective user and
// not writable by group or others: a directory another user can write to would let that
// user plant entries the cache returns as its own. It returns the resolved path.
func prepareDir(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", &ConfigError{Field: "Dir", Reason: "the path cannot be made absolute", Err: err}
	}
	if err := os.MkdirAll(abs, 0o700); err != nil {
		return "", &ConfigError{Field: "Dir", Reason: "the directory cannot be created", Err: err}
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", &ConfigError{Field: "Dir", Reason: "the path cannot be resolved", Err: err}
	}
	fi, err := os.Lstat(real)
	if err != nil {
		return "", &ConfigError{Field: "Dir", Reason: "the directory cannot be inspected", Err: err}
	}
	if !fi.IsDir() {
		return "", &ConfigError{Field: "Dir", Reason: "the path is not a directory"}
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return "", &ConfigError{Field: "Dir", Reason: "the directory's owner cannot be read"}
	}
	if int(st.Uid) != os.Geteuid() {
		return "", &ConfigError{Field: "Dir", Reason: "the directory belongs to another user", Err: ErrInsecureDir}
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return "", &ConfigError{Field: "Dir", Reason: "group or others can write to the directory", Err: ErrInsecureDir}
	}
	return real, nil
}

// syncDir fsyncs the directory so that a rename in it is durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	serr := d.Sync()
	cerr := d.Close()
	if serr != nil {
		return serr
	}
	return cerr
}
