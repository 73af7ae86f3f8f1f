#!/usr/bin/env bash
# demo.sh runs the whole node once on synthetic data, from a fresh clone. It
# installs what is missing, builds, and trains a demonstration model on
# synthetic phantom studies. It then starts the node and a local DICOM
# receiver, pushes a new synthetic study with storescu and prints the
# Structured Report that the node sends to the receiver. Everything goes to demo-out/ (git-ignored);
# everything it starts listens on 127.0.0.1 and is stopped at the end.
#
# The model is a demonstration model trained on synthetic phantoms with a
# random-weight ResNet50 extractor. It is for trying the node, not for
# patients.
#
# Environment (all optional):
#   DEMO_OUT         output folder (default demo-out)
#   DEMO_TRAIN_N     training studies (default 40)
#   DEMO_VALID_N     held-out validation studies (default 16)
#   DEMO_SKIP_DEPS=1 skip `make deps`
#   MDM2NODE         use this binary instead of building bin/mdm2node
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

out=${DEMO_OUT:-demo-out}
train_n=${DEMO_TRAIN_N:-40}
valid_n=${DEMO_VALID_N:-16}
# Sizes keep the demo within a few minutes on two cores: CT 256 x 256 x 16,
# MR 192 x 192 x 14. The node handles the clinical sizes that
# `mdm2node synth` writes by default (CT 512 x 512).
sizes=(-ct-matrix 256 -ct-slices 16 -mr-matrix 192 -mr-slices 14)
steps=11
step=0
started=$(date +%s)

say() {
	step=$((step + 1))
	printf '\n== [%d/%d] %s (%ds)\n' "$step" "$steps" "$1" "$(($(date +%s) - started))"
}

pids=()
cleanup() {
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	for p in "${pids[@]}"; do
		wait "$p" 2>/dev/null || true
	done
}
trap cleanup EXIT INT TERM

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)

say "installing missing dependencies (make deps)"
if [ "${DEMO_SKIP_DEPS:-}" = 1 ]; then
	echo "skipped (DEMO_SKIP_DEPS=1)"
else
	make deps
fi

say "building bin/mdm2node"
if [ -n "${MDM2NODE:-}" ]; then
	bin=$MDM2NODE
	echo "using $bin"
else
	make build
	bin=$root/bin/mdm2node
fi
model=$root/var/models/resnet50-random.onnx
if [ ! -f "$model" ]; then
	"$bin" onnx resnet50 -o "$model"
fi
echo "deep feature extractor: $model (ResNet50 architecture with random weights, for testing only)"

say "writing $train_n training and $valid_n validation studies of synthetic phantoms"
"$bin" synth -out "$out/train" -n "$train_n" -seed 11 -q "${sizes[@]}"
"$bin" synth -out "$out/validation" -n "$valid_n" -seed 12 -q "${sizes[@]}"

say "computing radiomics and deep features of the training studies"
"$bin" features -cohort "$out/train" -out "$out/train/features.csv" -manifest-out "$out/train/cohort.csv"

say "training the demonstration model (nested cross-validation)"
mkdir -p "$out/model"
bundle=$out/model/demo-synthetic-phantoms.json
"$bin" train -manifest "$out/train/cohort.csv" -features "$out/train/features.csv" -out "$bundle" \
	-extractor-onnx "$model" -repeats 3 -models multimodal-radiomics,multimodal-deep,CT-radiomics,T2FS-radiomics \
	-primary multimodal-radiomics | tee "$out/model/training.txt"

say "evaluating every model on the held-out validation studies"
"$bin" features -cohort "$out/validation" -set validation -out "$out/validation/features.csv" \
	-bundle "$bundle" -predictions "$out/validation/predictions.csv" -q
"$bin" evaluate -predictions "$out/validation/predictions.csv" -out "$out/evaluation" | tee "$out/evaluation.txt"

say "starting a result receiver and the node"
node_port=$(free_port)
recv_port=$(free_port)
mkdir -p "$out/receiver" "$out/node"
# The receiver is a second mdm2node with no model: DCMTK 3.6.7 storescp
# cannot be bound to 127.0.0.1, and everything the demo starts listens on
# loopback only. dsrdump (DCMTK) reads the report it receives.
cat >"$out/receiver/config.yaml" <<YAML
# Result receiver of scripts/demo.sh: stores what it receives, scores nothing.
node:
  ae_title: RECEIVER
  listen: 127.0.0.1:$recv_port
