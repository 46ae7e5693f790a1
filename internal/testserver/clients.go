package testserver

import (
	"fmt"
	"strings"
)

// Clients returns the server's client connections as CLIENT LIST describes them, one
// map of field to value per connection ("id", "flags", "sub", "resp", ...). Tests use it
// to find a connection to CLIENT KILL. The connection that asks is in the list too.
func (r *Redis) Clients() ([]map[string]string, error) {
	reply, err := r.Do("CLIENT", "LIST")
	if err != nil {
		return nil, err
	}
	list, ok := reply.(string)
	if !ok {
		return nil, fmt.Errorf("testserver: CLIENT LIST replied with a %T", reply)
	}
	return parseClientList(list), nil
}

// parseClientList splits CLIENT LIST output: one line per connection, space-separated
// name=value fields.
func parseClientList(list string) []map[string]string {
	var out []map[string]string
	for line := range strings.Lines(list) {
		fields := map[string]string{}
		for f := range strings.FieldsSeq(line) {
			if k, v, ok := strings.Cut(f, "="); ok {
				fields[k] = v
			}
		}
		if len(fields) > 0 {
			out = append(out, fields)
		}
	}
	return out
}
