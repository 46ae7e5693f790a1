package testserver

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestStartRedisKillRestart(t *testing.T) {
	r := StartRedis(t, RedisOptions{})
	if r.Port == 6379 || !strings.HasPrefix(r.Addr, "127.0.0.1:") {
		t.Fatalf("unexpected address %q", r.Addr)
	}
	if _, err := r.Do("SET", "k", "v"); err != nil {
		t.Fatal(err)
	}
	if v, err := r.Do("GET", "k"); err != nil || v != "v" {
		t.Fatalf("GET = %v, %v; want v", v, err)
	}
	r.Kill()
	if r.Running() {
		t.Fatal("Running after Kill")
	}
	if _, err := r.Do("PING"); err == nil {
		t.Fatal("PING succeeded after Kill")
	}
	port := r.Port
	r.Restart()
	if r.Port != port {
		t.Fatalf("Restart moved the port from %d to %d", port, r.Port)
	}
	if v, err := r.Do("PING"); err != nil || v != "PONG" {
		t.Fatalf("PING after Restart = %v, %v", v, err)
	}
}

func TestStartRedisPassword(t *testing.T) {
	r := StartRedis(t, RedisOptions{Password: "s3cret-pass"})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := RedisDo(ctx, r.Addr, "", "GET", "k")
	var se ServerError
	if !errors.As(err, &se) || !strings.HasPrefix(string(se), "NOAUTH") {
		t.Fatalf("GET without password: %v, want NOAUTH", err)
	}
	if _, err := r.Do("GET", "k"); err != nil {
		t.Fatalf("GET with password: %v", err)
	}
}

func TestStartRedisCluster(t *testing.T) {
	c := StartRedisCluster(t, 3)
	if len(c.Addrs()) != 3 {
		t.Fatalf("Addrs = %v", c.Addrs())
	}
	for _, n := range c.Nodes {
		v, err := n.Do("CLUSTER", "INFO")
		if err != nil || !strings.Contains(v.(string), "cluster_known_nodes:3") {
			t.Fatalf("node %s: CLUSTER INFO = %v, %v", n.Addr, v, err)
		}
	}
}

func TestStartRedisSentinel(t *testing.T) {
	s := StartRedisSentinel(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	v, err := RedisDo(ctx, s.Sentinel.Addr, "", "SENTINEL", "GET-MASTER-ADDR-BY-NAME", s.MasterName)
	if err != nil {
		t.Fatal(err)
	}
	if a := v.([]any); a[0] != "127.0.0.1" || a[1] != s.Master.Addr[len("127.0.0.1:"):] {
		t.Fatalf("sentinel master = %v, want %s", v, s.Master.Addr)
	}
}

func TestFreePortHonoursCheck(t *testing.T) {
	for range 5 {
		p, err := FreePort(func(port int) bool { return port%5 != 0 })
		if err != nil {
			t.Fatal(err)
		}
		if p%5 == 0 || p == 6379 {
			t.Fatalf("FreePort returned %d", p)
		}
	}
}

func TestStartRedisTLS(t *testing.T) {
	r := StartRedis(t, RedisOptions{TLS: NewTLSFiles(t, "")})
	if v, err := r.Do("PING"); err != nil || v != "PONG" {
		t.Fatalf("PING over TLS = %v, %v", v, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if _, err := RedisDo(ctx, r.Addr, "", "PING"); err == nil {
		t.Fatal("plain-text PING succeeded against a TLS-only server")
	}
}
