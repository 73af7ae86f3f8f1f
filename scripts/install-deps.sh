#!/usr/bin/env bash
# Installs the Debian packages the tests use as independent peers and
# references: DCMTK, Orthanc, dicom3tools, and Debian's Python with
# scikit-learn, PyWavelets and pydicom. Does nothing when all are present.
set -euo pipefail

packages=(dcmtk orthanc dicom3tools python3-sklearn python3-pywt python3-pydicom python3-numpy iproute2)
# npm fetches the ONNX Runtime library (install-onnxruntime.sh); many machines
# have Node.js and npm from elsewhere already, so Debian's is only a fallback.
if ! command -v npm >/dev/null 2>&1; then
	packages+=(npm)
fi
missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing+=("$p")
	fi
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all Debian packages present"
	exit 0
fi
echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
