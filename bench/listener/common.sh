# Shared by the listener benchmark scripts: builds mdm2node and runs
# `mdm2node serve` on a free loopback port with its own data folder.
# Sourcing scripts get: $WORK, $NODE_PORT, $NODE_PID, $NODE_DATA, and
# node_peak_rss_kb. The node is stopped and $WORK removed at exit unless
# KEEP=1.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mdm2node-bench.XXXXXX")
NODE_DATA=$WORK/data
NODE_PID=""

bench_log() { echo "bench: $*" >&2; }

cleanup_node() {
    if [[ -n $NODE_PID ]] && kill -0 "$NODE_PID" 2> /dev/null; then
        kill -TERM "$NODE_PID"
        wait "$NODE_PID" 2> /dev/null || true
    fi
    if [[ ${KEEP:-0} == 1 ]]; then bench_log "work folder kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup_node EXIT
trap 'exit 130' INT TERM

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# start_node [MAX_ASSOCIATIONS]: build, configure and start the node.
start_node() {
    (cd "$ROOT" && go build -o "$WORK/mdm2node" ./cmd/mdm2node)
    NODE_PORT=$(free_port)
    cat > "$WORK/config.yaml" << EOF2
node: {ae_title: MDM2NODE, listen: "127.0.0.1:$NODE_PORT"}
limits: {max_associations: ${1:-32}, max_instance_size: 4GiB, free_space_watermark: 1GiB}
storage: {data_dir: "$NODE_DATA", duplicate_policy: keep-first}
audit: {path: "$WORK/audit.log"}
EOF2
    "$WORK/mdm2node" serve -config "$WORK/config.yaml" 2> "$WORK/serve.log" &
    NODE_PID=$!
    local i
    for ((i = 0; i < 100; i++)); do
        if TCP_NODELAY=1 echoscu -q -aec MDM2NODE 127.0.0.1 "$NODE_PORT" 2> /dev/null; then
            bench_log "mdm2node pid $NODE_PID on 127.0.0.1:$NODE_PORT, data in $NODE_DATA"
            return 0
        fi
        sleep 0.1
    done
    cat "$WORK/serve.log" >&2
    exit 1
}

# node_peak_rss_kb: the node's peak resident memory so far (VmHWM).
node_peak_rss_kb() {
    awk '/^VmHWM:/ {print $2}' "/proc/$NODE_PID/status"
}
