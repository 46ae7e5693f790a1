//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package file

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestNewCreatesPrivateDirectory(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "a", "cache")
	b := newTestBackend(t, Options{Dir: dir})
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		t.Fatalf("created with mode %v, want 0700", fi.Mode().Perm())
	}
	if err := b.Set(context.Background(), "k", []byte("v"), time.Minute); err != nil {
		t.Fatal(err)
	}
	fi, err = os.Stat(filepath.Join(dir, EntryName("k")))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("entry mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestNewRefusesUnsafeDirectory(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		prepare  func(t *testing.T) string
		insecure bool
	}{
		{"group writable", func(t *testing.T) string { return dirWithMode(t, 0o770) }, true},
		{"other writable", func(t *testing.T) string { return dirWithMode(t, 0o707) }, true},
		{"world writable sticky", func(t *testing.T) string { return dirWithMode(t, 0o1777) }, true},
		{"owned by another user", func(t *testing.T) string {
			if os.Geteuid() != 0 {
				t.Skip("only root can give a directory away")
			}
			d := dirWithMode(t, 0o700)
			if err := os.Chown(d, 65534, 65534); err != nil {
				t.Skip(err)
			}
			return d
		}, true},
		{"a regular file", func(t *testing.T) string {
			p := filepath.Join(t.TempDir(), "f")
			if err := os.WriteFile(p, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			return p
		}, false},
		{"symlink to a group-writable directory", func(t *testing.T) string {
			target := dirWithMode(t, 0o775)
			link := filepath.Join(t.TempDir(), "link")
			if err := os.Symlink(target, link); err != nil {
				t.Fatal(err)
			}
			return link
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := tt.prepare(t)
			b, err := New(Options{Dir: dir})
			if err == nil {
				t.Fatalf("New accepted %s", dir)
			}
			if b != nil || !errors.Is(err, ErrInvalidOptions) {
				t.Fatalf("New = %v, %v", b, err)
			}
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Field != "Dir" {
				t.Fatalf("error %v is not a *ConfigError for Dir", err)
			}
			if got := errors.Is(err, ErrInsecureDir); got != tt.insecure {
				t.Fatalf("errors.Is(ErrInsecureDir) = %v, want %v (%v)", got, tt.insecure, err)
			}
		})
	}
}

func dirWithMode(t *testing.T, mode os.FileMode) string {
	t.Helper()
	d := filepath.Join(t.TempDir(), "cache")
	if err := os.Mkdir(d, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(d, mode); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestNewAcceptsSymlinkToPrivateDirectory(t *testing.T) {
	t.Parallel()
	target := dirWithMode(t, 0o700)
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	b := newTestBackend(t, Options{Dir: link})
	_ = b.Set(context.Background(), "k", []byte("v"), time.Minute)
	if _, err := os.Stat(filepath.Join(target, EntryName("k"))); err != nil {
		t.Fatalf("entry not in the link's target: %v", err)
	}
}

// TestSymlinkAtTempPathNotFollowed plants a symbolic link at the name Set first picks
// for its temporary file: Set must neither write through it nor remove it, and must still
// store the entry under a fresh name.
func TestSymlinkAtTempPathNotFollowed(t *testing.T) {
	t.Parallel()
	b := newTestBackend(t, Options{})
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("untouched"), 0o600); err != nil {
		t.Fatal(err)
	}
	var tried []string
	b.hooks.tempName = func(base string, attempt int) string {
		name := base + tempMarker + "planted." + string(rune('a'+attempt))
		tried = append(tried, name)
		return name
	}
	planted := filepath.Join(b.dir, EntryName("k")+tempMarker+"planted.a")
	if err := os.Symlink(victim, planted); err != nil {
		t.Fatal(err)
	}
	if err := b.Set(context.Background(), "k", []byte("value"), time.Minute); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(victim); string(got) != "untouched" {
		t.Fatalf("Set wrote through the symlink: %q", got)
	}
	if fi, err := os.Lstat(planted); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the planted link changed: %v", err)
	}
	if len(tried) != 2 {
		t.Fatalf("tried %v, want the planted name then a fresh one", tried)
	}
	if v, found, _ := b.Get(context.Background(), "k"); !found || string(v) != "value" {
		t.Fatalf("Get = %q, %v", v, found)
	}
}

func TestTempNamesCollideOnlyUntilAttemptsRunOut(t *testing.T) {
	t.Parallel()
	b := newTestBackend(t, Options{})
	b.hooks.tempName = func(base string, attempt int) string { return base + tempMarker + "same" }
	if err := os.WriteFile(filepath.Join(b.dir, EntryName("k")+tempMarker+"same"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	err := b.Set(context.Background(), "k", []byte("v"), time.Minute)
	if !errors.Is(err, os.ErrExist) {
		t.Fatalf("Set = %v, want an error wrapping os.ErrExist", err)
	}
}

func TestOptionsValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		opts  Options
		field string
	}{
		{"no dir", Options{}, "Dir"},
		{"negative bytes", Options{MaxTotalBytes: -1}, "MaxTotalBytes"},
		{"negative entries", Options{MaxEntries: -1}, "MaxEntries"},
		{"negative value size", Options{MaxValueSize: -1}, "MaxValueSize"},
		{"negative temp age", Options{TempFileMaxAge: -time.Second}, "TempFileMaxAge"},
		{"negative rescan", Options{RescanWrites: -1}, "RescanWrites"},
		{"value above half the total", Options{MaxTotalBytes: 100, MaxValueSize: 51}, "MaxValueSize"},
		{"total too small", Options{MaxTotalBytes: 1}, "MaxTotalBytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.field != "Dir" {
				tt.opts.Dir = t.TempDir()
			}
			_, err := New(tt.opts)
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Field != tt.field || !errors.Is(err, ErrInvalidOptions) {
				t.Fatalf("New = %v, want a *ConfigError for %s", err, tt.field)
			}
		})
	}
}

func TestOptionsDefaults(t *testing.T) {
	t.Parallel()
	o, err := Options{Dir: "x"}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	// cachekit-py's FileBackendConfig defaults: 1024 MB, 100 MB, 10000 entries, 60 s.
	if o.MaxTotalBytes != 1024*1024*1024 || o.MaxValueSize != 100*1024*1024 ||
		o.MaxEntries != 10000 || o.TempFileMaxAge != time.Minute {
		t.Fatalf("defaults = %+v", o)
	}
	o, err = Options{Dir: "x", MaxTotalBytes: 1000}.withDefaults()
	if err != nil || o.MaxValueSize != 500 {
		t.Fatalf("MaxValueSize default for a small cache = %d, %v", o.MaxValueSize, err)
	}
}
