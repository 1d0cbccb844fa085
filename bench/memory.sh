#!/usr/bin/env bash
# The handler at each Lambda memory size, beside the bare forwarding proxy measured the same way in the same run
# (docs/benchmarks.md, "Memory sizes"). Lambda gives a function CPU in proportion to its memory, one vCPU at 1769 MB
# (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html); here each size is a CPU quota of that share
# of one core (a cgroup's cfs_quota_us), and each execution environment serves one request at a time, so the load runs
# at 1 connection.
#   bash bench/memory.sh                    # sizes 128 256 512 1024 1769
#   SIZES="256 1769" bash bench/memory.sh   # some sizes only
# Needs root, the cgroup v1 cpu controller (/sys/fs/cgroup/cpu), nginx and wrk (apt-get install -y nginx-light wrk).
# ROUNDS (default 3) and DURATION (default 5s) set the load runs; COLD_RUNS (default 10) the cold starts per size.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${BENCH_OUT:-${TMPDIR:-/tmp}/awsmodelplatform-bench-memory}"
DURATION="${DURATION:-5s}"
ROUNDS="${ROUNDS:-3}"
COLD_RUNS="${COLD_RUNS:-10}"
SIZES="${SIZES:-128 256 512 1024 1769}"
CGROUP_ROOT=/sys/fs/cgroup/cpu
rm -rf "$OUT" && mkdir -p "$OUT"
command -v nginx >/dev/null && command -v wrk >/dev/null || { echo "bench: needs nginx and wrk (apt-get install -y nginx-light wrk)" >&2; exit 1; }
[ -w "$CGROUP_ROOT" ] || { echo "bench: needs write access to the cgroup v1 cpu controller at $CGROUP_ROOT (run as root)" >&2; exit 1; }

echo "== publishing: handler (Native AOT), bare proxy (Native AOT)" >&2
dotnet publish src/Handlers -r linux-x64 -c Release -o "$OUT/aot" -nologo -v q >&2
dotnet publish bench/BareProxy -r linux-x64 -c Release -o "$OUT/proxy" -nologo -v q >&2
source bench/upstream.sh
wait_ready "$NGINX_PORT"

# One cgroup per size; a process joins it by writing its own pid, then execs the program (in.sh GROUP PROGRAM ARGS...).
cat > "$OUT/in.sh" <<'SH'
#!/bin/sh
group=$1; shift
echo $$ > "$group/cgroup.procs"
exec "$@"
SH
chmod +x "$OUT/in.sh"
groups=()
cleanup_groups() { for g in "${groups[@]}"; do rmdir "$g" 2>/dev/null || true; done; }
trap 'cleanup; cleanup_groups' EXIT

results=()
for size in $SIZES; do
  group="$CGROUP_ROOT/awsmodelplatform-bench-$size"
  mkdir -p "$group"; groups+=("$group")
  period=100000
  quota=$(( period * size / 1769 ))
  echo "$period" > "$group/cpu.cfs_period_us"
  echo "$quota" > "$group/cpu.cfs_quota_us"
  echo "== $size MB: CPU quota $quota/$period µs" >&2

  COLD_PORT=$(free_port)
  handler_cold=$(python3 bench/tools.py cold "$COLD_RUNS" "$COLD_PORT" "$OUT/in.sh" "$group" "$OUT/aot/bootstrap")
  proxy_cold=$(python3 bench/tools.py cold "$COLD_RUNS" "$COLD_PORT" "$OUT/in.sh" "$group" "$OUT/proxy/BareProxy" --Upstream "http://127.0.0.1:$NGINX_PORT/")

  HANDLER_PORT=$(free_port); PROXY_PORT=$(free_port)
  "$OUT/in.sh" "$group" "$OUT/aot/bootstrap" --urls "http://127.0.0.1:$HANDLER_PORT" > /dev/null & handler_pid=$!
  "$OUT/in.sh" "$group" "$OUT/proxy/BareProxy" --urls "http://127.0.0.1:$PROXY_PORT" --Upstream "http://127.0.0.1:$NGINX_PORT/" > /dev/null & proxy_pid=$!
  wait_ready "$HANDLER_PORT" "$PROXY_PORT"
  load=$(python3 bench/tools.py load "$ROUNDS" "$DURATION" 1 bench/post.lua \
    "handler=http://127.0.0.1:$HANDLER_PORT/v1/endpoints/bench/invocations=$handler_pid" \
    "proxy=http://127.0.0.1:$PROXY_PORT/endpoints/bench/invocations=$proxy_pid")
  handler_rss=$(python3 bench/tools.py rss "$handler_pid")
  proxy_rss=$(python3 bench/tools.py rss "$proxy_pid")
  kill "$handler_pid" "$proxy_pid"; wait "$handler_pid" "$proxy_pid" 2>/dev/null || true
  results+=("$(python3 -c 'import json,sys; print(json.dumps({"size": int(sys.argv[1]), "quota": int(sys.argv[2]), "handler_cold": json.loads(sys.argv[3]), "proxy_cold": json.loads(sys.argv[4]), "load": json.loads(sys.argv[5]), "handler_rss": int(sys.argv[6]), "proxy_rss": int(sys.argv[7])}))' \
    "$size" "$quota" "$handler_cold" "$proxy_cold" "$load" "$handler_rss" "$proxy_rss")")
done

python3 - "$ROUNDS" "$DURATION" "$COLD_RUNS" "${results[@]}" <<'PY'
import json, os, sys
rounds, duration, cold_runs = sys.argv[1:4]
rows = [json.loads(r) for r in sys.argv[4:]]
print(f"Each size is a CPU quota of size/1769 of one core. Cold start: median of {cold_runs} starts to the first /healthz 200. "
      f"Load: 1 connection (one request per execution environment), medians over {rounds} rounds of {duration}, handler and proxy alternating.")
print()
print("| memory | CPU share | cold start handler / proxy | p50 handler / proxy | p99 handler / proxy | CPU per request handler / proxy | ratio | peak RSS handler / proxy |")
print("|---|---|---|---|---|---|---|---|")
for r in rows:
    h, p = r['load']['handler'], r['load']['proxy']
    print(f"| {r['size']} MB | {r['quota'] / 1000:.1f} % | {r['handler_cold']['median_ms']} / {r['proxy_cold']['median_ms']} ms "
          f"| {h['p50_ms']} / {p['p50_ms']} ms | {h['p99_ms']} / {p['p99_ms']} ms | {h['cpu_us']} / {p['cpu_us']} µs "
          f"| {h['cpu_us'] / p['cpu_us']:.2f}x | {r['handler_rss']} / {r['proxy_rss']} MiB |")
print()
print(f"load average when done: {open('/proc/loadavg').read().split()[:3]} on {os.cpu_count()} cores")
PY
