#!/usr/bin/env bash
# large-instance.sh - receive one very large instance and report the node's
# peak memory, which must stay far below the instance size because the data
# set streams to disk.
#
#   bench/listener/large-instance.sh [FRAMES]
#
# FRAMES frames of 512x512 16-bit pixels (default 1000: 524 MB) in one CT
# Image Storage instance, sent with storescu (Explicit VR Little Endian,
# TCP_NODELAY=1). Prints the instance size, the seconds storescu took and
# the node's peak RSS (VmHWM) before and after.
set -euo pipefail
source "$(dirname "$0")/common.sh"
frames=${1:-1000}

python3 - "$WORK/frames.raw" "$frames" << 'PY'
import sys
frame = bytes(range(256)) * (512 * 512 * 2 // 256)
with open(sys.argv[1], "wb") as f:
    for _ in range(int(sys.argv[2])):
        f.write(frame)
PY
stamp=$(date +%s%N)
cat > "$WORK/large.dump" << DUMP
(0008,0016) UI [1.2.840.10008.5.1.4.1.1.2]
(0008,0018) UI [2.25.1$stamp]
(0008,0060) CS [CT]
(0010,0010) PN [BENCH^LARGE]
(0010,0020) LO [BENCH-LARGE]
(0020,000d) UI [2.25.2$stamp]
(0020,000e) UI [2.25.3$stamp]
(0028,0002) US 1
(0028,0004) CS [MONOCHROME2]
(0028,0008) IS [$frames]
(0028,0010) US 512
(0028,0011) US 512
(0028,0100) US 16
(0028,0101) US 16
(0028,0102) US 15
(0028,0103) US 0
(7fe0,0010) OW =$WORK/frames.raw
DUMP
dump2dcm -q +te "$WORK/large.dump" "$WORK/large.dcm"
rm -f "$WORK/frames.raw"
size=$(stat -c %s "$WORK/large.dcm")

start_node 4
before=$(node_peak_rss_kb)
t0=$(date +%s.%N)
TCP_NODELAY=1 storescu -xe -aec MDM2NODE 127.0.0.1 "$NODE_PORT" "$WORK/large.dcm"
t1=$(date +%s.%N)
after=$(node_peak_rss_kb)
stored=$(find "$NODE_DATA" -name '*.dcm' -size +1M | wc -l)
awk -v s="$size" -v a="$t0" -v b="$t1" -v r0="$before" -v r1="$after" -v n="$stored" 'BEGIN {
    printf "instance_mb=%.1f seconds=%.2f mb_per_s=%.1f node_peak_rss_mb_before=%.1f node_peak_rss_mb_after=%.1f stored=%d\n",
        s / 1e6, b - a, s / 1e6 / (b - a), r0 / 1024, r1 / 1024, n }'
