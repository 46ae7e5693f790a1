package memcached

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
)

// TestMurmur3Sum32 checks the hash against values computed with pymemcache's own
// murmur3_32 (seed 0), which also match the published MurmurHash3_x86_32 results for
// "hello" and the quick brown fox.
func TestMurmur3Sum32(t *testing.T) {
	tests := []struct {
		in   string
		want uint32
	}{
		{"", 0x0},
		{"a", 0x3c2569b2},
		{"ab", 0x9bbfd75f},
		{"abc", 0xb3dd93fa},
		{"abcd", 0x43ed676a},
		{"hello", 0x248bfa47},
		{"Hello, world!", 0xc0363e43},
		{"The quick brown fox jumps over the lazy dog", 0x2e4ff723},
		{"10.0.0.1:11211-myapp:user:42", 0xf0a41b49},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q", tt.in), func(t *testing.T) {
			if got := murmur3Sum32([]byte(tt.in)); got != tt.want {
				t.Fatalf("murmur3Sum32(%q) = %#x, want %#x", tt.in, got, tt.want)
			}
		})
	}
}

func mustRendezvous(t testing.TB, addrs ...string) *rendezvous {
	t.Helper()
	servers, err := Options{Servers: addrs}.validate()
	if err != nil {
		t.Fatal(err)
	}
	return newRendezvous(servers)
}

// TestRendezvousMatchesPymemcache checks server choices against pymemcache's HashClient
// (RendezvousHash over "host:port" node names), computed with its Python code, so that
// cachekit-py and cachekit-go clients of one pool agree on every key's server.
func TestRendezvousMatchesPymemcache(t *testing.T) {
	r := mustRendezvous(t, "10.0.0.1:11211", "10.0.0.2:11211", "10.0.0.3:11211")
	tests := []struct {
		key  string
		want string
	}{
		{"myapp:greeting", "10.0.0.1:11211"},
		{"myapp:user:42", "10.0.0.1:11211"},
		{"a", "10.0.0.3:11211"},
		{"ns:op:0123456789abcdef", "10.0.0.2:11211"},
		{"cachekit:lock", "10.0.0.2:11211"},
		{strings.Repeat("x", 250), "10.0.0.2:11211"},
	}
	for _, tt := range tests {
		t.Run(tt.key[:min(len(tt.key), 40)], func(t *testing.T) {
			addr, err := r.PickServer(tt.key)
			if err != nil {
				t.Fatal(err)
			}
			if addr.String() != tt.want {
				t.Fatalf("PickServer(%q) = %s, want %s", tt.key, addr, tt.want)
			}
		})
	}
}

// TestRendezvousServerOrderIrrelevant: the owner of a key does not depend on the order
// servers are listed in, so clients configured in a different order agree.
func TestRendezvousServerOrderIrrelevant(t *testing.T) {
	a := mustRendezvous(t, "h1:1", "h2:2", "h3:3", "h4:4")
	b := mustRendezvous(t, "h4:4", "h2:2", "h1:1", "h3:3")
	for i := range 5000 {
		key := fmt.Sprintf("k%d", i)
		x, _ := a.PickServer(key)
		y, _ := b.PickServer(key)
		if x.String() != y.String() {
			t.Fatalf("key %q: %s with one order, %s with another", key, x, y)
		}
	}
}

func owners(r *rendezvous, n int) []string {
	out := make([]string, n)
	for i := range out {
		addr, _ := r.PickServer(fmt.Sprintf("myapp:item:%d", i))
		out[i] = addr.String()
	}
	return out
}

