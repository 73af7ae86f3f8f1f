#!/usr/bin/env bash
# Runs a command (the test suite) in a network namespace of its own that has
# only the loopback interface, so that the servers the tests start (the node,
# DCMTK storescp, Orthanc) are reachable from this machine's loopback only,
# even the ones that cannot bind to 127.0.0.1 alone, and no test can send
# traffic to another host. It needs root (or unprivileged user namespaces);
# where a namespace cannot be made it says so and runs the command as is.
set -euo pipefail

if [ "$#" -eq 0 ]; then
	echo "usage: $0 COMMAND [ARG...]" >&2
	exit 2
fi
if command -v unshare >/dev/null && command -v ip >/dev/null && unshare --net true 2>/dev/null; then
	echo "test-isolated: running in a loopback-only network namespace"
	exec unshare --net sh -c 'ip link set lo up && exec "$@"' sh "$@"
fi
echo "test-isolated: cannot create a network namespace here; running without one" >&2
exec "$@"