storage:
  data_dir: $out/receiver/data
audit:
  path: $out/receiver/audit.log
YAML
"$bin" serve -config "$out/receiver/config.yaml" >"$out/receiver/serve.log" 2>&1 &
pids+=($!)
cat >"$out/node/config.yaml" <<YAML
# Demonstration configuration written by scripts/demo.sh.
node:
  ae_title: MDM2NODE
  listen: 127.0.0.1:$node_port
storage:
  data_dir: $out/node/data
audit:
  path: $out/node/audit.log
series:
  readiness:
    # Short, so that the demo does not wait: a study is evaluated 2 s
    # after its last instance.
    quiet_period: 2s
    max_wait: 10m
pipeline:
  model_bundle: $bundle
  training_data: synthetic phantom studies (a demonstration model, not for patients)
deep:
  model:
    file: $model
results:
  destinations:
    - {ae_title: RECEIVER, host: 127.0.0.1, port: $recv_port}
  default_destinations: [RECEIVER]
  retry:
    initial_backoff: 1s
    factor: 2
    max_backoff: 10s
    max_age: 1h
YAML
"$bin" serve -config "$out/node/config.yaml" >"$out/node/serve.log" 2>&1 &
node_pid=$!
pids+=($node_pid)
wait_echo() { # AE port log
	for _ in $(seq 1 100); do
		if TCP_NODELAY=1 echoscu -aec "$1" 127.0.0.1 "$2" 2>/dev/null; then
			return 0
		fi
		sleep 0.2
	done
	echo "$1 did not respond to C-ECHO on 127.0.0.1:$2; its log:" >&2
	cat "$3" >&2
	exit 1
}
wait_echo RECEIVER "$recv_port" "$out/receiver/serve.log"
wait_echo MDM2NODE "$node_port" "$out/node/serve.log"
echo "node MDM2NODE on 127.0.0.1:$node_port, receiver RECEIVER on 127.0.0.1:$recv_port"

say "pushing a new synthetic study with storescu"
"$bin" synth -out "$out/new" -n 1 -seed 9001 -q "${sizes[@]}"
study=$(ls "$out/new" | grep -v manifest.csv | head -1)
push_start=$(date +%s.%N)
TCP_NODELAY=1 storescu -aet MODALITY -aec MDM2NODE -R +sd +r 127.0.0.1 "$node_port" "$out/new/$study"
echo "pushed $(find "$out/new/$study" -type f | wc -l) instances of study $study"

say "waiting for the Structured Report at the receiver"
sr=""
for _ in $(seq 1 600); do
	sr=$(find "$out/receiver/data" -mindepth 3 -name '*.dcm' 2>/dev/null | head -1 || true)
	if [ -n "$sr" ]; then
		break
	fi
	if ! kill -0 "$node_pid" 2>/dev/null; then
		echo "the node stopped; its log:" >&2
		tail -50 "$out/node/serve.log" >&2
		exit 1
	fi
	sleep 0.2
done
if [ -z "$sr" ]; then
	echo "no report arrived within 120 s; the node's log:" >&2
	tail -50 "$out/node/serve.log" >&2
	"$bin" studies -data-dir "$out/node/data" >&2 || true
	exit 1
fi
sleep 0.5
awk -v a="$push_start" -v b="$(date +%s.%N)" 'BEGIN { printf "report received %.1f s after the push\n", b - a }'

say "the report"
dsrdump +Pl "$sr" | tee "$out/report.txt"
likelihood=$(grep -m1 '"Likelihood of MDM2 amplification"' "$out/report.txt" | sed -E 's/.*="([^"]*)".*/\1/' || true)
class=$(grep -m1 '"Predicted class"' "$out/report.txt" | sed -E 's/.*,"([^"]*)"\)>.*/\1/' || true)
truth=$(awk -F, 'NR==2 {print $5}' "$out/new/manifest.csv")

say "summary"
cat <<SUMMARY
study:                   $study (synthetic phantom; generated label: $truth)
MDM2 amplification likelihood: ${likelihood:-see the report above}
predicted class:         ${class:-see the report above}
Structured Report:       $sr
evaluation report:       $out/evaluation/report.html
model bundle:            $bundle
node log and audit log:  $out/node/serve.log, $out/node/audit.log

This is a demonstration model trained on synthetic phantom studies with a
random-weight ResNet50 extractor. Its output means nothing for a patient.
SUMMARY
echo "finished in $(($(date +%s) - started)) s; stopping the node and the receiver"
