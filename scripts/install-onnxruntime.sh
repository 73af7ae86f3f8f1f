#!/usr/bin/env bash
# Installs the ONNX Runtime shared library (Linux x64) that pipeline/deep loads
# through github.com/yalue/onnxruntime_go v1.38.0, whose C API level (ORT API
# version 31) ONNX Runtime 1.31.1 provides.
#
# The library comes from the npm package onnxruntime-node, fetched with
# `npm pack` from the registry. `npm install` is not used because the
# package's postinstall script downloads from outside the registry.
#
# The script does nothing when the library is present with the pinned
# SHA-256. It writes only into third_party/onnxruntime/ (git-ignored).
set -euo pipefail

ORT_VERSION=1.31.1
# SHA-256 of package/bin/napi-v6/linux/x64/libonnxruntime.so.1 in
# onnxruntime-node-1.31.1.tgz from registry.npmjs.org.
ORT_SHA256=f19a4da48c4c65e0cdccff82354482f657fa91a3455b66174195b94ca55b0e6f

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dest_dir="$root/third_party/onnxruntime"
dest="$dest_dir/libonnxruntime.so.1"

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

if [[ -f "$dest" && "$(sha256_of "$dest")" == "$ORT_SHA256" ]]; then
	echo "onnxruntime $ORT_VERSION already installed: $dest"
	exit 0
fi

case "$(uname -s)/$(uname -m)" in
Linux/x86_64) ;;
*)
	echo "install-onnxruntime.sh: only Linux x86_64 is supported, not $(uname -s)/$(uname -m);" >&2
	echo "install ONNX Runtime $ORT_VERSION yourself and set deep.onnxruntime_library" >&2
	exit 1
	;;
esac

if ! command -v npm >/dev/null 2>&1; then
	echo "install-onnxruntime.sh: npm not found; install Node.js and npm (Debian: apt-get install npm)" >&2
	exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "fetching onnxruntime-node@$ORT_VERSION with npm pack"
(cd "$work" && npm pack --silent "onnxruntime-node@$ORT_VERSION" >/dev/null)
tar -xzf "$work/onnxruntime-node-$ORT_VERSION.tgz" -C "$work" \
	package/bin/napi-v6/linux/x64/libonnxruntime.so.1
got="$(sha256_of "$work/package/bin/napi-v6/linux/x64/libonnxruntime.so.1")"
if [[ "$got" != "$ORT_SHA256" ]]; then
	echo "install-onnxruntime.sh: SHA-256 mismatch for libonnxruntime.so.1: got $got, want $ORT_SHA256" >&2
	exit 1
fi

mkdir -p "$dest_dir"
install -m 0644 "$work/package/bin/napi-v6/linux/x64/libonnxruntime.so.1" "$dest.tmp"
mv -f "$dest.tmp" "$dest"
echo "installed onnxruntime $ORT_VERSION: $dest"
