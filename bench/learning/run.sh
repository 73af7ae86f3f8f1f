#!/usr/bin/env bash
# Learning benchmark: the Go nested cross-validation and the equivalent
# scikit-learn pipeline on the same synthetic cohort and the same folds, run
# back to back so that both see the same machine load. Not part of CI.
#
# usage: bench/learning/run.sh [WORKDIR] [SKLEARN_SPLITS]
#   WORKDIR         where the cohort and results go (default /tmp/mdm2node-bench-learning)
#   SKLEARN_SPLITS  outer splits scikit-learn runs (default 10 of 50; 0 runs all,
#                   about 80 s per split with 2 jobs on the benchmark machine)
set -euo pipefail
cd "$(dirname "$0")/../.."
work="${1:-/tmp/mdm2node-bench-learning}"
splits="${2:-10}"
mkdir -p "$work"

echo "== $(date -u +%FT%TZ) $(nproc) CPUs, load: $(cut -d' ' -f1-3 /proc/loadavg)"
go run ./bench/learning/gencohort -out "$work/cohort" -seed 1
go build -o "$work/nestedcv" ./bench/learning/nestedcv
"$work/nestedcv" -data "$work/cohort" -out "$work/go_nested.json" -seed 1 -workers 2
/usr/bin/python3 bench/learning/sklearn_nested.py "$work/go_nested.json" \
    --max-splits "$splits" --n-jobs 2 --out "$work/sklearn_nested.json"
echo "== $(date -u +%FT%TZ) load: $(cut -d' ' -f1-3 /proc/loadavg)"
