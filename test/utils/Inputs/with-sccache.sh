#!/usr/bin/env bash
# with-sccache.sh CACHEDIR COMMAND...: runs COMMAND with an sccache server of
# its own: on 127.0.0.1 and a free port (SCCACHE_SERVER_PORT, so that the
# suites for each Clang, run side by side, and a user's server never share
# one), caching on the local disk in CACHEDIR (SCCACHE_DIR). The server is
# stopped when COMMAND ends, however it ends. The cache stays: the next run
# with the same CACHEDIR starts a new server (its statistics at zero) on the
# same objects.
set -u
cache=$1
shift
mkdir -p "$cache"

export SCCACHE_DIR=$cache
export SCCACHE_SERVER_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# Stopped when COMMAND ends; should this script be killed first, the
# server stops by itself after two idle minutes.
export SCCACHE_IDLE_TIMEOUT=120
# A user's configuration file and log level stay out.
export SCCACHE_CONF=/dev/null
unset SCCACHE_LOG RUSTC_WRAPPER

sccache --start-server > /dev/null || { echo "with-sccache.sh: sccache --start-server failed" >&2; exit 1; }
trap 'sccache --stop-server > /dev/null 2>&1' EXIT
"$@"
