#!/usr/bin/env bash
# Benchmarks of the inference handler, side by side in one run (docs/benchmarks.md).
#   bash bench/run.sh            # this tree's handler against nginx directly and the bare proxy
#   bash bench/run.sh main       # ... and a baseline handler built from a git ref (here `main`), in the same run
# Needs nginx and wrk: apt-get install -y nginx-light wrk. ROUNDS (default 3) and DURATION (default 5s) set the load
# runs: every round runs every target in turn, and the tables give each target's medians over the rounds.
# Everything listens on 127.0.0.1 only; every process it starts is stopped by pid on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${BENCH_OUT:-${TMPDIR:-/tmp}/awsmodelplatform-bench}"
DURATION="${DURATION:-5s}"
ROUNDS="${ROUNDS:-3}"
BASELINE="${1:-}"
rm -rf "$OUT" && mkdir -p "$OUT"
command -v nginx >/dev/null && command -v wrk >/dev/null || { echo "bench: needs nginx and wrk (apt-get install -y nginx-light wrk)" >&2; exit 1; }

echo "== publishing: handler (Native AOT), handler (JIT), bare proxy (Native AOT)${BASELINE:+, baseline handler at $BASELINE (Native AOT)}" >&2
dotnet publish src/Handlers -r linux-x64 -c Release -o "$OUT/aot" -nologo -v q >&2
dotnet publish src/Handlers -c Release -p:PublishAot=false -o "$OUT/jit" -nologo -v q >&2
dotnet publish bench/BareProxy -r linux-x64 -c Release -o "$OUT/proxy" -nologo -v q >&2
if [ -n "$BASELINE" ]; then
  BASELINE_COMMIT=$(git rev-parse --short "$BASELINE^{commit}")
  mkdir -p "$OUT/baseline-src"
  git archive "$BASELINE_COMMIT" | tar -x -C "$OUT/baseline-src"
  dotnet publish "$OUT/baseline-src/src/Handlers" -r linux-x64 -c Release -o "$OUT/baseline" -nologo -v q >&2
fi
source bench/upstream.sh
HANDLER_PORT=$(free_port); PROXY_PORT=$(free_port); COLD_PORT=$(free_port); BASE_PORT=$(free_port)
"$OUT/aot/bootstrap" --urls "http://127.0.0.1:$HANDLER_PORT" > /dev/null & HANDLER_PID=$!; pids+=($HANDLER_PID)
"$OUT/proxy/BareProxy" --urls "http://127.0.0.1:$PROXY_PORT" --Upstream "http://127.0.0.1:$NGINX_PORT/" > /dev/null & PROXY_PID=$!; pids+=($PROXY_PID)
ports="$NGINX_PORT $HANDLER_PORT $PROXY_PORT"
if [ -n "$BASELINE" ]; then
  "$OUT/baseline/bootstrap" --urls "http://127.0.0.1:$BASE_PORT" > /dev/null & BASE_PID=$!; pids+=($BASE_PID)
  ports="$ports $BASE_PORT"
fi
wait_ready $ports

echo "== cold start (process start -> first 200 on /healthz)" >&2
AOT_COLD=$(python3 bench/tools.py cold 20 "$COLD_PORT" "$OUT/aot/bootstrap")
JIT_COLD=$(python3 bench/tools.py cold 10 "$COLD_PORT" dotnet "$OUT/jit/bootstrap.dll")
BASE_COLD=null
[ -n "$BASELINE" ] && BASE_COLD=$(python3 bench/tools.py cold 20 "$COLD_PORT" "$OUT/baseline/bootstrap")

NGINX_WORKER=$(for _ in $(seq 50); do pgrep -P "${pids[0]}" && break; sleep 0.1; done | head -1)
targets=("direct=http://127.0.0.1:$NGINX_PORT/endpoints/bench/invocations=$NGINX_WORKER"
         "proxy=http://127.0.0.1:$PROXY_PORT/endpoints/bench/invocations=$PROXY_PID"
         "handler=http://127.0.0.1:$HANDLER_PORT/v1/endpoints/bench/invocations=$HANDLER_PID")
[ -n "$BASELINE" ] && targets+=("baseline=http://127.0.0.1:$BASE_PORT/v1/endpoints/bench/invocations=$BASE_PID")
declare -A LOAD
for c in 1 32; do
  echo "== load, $c concurrent, $ROUNDS rounds of $DURATION per target" >&2
  LOAD[$c]=$(python3 bench/tools.py load "$ROUNDS" "$DURATION" "$c" bench/post.lua "${targets[@]}")
done

echo "== time to first streamed byte" >&2
TTFB_DIRECT=$(python3 bench/tools.py ttfb 500 "$NGINX_PORT" /endpoints/bench/invocations-response-stream)
TTFB_HANDLER=$(python3 bench/tools.py ttfb 500 "$HANDLER_PORT" /v1/endpoints/bench/invocations-stream)

