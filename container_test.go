package cachekit

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cachekit-io/cachekit-go/internal/vectortest"
	"github.com/cachekit-io/cachekit-go/protocol/codec"
	"github.com/cachekit-io/cachekit-go/protocol/envelope"
)

func TestEnvelopeModeStoresEnvelope(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, fb := newFakeClient(t, Options{Container: ContainerEnvelope})
	// A struct, not a map: plain MessagePack writes map entries in Go's random order.
	v := struct {
		UserID int    `msgpack:"user_id"`
		Name   string `msgpack:"name"`
	}{42, strings.Repeat("cachekit ", 20)}
	if err := c.Set(ctx, "k", v); err != nil {
		t.Fatal(err)
	}
	stored, _ := fb.raw("k")
	data, format, err := envelope.Retrieve(stored)
	if err != nil || format != "msgpack" {
		t.Fatalf("stored bytes are not a msgpack envelope: %v, %q", err, format)
	}
	want, _ := codec.Marshal(v)
	if string(data) != string(want) {
		t.Errorf("envelope payload % x, want % x", data, want)
	}
	if len(stored) >= len(want) {
		t.Errorf("a repetitive value was not compressed: %d >= %d bytes", len(stored), len(want))
	}
}

func TestContainerMismatchSaysWhatItFound(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	plainBytes, _ := codec.Marshal("hello")
	envBytes, _ := envelope.Store(plainBytes, "msgpack")
	tests := []struct {
		name      string
		container Container
		stored    []byte
		want      string
	}{
		{"plain reader, envelope", ContainerPlain, envBytes, "ByteStorage envelope; configure Container: ContainerEnvelope"},
		{"envelope reader, plain", ContainerEnvelope, plainBytes, "found plain MessagePack"},
		{"plain reader, garbage", ContainerPlain, []byte{0xc1, 0x00}, "not one MessagePack document"},
		{"envelope reader, garbage", ContainerEnvelope, []byte{0xc1, 0x00}, "not a valid ByteStorage envelope"},
		{"envelope of another format", ContainerEnvelope, must(envelope.Store(plainBytes, "json")), `format "json"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, l1Off := range []bool{true, false} {
				c, fb := newFakeClient(t, Options{Container: tt.container, L1: L1Options{Disabled: l1Off}})
				fb.put("k", tt.stored)
				got, found, err := Get[string](ctx, c, "k")
				wantKind(t, err, KindSerialization)
				if found || got != "" {
					t.Errorf("returned %q, found=%v", got, found)
				}
				if !strings.Contains(err.Error(), tt.want) {
					t.Errorf("error %q does not say %q", err, tt.want)
				}
				if !l1Off {
					if _, ok := c.l1.Get("k"); ok && tt.container == ContainerEnvelope {
						t.Error("bytes that are not an envelope entered the L1")
					}
				}
			}
		})
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

type frameVectors struct {
	FrameVectors    []pyFrameVector `json:"frame_vectors"`
	EncryptedReader struct {
		MasterKeyHex string `json:"master_key_hex"`
		TenantID     string `json:"tenant_id"`
		CacheKey     string `json:"cache_key"`
	} `json:"encrypted_reader"`
	EncryptedReadVectors []pyFrameVector `json:"encrypted_read_vectors"`
}

// pyFrameVector is the part of a python-frame.json frame or encrypted read row that the
// client tests read (frame rows have no outcome).
type pyFrameVector struct {
	Name     string `json:"name"`
	FrameHex string `json:"frame_hex"`
	Outcome  string `json:"outcome"`
}

func (v pyFrameVector) name() string { return v.Name }

// TestPythonFramesRefused reads every cachekit-py CK frame of python-frame.json through
// plain and envelope clients: each is a KindSerialization error naming the CK frame.
func TestPythonFramesRefused(t *testing.T) {
	var v frameVectors
	vectortest.Load(t, "python-frame.json", &v)
	ctx := context.Background()
	vectortest.Each(t, "python-frame.json", "frame_vectors through the client", v.FrameVectors, pyFrameVector.name, func(t *testing.T, fv pyFrameVector) {
		frame := vectortest.MustHex(t, fv.FrameHex)
		for _, container := range []Container{ContainerPlain, ContainerEnvelope} {
			c, fb := newFakeClient(t, Options{Container: container})
			fb.put("k", frame)
			var dst any
			found, err := c.Get(ctx, "k", &dst)
			if found || err == nil || !errors.Is(err, ErrSerialization) || !errors.Is(err, envelope.ErrPythonFrame) ||
				!strings.Contains(err.Error(), "CK frame") {
				t.Errorf("%v reader: found=%v err=%v; want a serialization error naming the CK frame", container, found, err)
			}
		}
	})
}

// TestEncryptedReadVectorsFailClosed stores each encrypted_read_vectors frame where a
// Secure client configured as the vectors' reader looks: every read must be an error,
// never a value.
func TestEncryptedReadVectorsFailClosed(t *testing.T) {
	var v frameVectors
	vectortest.Load(t, "python-frame.json", &v)
	ctx := context.Background()
	r := v.EncryptedReader
	vectortest.Each(t, "python-frame.json", "encrypted_read_vectors through a Secure client", v.EncryptedReadVectors, pyFrameVector.name, func(t *testing.T, rv pyFrameVector) {
		if rv.Outcome != "fail_closed" {
			t.Fatalf("unexpected outcome %q", rv.Outcome)
		}
		for _, container := range []Container{ContainerEnvelope, ContainerPlain} {
			c, fb := newFakeClient(t, Options{Container: container, MasterKey: Secret(r.MasterKeyHex), Tenant: r.TenantID})
			fb.put(r.CacheKey, vectortest.MustHex(t, rv.FrameHex))
			var dst any
			found, err := newSecure(t, c).Get(ctx, r.CacheKey, &dst)
			if found || err == nil || dst != nil {
				t.Errorf("%v reader: found=%v value=%v err=%v; want an error and no value", container, found, dst, err)
			}
		}
	})
}

func TestDecodeErrorNamesNoValue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := newFakeClient(t, Options{})
	_ = c.Set(ctx, "k", map[string]string{"password": "hunter2"})
	_, _, err := Get[[]int](ctx, c, "k")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("err = %v", err)
	}
	if !errors.Is(err, ErrSerialization) {
		t.Errorf("err = %v, want ErrSerialization", err)
	}
}
