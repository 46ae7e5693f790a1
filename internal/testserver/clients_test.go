package testserver

import (
	"strconv"
	"testing"
)

func TestParseClientList(t *testing.T) {
	t.Parallel()
	list := "id=3 addr=127.0.0.1:50000 laddr=127.0.0.1:6380 fd=8 name= flags=t sub=0 cmd=client|tracking resp=3\n" +
		"id=7 addr=127.0.0.1:50002 laddr=127.0.0.1:6380 fd=9 name= flags=N sub=1 cmd=subscribe resp=3\n"
	got := parseClientList(list)
	if len(got) != 2 {
		t.Fatalf("parsed %d connections, want 2: %v", len(got), got)
	}
	for i, want := range []map[string]string{
		{"id": "3", "flags": "t", "sub": "0", "name": "", "cmd": "client|tracking"},
		{"id": "7", "flags": "N", "sub": "1", "resp": "3"},
	} {
		for k, v := range want {
			if got[i][k] != v {
				t.Errorf("connection %d: %s = %q, want %q", i, k, got[i][k], v)
			}
		}
	}
}

func TestClientsListsConnections(t *testing.T) {
	r := StartRedis(t, RedisOptions{})
	clients, err := r.Clients()
	if err != nil {
		t.Fatal(err)
	}
	// The asking connection itself is listed, with a numeric id.
	if len(clients) == 0 {
		t.Fatal("CLIENT LIST named no connection, not even the asking one")
	}
	if _, err := strconv.ParseUint(clients[0]["id"], 10, 64); err != nil {
		t.Errorf("connection without a numeric id: %v", clients[0])
	}
}