HANDLER_RSS=$(python3 bench/tools.py rss $HANDLER_PID)
PROXY_RSS=$(python3 bench/tools.py rss $PROXY_PID)
BASE_RSS=null
[ -n "$BASELINE" ] && BASE_RSS=$(python3 bench/tools.py rss $BASE_PID)

python3 - "$AOT_COLD" "$JIT_COLD" "$BASE_COLD" "$TTFB_DIRECT" "$TTFB_HANDLER" "$HANDLER_RSS" "$PROXY_RSS" "$BASE_RSS" \
  "${LOAD[1]}" "${LOAD[32]}" "${BASELINE:+$BASELINE ($BASELINE_COMMIT)}" "$ROUNDS" "$DURATION" <<'PY'
import json, os, sys
a = sys.argv[1:]
aot, jit, base_cold, td, th = (json.loads(x) for x in a[0:5])
hrss, prss, brss = a[5], a[6], json.loads(a[7])
l1, l32 = json.loads(a[8]), json.loads(a[9])
baseline, rounds, duration = a[10], a[11], a[12]
has_base = 'baseline' in l32
print(f"| cold start to first /healthz 200 | AOT {aot['median_ms']} ms (min {aot['min_ms']}) | JIT {jit['median_ms']} ms (min {jit['min_ms']}) | ratio {aot['median_ms']/jit['median_ms']:.2f} (target <= 0.25) |"
      + (f" baseline AOT {base_cold['median_ms']} ms |" if has_base else ""))
print()
names = ['direct', 'proxy', 'handler'] + (['baseline'] if has_base else [])
label = {'direct': 'direct nginx', 'proxy': 'bare proxy', 'handler': 'handler', 'baseline': f'baseline handler ({baseline})'}
print(f"Medians over {rounds} rounds of {duration} per target, every round running every target in turn.")
print()
print("| load | " + " | ".join(f"{label[n]} p50 / p99" for n in names) + " | req/s: " + " / ".join(names[1:]) + " | server CPU per request: " + " / ".join(names) + " |")
print("|---|" + "---|" * (len(names) + 2))
for c, l in ((1, l1), (32, l32)):
    print(f"| {c} concurrent | " + " | ".join(f"{l[n]['p50_ms']} / {l[n]['p99_ms']} ms" for n in names)
          + " | " + " / ".join(f"{l[n]['rps']:.0f}" for n in names[1:]) + " | " + " / ".join(f"{l[n]['cpu_us']}" for n in names) + " µs |")
print()
h, p = l32['handler'], l32['proxy']
print("| well-defined comparisons (same run, same upstream) | value |")
print("|---|---|")
print(f"| p99 at 32 concurrent, handler / bare proxy | {h['p99_ms']} / {p['p99_ms']} ms = {h['p99_ms']/p['p99_ms']:.2f}x (target <= 1.5x) |")
print(f"| server CPU per request at 32 concurrent, handler / bare proxy | {h['cpu_us']} / {p['cpu_us']} µs = {h['cpu_us']/p['cpu_us']:.2f}x |")
print(f"| server CPU per request at 1 concurrent, handler / bare proxy | {l1['handler']['cpu_us']} / {l1['proxy']['cpu_us']} µs = {l1['handler']['cpu_us']/l1['proxy']['cpu_us']:.2f}x |")
if has_base:
    b = l32['baseline']
    print(f"| handler / baseline at 32 concurrent: CPU per request, p99, req/s | {h['cpu_us']/b['cpu_us']:.2f}x, {h['p99_ms']/b['p99_ms']:.2f}x, {h['rps']/b['rps']:.2f}x |")
    print(f"| handler / baseline at 1 concurrent: CPU per request, p50 | {l1['handler']['cpu_us']/l1['baseline']['cpu_us']:.2f}x, {l1['handler']['p50_ms']/l1['baseline']['p50_ms']:.2f}x |")
    print(f"| p99 at 32 concurrent, baseline / bare proxy | {b['p99_ms']/p['p99_ms']:.2f}x |")
print(f"| time to first streamed byte, direct / via handler (median) | {td['median_ms']} / {th['median_ms']} ms: overhead {th['median_ms']-td['median_ms']:.3f} ms (target <= 1 ms); p90 {td['p90_ms']} / {th['p90_ms']} ms |")
print(f"| peak RSS after the runs | handler (AOT) {hrss} MiB, bare proxy (AOT) {prss} MiB" + (f", baseline handler {brss} MiB |" if has_base else " |"))
print()
print(f"load average when done: {open('/proc/loadavg').read().split()[:3]} on {os.cpu_count()} cores")
PY

echo
echo "== per-request pieces, alone (bench/Components)" >&2
dotnet run -c Release --project bench/Components
