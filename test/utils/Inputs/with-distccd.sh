#!/usr/bin/env bash
# with-distccd.sh LOGDIR COMMAND...: runs COMMAND with a distccd of its own:
# listening on 127.0.0.1 only, on a free port, serving 127.0.0.1 only and
# only allocsel's wrappers (DISTCC_CMDLIST). DISTCC_HOSTS points at it and
# the client has the docs' settings: it never falls back to compiling
# locally, so every compile COMMAND runs through distcc runs on the server. The server is stopped when COMMAND
# ends, however it ends, and its log is copied to LOGDIR/distccd.log.
#
# Run by root, distccd drops to its own user (distccd), which may not be able
# to read a build tree under /root: the server and COMMAND use a copy of the
# installation (the allocsel-clang++ found on PATH, with its allocsel-config,
# allocsel-link, plugins, runtime and headers) in a world-readable temporary
# directory, first on PATH.
set -u
logdir=$1
shift
mkdir -p "$logdir"

work=$(mktemp -d /tmp/allocsel-distcc.XXXXXX)
chmod 755 "$work"
server=
cleanup() {
  [[ -n $server ]] && { kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; }
  cp "$work/distccd.log" "$logdir/distccd.log" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

wrapper=$(readlink -f "$(command -v allocsel-clang++)")
bin=$(dirname "$wrapper")
prefix=$(dirname "$bin")
mkdir -p "$work/p/bin" "$work/p/lib"
cp "$wrapper" "$work/p/bin/allocsel-clang++"
cp "$bin/allocsel-config" "$bin/allocsel-link" "$work/p/bin/"
cp -P "$prefix"/lib/allocsel*.so "$prefix"/lib/*.a "$work/p/lib/"
cp -r "$prefix/include" "$work/p/include"
echo "$work/p/bin/allocsel-clang++" > "$work/cmdlist"
mkdir -p "$work/tmp" "$work/client"
chmod 1777 "$work/tmp"
touch "$work/distccd.log"
chmod 666 "$work/distccd.log"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# Its own session: distccd signals its process group when it stops.
TMPDIR=$work/tmp DISTCC_CMDLIST=$work/cmdlist setsid distccd --no-detach --daemon \
  --listen 127.0.0.1 --port "$port" --allow 127.0.0.1 --jobs 2 \
  --log-file "$work/distccd.log" --log-level info &
server=$!

# Wait until it accepts connections (at most 10 s).
for _ in $(seq 100); do
  python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 0.2)' "$port" \
    2>/dev/null && break
  kill -0 "$server" 2>/dev/null || { echo "distccd did not start:" >&2; cat "$work/distccd.log" >&2; exit 1; }
  sleep 0.1
done

# The client's settings are the recipe's (docs/distributed-builds.md, the
# line `export DISTCC_FALLBACK=...`), so that the tests run what the docs
# recommend.
docs=$(dirname -- "$0")/../../../docs/distributed-builds.md
recipe=$(sed -n 's/^export \(DISTCC_FALLBACK=[^#]*\)$/\1/p' "$docs")
if ! [[ $recipe =~ ^DISTCC_[A-Z_]+=[0-9]+(\ +DISTCC_[A-Z_]+=[0-9]+)*\ *$ ]]; then
  echo "with-distccd.sh: no 'export DISTCC_FALLBACK=...' line in $docs" >&2
  exit 1
fi
export PATH="$work/p/bin:$PATH"
export DISTCC_HOSTS="127.0.0.1:$port/2" DISTCC_DIR=$work/client $recipe
"$@"
