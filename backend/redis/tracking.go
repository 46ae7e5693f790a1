package redis

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"

	"github.com/cachekit-io/cachekit-go/backend"
	"github.com/redis/rueidis"
)

// clusterSlotCount is the number of hash slots of a Redis Cluster.
const clusterSlotCount = 16384

// trackingConn is one dedicated connection with BCAST client tracking on.
type trackingConn struct {
	dc     rueidis.DedicatedClient
	broken <-chan error // closed when the connection will push no more messages
}

// startTracking opens the tracking connections and starts the loop that keeps them up.
func (s *subscription) startTracking(ctx context.Context) error {
	conns, slots, err := s.connectTracking(ctx)
	if err != nil {
		return err
	}
	s.install(conns, slots)
	go s.runTracking()
	return nil
}

// connectTracking opens one dedicated connection per node (a single one outside Cluster)
// and turns on CLIENT TRACKING ON BCAST PREFIX <prefix> NOLOOP on each.
func (s *subscription) connectTracking(ctx context.Context) (map[string]*trackingConn, []string, error) {
	client := s.b.client
	nodes := map[string]rueidis.Client{"": client}
	var slots []string
	if client.Mode() == rueidis.ClientModeCluster {
		var err error
		if slots, err = clusterSlotOwners(ctx, client); err != nil {
			return nil, nil, err
		}
		nodes = client.Nodes()
	}
	args := []string{"ON", "BCAST"}
	if s.prefix != "" {
		args = append(args, "PREFIX", s.prefix)
	}
	args = append(args, "NOLOOP")
	conns := make(map[string]*trackingConn, len(nodes))
	for addr, node := range nodes {
		dc, _ := node.Dedicate()
		tc := &trackingConn{dc: dc, broken: dc.SetOnInvalidations(s.onPush)}
		conns[addr] = tc
		res := dc.DoMulti(ctx,
			dc.B().Arbitrary("CLIENT", "TRACKING").Args(args...).Build(),
			dc.B().ClientInfo().Build())
		err := res[0].Error()
		if err == nil {
			err = requireRESP3(res[1])
		}
		if err != nil {
			closeTracking(conns)
			if _, ok := rueidis.IsRedisErr(err); ok {
				err = fmt.Errorf("%w: %w", errTrackingUnsupported, err)
			}
			return nil, nil, err
		}
	}
	return conns, slots, nil
}

// requireRESP3 checks CLIENT INFO's resp= field: a RESP2 connection accepts CLIENT
// TRACKING without REDIRECT but never receives the messages.
func requireRESP3(info rueidis.RedisResult) error {
	s, err := info.ToString()
	if err != nil {
		// CLIENT INFO needs Redis 6.2; a 6.0 server that accepted tracking speaks RESP3
		// with rueidis, which always tries HELLO 3 first.
		return nil
	}
	if strings.Contains(s, " resp=2") {
		return errTrackingUnsupported
	}
	return nil
}

// clusterSlotOwners reads CLUSTER SLOTS into a slot -> master address table.
func clusterSlotOwners(ctx context.Context, client rueidis.Client) ([]string, error) {
	ranges, err := client.Do(ctx, client.B().ClusterSlots().Build()).ToArray()
	if err != nil {
		return nil, err
	}
	owners := make([]string, clusterSlotCount)
	for _, r := range ranges {
		f, err := r.ToArray()
		if err != nil || len(f) < 3 {
			continue
		}
		lo, err1 := f[0].AsInt64()
		hi, err2 := f[1].AsInt64()
		node, err3 := f[2].ToArray()
		if err1 != nil || err2 != nil || err3 != nil || len(node) < 2 || lo < 0 || hi >= clusterSlotCount {
			continue
		}
		host, _ := node[0].ToString()
		port, _ := node[1].AsInt64()
		addr := net.JoinHostPort(host, strconv.FormatInt(port, 10))
		for slot := lo; slot <= hi; slot++ {
			owners[slot] = addr
		}
	}
	return owners, nil
}

