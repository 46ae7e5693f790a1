package testserver

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// clusterSlots is the number of hash slots in a Redis Cluster.
const clusterSlots = 16384

// RedisCluster is a Redis Cluster of masters without replicas started by
// StartRedisCluster.
type RedisCluster struct {
	// Nodes are the masters; node i serves an equal share of the slots, in order.
	Nodes []*Redis
}

// Addrs returns every node's address, as a cluster client's seed list.
func (c *RedisCluster) Addrs() []string {
	out := make([]string, len(c.Nodes))
	for i, n := range c.Nodes {
		out[i] = n.Addr
	}
	return out
}

// StartRedisCluster starts masters redis-server processes (at least 1) with
// cluster-enabled, assigns each an equal range of slots, joins them and waits until every
// node reports cluster_state:ok and knows every master. Each node's cluster bus port
// (port+10000) is checked free as well.
func StartRedisCluster(t testing.TB, masters int) *RedisCluster {
	t.Helper()
	if masters < 1 {
		t.Fatalf("testserver: a cluster needs at least one master, got %d", masters)
	}
	busFree := func(port int) bool { return port+10000 <= 65535 && PortBindable(port+10000) }
	c := &RedisCluster{}
	for i := range masters {
		opts := RedisOptions{ExtraArgs: []string{
			"--cluster-enabled", "yes",
			"--cluster-config-file", "nodes.conf",
			"--cluster-node-timeout", "3000",
			"--cluster-require-full-coverage", "yes",
		}}
		p := Start(t, redisSpec("redis-cluster-"+strconv.Itoa(i), opts, busFree))
		c.Nodes = append(c.Nodes, &Redis{Process: p})
	}
	ctx, cancel := context.WithTimeout(context.Background(), ReadyTimeout)
	defer cancel()
	if err := c.form(ctx); err != nil {
		t.Fatalf("testserver: forming the cluster: %v", err)
	}
	if err := c.WaitOK(ctx); err != nil {
		t.Fatalf("testserver: %v", err)
	}
	return c
}

// form assigns slot ranges and makes every node meet the first one.
func (c *RedisCluster) form(ctx context.Context) error {
	n := len(c.Nodes)
	for i, node := range c.Nodes {
		lo := i * clusterSlots / n
		hi := (i+1)*clusterSlots/n - 1
		// Distinct config epochs avoid the slow epoch-collision resolution.
		if _, err := RedisDo(ctx, node.Addr, "", "CLUSTER", "SET-CONFIG-EPOCH", strconv.Itoa(i+1)); err != nil {
			return err
		}
		if _, err := RedisDo(ctx, node.Addr, "", "CLUSTER", "ADDSLOTSRANGE", strconv.Itoa(lo), strconv.Itoa(hi)); err != nil {
			return err
		}
	}
	for _, node := range c.Nodes[1:] {
		if _, err := RedisDo(ctx, c.Nodes[0].Addr, "", "CLUSTER", "MEET", "127.0.0.1", strconv.Itoa(node.Port)); err != nil {
			return err
		}
	}
	return nil
}

// WaitOK polls every node until it reports cluster_state:ok and lists all masters in
// CLUSTER SLOTS, or ctx ends.
func (c *RedisCluster) WaitOK(ctx context.Context) error {
	for _, node := range c.Nodes {
		for {
			err := c.nodeOK(ctx, node)
			if err == nil {
				break
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("cluster node %s not ready: %w", node.Addr, err)
			case <-time.After(25 * time.Millisecond):
			}
		}
	}
	return nil
}

func (c *RedisCluster) nodeOK(ctx context.Context, node *Redis) error {
	info, err := RedisDo(ctx, node.Addr, "", "CLUSTER", "INFO")
	if err != nil {
		return err
	}
	s, _ := info.(string)
	if !strings.Contains(s, "cluster_state:ok") {
		return fmt.Errorf("cluster_state is not ok")
	}
	slots, err := RedisDo(ctx, node.Addr, "", "CLUSTER", "SLOTS")
	if err != nil {
		return err
	}
	if ranges, _ := slots.([]any); len(ranges) != len(c.Nodes) {
		return fmt.Errorf("node knows %d slot ranges, want %d", len(ranges), len(c.Nodes))
	}
	return nil
}