// TestRendezvousDistribution: keys spread evenly. With 30000 keys the share of each of
// three servers has a standard deviation of about 0.3 points; the bound is 2 points.
func TestRendezvousDistribution(t *testing.T) {
	const keys = 30000
	for _, n := range []int{2, 3, 5} {
		t.Run(fmt.Sprintf("servers=%d", n), func(t *testing.T) {
			addrs := make([]string, n)
			for i := range addrs {
				addrs[i] = fmt.Sprintf("10.1.0.%d:11211", i+1)
			}
			counts := map[string]int{}
			for _, o := range owners(mustRendezvous(t, addrs...), keys) {
				counts[o]++
			}
			for _, a := range addrs {
				share := float64(counts[a]) / keys
				if d := share - 1/float64(n); d > 0.02 || d < -0.02 {
					t.Errorf("server %s owns %.3f of the keys, want %.3f +- 0.02", a, share, 1/float64(n))
				}
			}
		})
	}
}

// TestRendezvousAddServerMovesFewKeys: adding a fourth server moves about a quarter of
// the keys, all of them to the new server; none moves between the old ones.
func TestRendezvousAddServerMovesFewKeys(t *testing.T) {
	const keys = 20000
	before := owners(mustRendezvous(t, "10.0.0.1:11211", "10.0.0.2:11211", "10.0.0.3:11211"), keys)
	after := owners(mustRendezvous(t, "10.0.0.1:11211", "10.0.0.2:11211", "10.0.0.3:11211", "10.0.0.4:11211"), keys)
	moved := 0
	for i := range before {
		if before[i] == after[i] {
			continue
		}
		moved++
		if after[i] != "10.0.0.4:11211" {
			t.Fatalf("key %d moved from %s to %s, an old server", i, before[i], after[i])
		}
	}
	if frac := float64(moved) / keys; frac < 0.22 || frac > 0.28 {
		t.Fatalf("adding 1 server to 3 moved %.3f of the keys, want about 0.25", frac)
	}
}

// TestRendezvousRemoveServerMovesOnlyItsKeys: removing a server moves exactly the keys
// it owned.
func TestRendezvousRemoveServerMovesOnlyItsKeys(t *testing.T) {
	const keys = 20000
	before := owners(mustRendezvous(t, "10.0.0.1:11211", "10.0.0.2:11211", "10.0.0.3:11211", "10.0.0.4:11211"), keys)
	after := owners(mustRendezvous(t, "10.0.0.1:11211", "10.0.0.2:11211", "10.0.0.4:11211"), keys)
	for i := range before {
		if before[i] != "10.0.0.3:11211" && before[i] != after[i] {
			t.Fatalf("key %d moved from %s to %s although its server stayed", i, before[i], after[i])
		}
		if after[i] == "10.0.0.3:11211" {
			t.Fatalf("key %d still maps to the removed server", i)
		}
	}
}

func TestRendezvousSingleServerAndEach(t *testing.T) {
	r := mustRendezvous(t, "127.0.0.1:11211")
	addr, err := r.PickServer("any")
	if err != nil || addr.String() != "127.0.0.1:11211" {
		t.Fatalf("PickServer = %v, %v", addr, err)
	}
	r = mustRendezvous(t, "b:2", "a:1", "/tmp/mc.sock")
	var seen []string
	err = r.Each(func(a net.Addr) error {
		seen = append(seen, a.Network()+" "+a.String())
		return nil
	})
	want := []string{"tcp b:2", "tcp a:1", "unix /tmp/mc.sock"}
	if err != nil || fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Fatalf("Each visited %v (%v), want %v", seen, err, want)
	}
	stop := errors.New("stop")
	calls := 0
	if err := r.Each(func(net.Addr) error { calls++; return stop }); err != stop || calls != 1 {
		t.Fatalf("Each with a failing f = %v after %d calls, want stop after 1", err, calls)
	}
}

// BenchmarkPickServer measures choosing a server for a typical key among three and among
// ten; it must not allocate.
func BenchmarkPickServer(b *testing.B) {
	for _, n := range []int{3, 10} {
		addrs := make([]string, n)
		for i := range addrs {
			addrs[i] = fmt.Sprintf("memcached-%d.internal:11211", i)
		}
		r := mustRendezvous(b, addrs...)
		key := "myapp:get_user:" + strings.Repeat("ab", 32)
		b.Run(fmt.Sprintf("servers=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_, _ = r.PickServer(key)
			}
		})
	}
}
