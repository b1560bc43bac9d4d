#!/usr/bin/env bash
# with-icecream.sh LOGDIR COMMAND...: runs COMMAND with an icecream network of
# its own: a scheduler (icecc-scheduler) and two daemons (iceccd), all on
# 127.0.0.1 and free ports, with a network name of their own:
#   - "local", the client's daemon: it takes no jobs (--no-remote); icecc
#     reaches it through its own socket (ICECC_TEST_SOCKET), not the
#     machine's /var/run/icecc/iceccd.socket;
#   - "remote", the compile server: it unpacks the environment tarball the
#     client sends into a directory of its own and runs each job chrooted
#     in it.
# COMMAND gets ICECC_PREFERRED_HOST=remote and ICECC_TEST_REMOTEBUILD=1, so
# every compile icecc can distribute goes to "remote" over TCP (without it,
# icecc compiles a job the scheduler gives to the local host itself, outside
# any environment), and ICECC_TEST_SOCKET. Nothing else is set: COMMAND
# names its own environment (ICECC_VERSION). Everything is stopped when
# COMMAND ends, however it ends, and the logs are copied to LOGDIR
# (scheduler.log, local.log, remote.log).
#
# Run by root, the scheduler and the daemons drop to the user icecc (the
# daemons keep CAP_SYS_CHROOT): their directory is a world-writable
# temporary directory. A daemon that cannot chroot accepts no remote jobs
# ("Cannot use chroot"): then this script says so and exits 77, and the test
# must not pass.
set -u
logdir=$1
shift
mkdir -p "$logdir"

work=$(mktemp -d /tmp/allocsel-icecc.XXXXXX)
chmod 1777 "$work"
pids=()
cleanup() {
  local p
  for p in ${pids[@]+"${pids[@]}"}; do kill "$p" 2>/dev/null; done
  for p in ${pids[@]+"${pids[@]}"}; do wait "$p" 2>/dev/null; done
  cp "$work"/*.log "$logdir"/ 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
scheduler_port=$(free_port)
broadcast_port=$(free_port)
local_port=$(free_port)
remote_port=$(free_port)
netname=allocsel$$
# Test mode (ICECC_TESTS): the scheduler and its broadcasts use the ports
# named here instead of the fixed 8765/8766, so several networks (the suites
# for each Clang) run side by side; and loopback addresses are accepted.
export ICECC_TESTS=1 ICECC_TEST_SCHEDULER_PORTS=$scheduler_port:$broadcast_port

# Each in its own session: the daemons signal their process groups when
# they stop. The scheduler listens on lo only. The compile server listens
# on every interface (its TCP port, free and random): iceccd 1.4 with
# `-i lo` binds lo twice and gives up ("Address already in use"), since it
# always adds lo to the interface it is given.
setsid icecc-scheduler -i lo -p "$scheduler_port" -n "$netname" -l "$work/scheduler.log" -vvv &
pids+=($!)
# The daemons try the scheduler every few seconds: start them once it is
# up. (Not by connecting to its port: a connection that says nothing keeps
# it from answering the daemons for 20 s.)
for _ in $(seq 100); do
  grep -qs 'broadcast lo' "$work/scheduler.log" && break
  sleep 0.1
done
for node in local remote; do
  port=$local_port opts=(--no-remote)
  [[ $node == remote ]] && port=$remote_port opts=()
  ICECC_TEST_SOCKET=$work/socket-$node setsid iceccd ${opts[@]+"${opts[@]}"} -p "$port" \
    -s "127.0.0.1:$scheduler_port" -n "$netname" -N "$node" -m 2 -b "$work/envs-$node" \
    -l "$work/$node.log" -vvv &
  pids+=($!)
done

# Should this script be killed (a lit timeout) before its trap runs, a
# watchdog stops the servers within a second and removes their directory.
(
  exec > /dev/null 2>&1
  while kill -0 $$; do sleep 1; done
  kill "${pids[@]}"
  sleep 1
  rm -rf "$work"
) &

# Wait until both daemons are logged in (at most 20 s: a daemon retries
# every few seconds).
ready=
for _ in $(seq 200); do
  for p in "${pids[@]}"; do
    kill -0 "$p" 2>/dev/null || { echo "with-icecream.sh: icecream did not start:" >&2; tail -n 5 "$work"/*.log >&2; exit 1; }
  done
  if grep -qs 'Connected to scheduler' "$work/local.log" && grep -qs 'Connected to scheduler' "$work/remote.log"; then
    ready=1
    break
  fi
  sleep 0.1
done
if [[ -z $ready ]]; then
  echo "with-icecream.sh: the daemons did not reach the scheduler:" >&2
  tail -n 5 "$work"/*.log >&2
  exit 1
fi
if grep -q 'Cannot use chroot' "$work/remote.log"; then
  echo "with-icecream.sh: iceccd cannot chroot here (run as root, or give iceccd CAP_SYS_CHROOT): no remote compiles" >&2
  exit 77
fi

export ICECC_TEST_SOCKET=$work/socket-local ICECC_TEST_REMOTEBUILD=1 ICECC_PREFERRED_HOST=remote
"$@"
