package testserver

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// SentinelMasterName is the master set name StartRedisSentinel monitors.
const SentinelMasterName = "cachekit-master"

// RedisSentinel is a master redis-server and one Sentinel monitoring it, started by
// StartRedisSentinel.
type RedisSentinel struct {
	// Master is the monitored redis-server.
	Master *Redis
	// Sentinel is the sentinel process; its Addr is what a Sentinel client dials.
	Sentinel *Process
	// MasterName is the monitored master set name, SentinelMasterName.
	MasterName string
}

// StartRedisSentinel starts a master and one sentinel (quorum 1) that monitors it, and
// waits until the sentinel answers SENTINEL GET-MASTER-ADDR-BY-NAME with the master.
func StartRedisSentinel(t testing.TB) *RedisSentinel {
	t.Helper()
	master := StartRedis(t, RedisOptions{})
	masterPort := strconv.Itoa(master.Port)
	spec := Spec{
		Name:    "redis-sentinel",
		Program: "redis-server",
		Args: func(port int, dir string) []string {
			conf := filepath.Join(dir, "sentinel-"+strconv.Itoa(port)+".conf")
			body := fmt.Sprintf("port %d\nbind 127.0.0.1\nprotected-mode no\ndir %s\n"+
				"sentinel monitor %s 127.0.0.1 %s 1\n"+
				"sentinel down-after-milliseconds %s 5000\n",
				port, dir, SentinelMasterName, masterPort, SentinelMasterName)
			// Sentinel rewrites its configuration file, so it must be writable.
			_ = os.WriteFile(conf, []byte(body), 0o600)
			return []string{conf, "--sentinel"}
		},
		Ready: func(ctx context.Context, addr string) error {
			v, err := RedisDo(ctx, addr, "", "SENTINEL", "GET-MASTER-ADDR-BY-NAME", SentinelMasterName)
			if err != nil {
				return err
			}
			if a, _ := v.([]any); len(a) != 2 || a[1] != masterPort {
				return fmt.Errorf("sentinel reports master %v", v)
			}
			return nil
		},
	}
	s := Start(t, spec)
	return &RedisSentinel{Master: master, Sentinel: s, MasterName: SentinelMasterName}
}
