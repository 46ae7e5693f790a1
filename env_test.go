package cachekit

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestLoadEnvRejects(t *testing.T) {
	t.Parallel()
	short := strings.Repeat("ab", 31)
	tests := []struct {
		name     string
		env      map[string]string
		variable string
		value    string // must not appear in the error ("" when too short to check)
	}{
		{"blank master key", map[string]string{EnvMasterKey: ""}, EnvMasterKey, ""},
		{"short master key", map[string]string{EnvMasterKey: short}, EnvMasterKey, short},
		{"odd master key", map[string]string{EnvMasterKey: testKeyA + "a"}, EnvMasterKey, testKeyA},
		{"non-hex master key", map[string]string{EnvMasterKey: strings.Repeat("xy", 32)}, EnvMasterKey, "xyxyxyxy"},
		{"master key with spaces", map[string]string{EnvMasterKey: " " + testKeyA}, EnvMasterKey, testKeyA},
		{"too many previous keys", map[string]string{EnvMasterKey: testKeyA, EnvPreviousMasterKeys: strings.Join(
			[]string{testKeyB, testKeyC, strings.Repeat("d4", 32), strings.Repeat("e5", 32)}, ",")}, EnvPreviousMasterKeys, testKeyB},
		{"blank previous keys", map[string]string{EnvMasterKey: testKeyA, EnvPreviousMasterKeys: ""}, EnvPreviousMasterKeys, ""},
		{"empty previous entry", map[string]string{EnvMasterKey: testKeyA, EnvPreviousMasterKeys: testKeyB + ",,"}, EnvPreviousMasterKeys, testKeyB},
		{"short previous key", map[string]string{EnvMasterKey: testKeyA, EnvPreviousMasterKeys: short}, EnvPreviousMasterKeys, short},
		{"previous without current", map[string]string{EnvPreviousMasterKeys: testKeyB}, EnvPreviousMasterKeys, testKeyB},
		{"current among previous", map[string]string{EnvMasterKey: testKeyA, EnvPreviousMasterKeys: strings.ToUpper(testKeyA)}, "master keys", testKeyA},
		{"zero TTL", map[string]string{EnvDefaultTTL: "0"}, EnvDefaultTTL, ""},
		{"negative TTL", map[string]string{EnvDefaultTTL: "-30"}, EnvDefaultTTL, ""},
		{"fractional TTL", map[string]string{EnvDefaultTTL: "1.5"}, EnvDefaultTTL, ""},
		{"word TTL", map[string]string{EnvDefaultTTL: "forever"}, EnvDefaultTTL, "forever"},
		{"blank TTL", map[string]string{EnvDefaultTTL: ""}, EnvDefaultTTL, ""},
		{"huge TTL", map[string]string{EnvDefaultTTL: "99999999999999999999"}, EnvDefaultTTL, "99999999999999999999"},
		{"TTL beyond Duration", map[string]string{EnvDefaultTTL: "9300000000"}, EnvDefaultTTL, "9300000000"},
		{"blank namespace", map[string]string{EnvNamespace: ""}, EnvNamespace, ""},
		{"namespace control byte", map[string]string{EnvNamespace: "app\tname"}, EnvNamespace, "app\tname"},
		{"long namespace", map[string]string{EnvNamespace: strings.Repeat("n", 256)}, EnvNamespace, strings.Repeat("n", 256)},
		{"bad deployment UUID", map[string]string{EnvDeploymentUUID: "1234-not-a-uuid"}, EnvDeploymentUUID, "1234-not-a-uuid"},
		{"UUID with bad digit", map[string]string{EnvDeploymentUUID: "0000000g-0000-4000-8000-00000000000a"}, EnvDeploymentUUID, "0000000g"},
		{"zero L1 size", map[string]string{EnvL1MaxSizeMB: "0"}, EnvL1MaxSizeMB, ""},
		{"word L1 size", map[string]string{EnvL1MaxSizeMB: "lots"}, EnvL1MaxSizeMB, "lots"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := LoadEnv(envMap(tt.env))
			wantKind(t, err, KindConfig)
			msg := err.Error()
			if !strings.Contains(msg, tt.variable) {
				t.Errorf("error %q does not name %s", msg, tt.variable)
			}
			if tt.value != "" && strings.Contains(strings.ToLower(msg), strings.ToLower(tt.value)) {
				t.Errorf("error %q repeats the value", msg)
			}
			// New over the same environment (keys and tenant are its fallbacks) agrees.
			if _, ok := tt.env[EnvMasterKey]; ok {
				if _, err := New(Options{Env: envMap(tt.env)}); err == nil {
					t.Error("New accepted what LoadEnv refused")
				}
			}
		})
	}
}

