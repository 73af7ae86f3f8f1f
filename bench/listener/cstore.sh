#!/usr/bin/env bash
# cstore.sh - C-STORE throughput of mdm2node beside DCMTK storescp and Orthanc.
#
# Starts `mdm2node serve` (durable: fsync of file and folder and a bbolt
# commit before every Success) on a free loopback port and runs the shared
# harness ../shared/bench/cstore-peers.sh with the node as an extra target.
# Every argument goes to the harness; for example:
#
#   bench/listener/cstore.sh -n 1000 --reps 3 --concurrency "1 4" --no-query
#
# The harness prints one line per target and concurrency; for mdm2node,
# peer_rss_mb is the node's peak resident memory since it started.
# HARNESS overrides the harness path.
set -euo pipefail
source "$(dirname "$0")/common.sh"
harness=${HARNESS:-$ROOT/../shared/bench/cstore-peers.sh}
[[ -r $harness ]] || { bench_log "harness $harness not found"; exit 1; }

start_node 32
bash "$harness" --target "mdm2node=127.0.0.1:$NODE_PORT:MDM2NODE" --target-pid "mdm2node=$NODE_PID" "$@"
bench_log "mdm2node peak RSS over the whole run: $(node_peak_rss_kb) kB"