// onPush receives the invalidate push messages of a tracking connection. A nil list is
// the server's (or rueidis', when the connection closes) "everything changed". rueidis
// may call it for a closing connection after runTracking has reported the outage, even
// after the reconnection: flushAll keeps such a flush from ending an outage, and an
// extra flush after the reconnection costs only the subscriber's cache contents.
func (s *subscription) onPush(keys []rueidis.RedisMessage) {
	if keys == nil {
		s.flushAll()
		return
	}
	for _, m := range keys {
		key, err := m.ToString()
		if err != nil || !strings.HasPrefix(key, s.prefix) {
			continue
		}
		s.deliver(backend.Invalidation{Key: key})
	}
}

// install publishes a fresh connection set for writers.
func (s *subscription) install(conns map[string]*trackingConn, slots []string) {
	s.connMu.Lock()
	s.conns, s.slotOwner = conns, slots
	s.connMu.Unlock()
}

// connFor returns the tracking connection on the node that owns cmd's key, or nil when
// disconnected or unknown.
func (s *subscription) connFor(cmd *rueidis.Completed) rueidis.DedicatedClient {
	s.connMu.RLock()
	defer s.connMu.RUnlock()
	if s.conns == nil {
		return nil
	}
	addr := ""
	if s.slotOwner != nil {
		slot := int(cmd.Slot())
		if slot >= len(s.slotOwner) {
			return nil
		}
		addr = s.slotOwner[slot]
	}
	if tc := s.conns[addr]; tc != nil {
		return tc.dc
	}
	return nil
}

// requestRefresh asks the tracking loop to reconnect with a fresh slot table.
func (s *subscription) requestRefresh() {
	select {
	case s.refresh <- struct{}{}:
	default:
	}
}

// runTracking keeps the tracking connections up until the subscription stops. When one
// breaks (or the topology changed), all are closed and the subscriber gets a flush-all
// marked Disconnected; once new connections track the prefix again, a plain flush-all
// tells it that notifications flow again (and covers what changed in between). Both are
// sent from this goroutine, in that order.
func (s *subscription) runTracking() {
	defer close(s.done)
	for {
		s.connMu.RLock()
		conns := s.conns
		s.connMu.RUnlock()
		if !s.waitBroken(conns) {
			s.install(nil, nil)
			closeTracking(conns)
			return
		}
		s.install(nil, nil)
		closeTracking(conns)
		s.disconnect()
		for delay := minResubscribeDelay; ; delay = nextDelay(delay) {
			if !s.sleep(delay) {
				return
			}
			ctx, cancel := context.WithTimeout(s.ctx, s.b.opts.DialTimeout+s.b.opts.ReadTimeout)
			fresh, slots, err := s.connectTracking(ctx)
			cancel()
			if err == nil {
				s.install(fresh, slots)
				s.reconnected()
				break
			}
		}
	}
}

// waitBroken blocks until a connection breaks or a refresh is asked (true), or the
// subscription stops (false).
func (s *subscription) waitBroken(conns map[string]*trackingConn) bool {
	broken := make(chan struct{}, 1)
	waitCtx, cancel := context.WithCancel(s.ctx)
	var wg sync.WaitGroup
	for _, tc := range conns {
		wg.Go(func() {
			select {
			case <-tc.broken:
				select {
				case broken <- struct{}{}:
				default:
				}
			case <-waitCtx.Done():
			}
		})
	}
	defer func() {
		cancel()
		wg.Wait()
	}()
	select {
	case <-s.ctx.Done():
		return false
	case <-broken:
		return true
	case <-s.refresh:
		return true
	}
}

// closeTracking closes the dedicated connections; closing drops the tracking state on
// the server with the connection.
func closeTracking(conns map[string]*trackingConn) {
	for _, tc := range conns {
		tc.dc.Close()
	}
}