func TestLoadEnvAccepts(t *testing.T) {
	t.Parallel()
	env := map[string]string{
		EnvNamespace:          "myapp",
		EnvDefaultTTL:         "42",
		EnvMasterKey:          strings.ToUpper(testKeyA),
		EnvPreviousMasterKeys: testKeyB + " , " + testKeyC,
		EnvDeploymentUUID:     "ABCDEF01-2345-4789-8abc-DEF012345678",
		EnvL1MaxSizeMB:        "64",
		"CACHEKIT_API_KEY":    "ck_sdk_not_read_here",
	}
	o, err := LoadEnv(envMap(env))
	if err != nil {
		t.Fatal(err)
	}
	if o.Namespace != "myapp" || o.DefaultTTL != 42*time.Second || o.L1.MaxBytes != 64<<20 {
		t.Errorf("Options = %+v", o)
	}
	if o.Tenant != "abcdef01-2345-4789-8abc-def012345678" {
		t.Errorf("Tenant = %q, want canonical lowercase", o.Tenant)
	}
	if string(o.MasterKey) != strings.ToUpper(testKeyA) || len(o.PreviousMasterKeys) != 2 || string(o.PreviousMasterKeys[1]) != testKeyC {
		t.Error("keys not carried over")
	}
	if o.Encrypt {
		t.Error("a master key in the environment turned encryption on")
	}
	c := newClient(t, o)
	if c.prefix != "myapp:" || c.defaultTTL != 42*time.Second {
		t.Errorf("client prefix %q ttl %v", c.prefix, c.defaultTTL)
	}
	if _, err := c.Secure(); err != nil {
		t.Errorf("Secure() = %v", err)
	}
	// An empty environment is the zero Options (plus the lookup).
	o, err = LoadEnv(noEnv)
	if err != nil || o.Namespace != "" || o.DefaultTTL != 0 || o.MasterKey != "" || o.Tenant != "" {
		t.Errorf("LoadEnv(empty) = %+v, %v", o, err)
	}
}

// TestNewFromEnv uses the process environment, so it cannot run in parallel.
func TestNewFromEnv(t *testing.T) {
	t.Setenv(EnvNamespace, "envtest")
	t.Setenv(EnvDefaultTTL, "7")
	t.Setenv(EnvMasterKey, testKeyA)
	c, err := NewFromEnv()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if err := c.Set(ctx, "k", "v"); err != nil {
		t.Fatal(err)
	}
	ttl, found, err := c.TTL(ctx, "k")
	if err != nil || !found || ttl > 7*time.Second || ttl < 5*time.Second {
		t.Errorf("TTL = %v, %v, %v; want about 7s", ttl, found, err)
	}
	raw, found, _ := c.Backend().Get(ctx, "envtest:k")
	if !found || string(raw) != "\xa1v" {
		t.Errorf("stored % x under envtest:k, want the plain MessagePack a1 76", raw)
	}

	t.Setenv(EnvDefaultTTL, "0")
	if _, err := NewFromEnv(); err == nil || !strings.Contains(err.Error(), EnvDefaultTTL) {
		t.Errorf("NewFromEnv with a zero TTL = %v", err)
	}
}

func TestPresets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		o            Options
		ttl          time.Duration
		invalidation bool
		encrypt      bool
	}{
		{"minimal", MinimalOptions(), 300 * time.Second, false, false},
		{"production", ProductionOptions(), 600 * time.Second, true, false},
		{"secure", SecureOptions(testKeyA), 600 * time.Second, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.o.DefaultTTL != tt.ttl || tt.o.L1.Disabled || tt.o.L1.NoInvalidation == tt.invalidation || tt.o.Encrypt != tt.encrypt {
				t.Errorf("%s preset = %+v", tt.name, tt.o)
			}
			c, fb := newFakeClient(t, tt.o)
			if err := c.Set(context.Background(), "k", "v"); err != nil {
				t.Fatal(err)
			}
			stored, _ := fb.raw("k")
			if encrypted := string(stored) != "\xa1v"; encrypted != tt.encrypt {
				t.Errorf("stored % x; encrypted = %v, want %v", stored, encrypted, tt.encrypt)
			}
		})
	}
	// The secure preset fails at construction without a key, and takes the
	// environment's when the argument is empty.
	o := SecureOptions("")
	o.Env = noEnv
	if _, err := New(o); err == nil {
		t.Error("secure preset without a master key constructed")
	}
	o.Env = envMap(map[string]string{EnvMasterKey: testKeyB})
	c, err := New(o)
	if err != nil {
		t.Fatalf("secure preset with CACHEKIT_MASTER_KEY: %v", err)
	}
	_ = c.Close()
}
