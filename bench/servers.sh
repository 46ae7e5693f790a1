# servers.sh — sourced by run.sh and redis-ceiling.sh: start redis-server and memcached on
# free loopback ports (never 6379 or 11211), each in its own temporary directory, and stop
# them again. Same flags as the Go starter in servers_test.go.

# started_pids and started_dirs are what stop_servers cleans up.
started_pids=()
started_dirs=()

# free_port prints a loopback port nothing is listening on now.
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 40000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return
		fi
	done
}

# wait_ready PID ADDR REQUEST PREFIX: poll ADDR until it answers REQUEST with PREFIX,
# failing if the process exits first or 10 s pass.
wait_ready() {
	local pid=$1 host=${2%:*} port=${2##*:} request=$3 prefix=$4 line
	for _ in $(seq 200); do
		kill -0 "$pid" 2>/dev/null || return 1
		if { exec 3<>"/dev/tcp/$host/$port"; } 2>/dev/null; then
			printf '%b' "$request" >&3
			IFS= read -r -t 1 line <&3 || true
			exec 3<&- 3>&-
			[[ $line == "$prefix"* ]] && return 0
		fi
		sleep 0.05
	done
	return 1
}

# start_server NAME REQUEST PREFIX ARGS... (ARGS may use @PORT@ and @DIR@): start NAME on
# a free port, retrying on another one if it cannot bind; sets server_addr.
start_server() {
	local name=$1 request=$2 prefix=$3
	shift 3
	command -v "$name" >/dev/null || { echo "$name is not installed (apt-get install redis-server memcached)" >&2; return 1; }
	for _ in 1 2 3 4 5; do
		local port dir args=() a pid
		port=$(free_port)
		dir=$(mktemp -d "${TMPDIR:-/tmp}/cachekit-bench-$name-XXXXXX")
		for a in "$@"; do a=${a//@PORT@/$port}; args+=("${a//@DIR@/$dir}"); done
		(cd "$dir" && exec "$name" "${args[@]}") >"$dir/log" 2>&1 &
		pid=$!
		started_pids+=("$pid")
		started_dirs+=("$dir")
		if wait_ready "$pid" "127.0.0.1:$port" "$request" "$prefix"; then
			server_addr="127.0.0.1:$port"
			return 0
		fi
		kill -9 "$pid" 2>/dev/null || true
	done
	echo "$name did not start" >&2
	return 1
}

start_redis() {
	start_server redis-server 'PING\r\n' '+PONG' \
		--port @PORT@ --bind 127.0.0.1 --dir @DIR@ --save '' --appendonly no
}

start_memcached() {
	local user=()
	[[ $(id -u) == 0 ]] && user=(-u root) # memcached refuses to run as root otherwise
	start_server memcached 'version\r\n' 'VERSION ' -l 127.0.0.1 -p @PORT@ -U 0 -m 256 "${user[@]}"
}

# stop_servers kills every server started here, by its own pid, and removes its directory.
stop_servers() {
	local pid dir
	for pid in "${started_pids[@]}"; do
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	for dir in "${started_dirs[@]}"; do rm -rf "$dir"; done
	started_pids=()
	started_dirs=()
}
