#!/usr/bin/env bash
# Scale-to-zero benchmarks (docs/benchmarks.md, "Wake on demand"), side by side in one run:
#   1. the added latency of the capacity check on a warm model: the same handler binary twice against the nginx
#      upstream of bench/run.sh, Inference__Wake__Enabled on and off, with the bare proxy as today's floor;
#   2. time to first token from cold, wake path vs alarm path: bench/ColdStart against the in-repo SageMaker fake.
#   bash bench/wake.sh           # this tree's handler
#   bash bench/wake.sh 4b0ce60   # ... and, in part 1, a baseline handler built from a git ref (before the wake feature)
# WAKE_DELAY (default 258 s: a published load time, see docs/benchmarks.md), ALARM_DELAY (default 90 s: modelled),
# REPETITIONS (default 3 cold models per path, requested at once), ROUNDS (3) and DURATION (5s) as in run.sh.
# REUSE=1 takes the binaries a previous run left in $BENCH_OUT. Needs nginx and wrk. Every process is stopped by pid.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${BENCH_OUT:-${TMPDIR:-/tmp}/awsmodelplatform-bench-wake}"
DURATION="${DURATION:-5s}"
ROUNDS="${ROUNDS:-3}"
WAKE_DELAY="${WAKE_DELAY:-258}"
ALARM_DELAY="${ALARM_DELAY:-90}"
REPETITIONS="${REPETITIONS:-3}"
BASELINE="${1:-}"
command -v nginx >/dev/null && command -v wrk >/dev/null || { echo "bench: needs nginx and wrk (apt-get install -y nginx-light wrk)" >&2; exit 1; }
if [ -z "${REUSE:-}" ] || [ ! -x "$OUT/aot/bootstrap" ]; then
  rm -rf "$OUT" && mkdir -p "$OUT"
  echo "== publishing: handler (Native AOT), bare proxy (Native AOT), the cold-start driver" >&2
  dotnet publish src/Handlers -r linux-x64 -c Release -o "$OUT/aot" -nologo -v q >&2
  dotnet publish bench/BareProxy -r linux-x64 -c Release -o "$OUT/proxy" -nologo -v q >&2
  dotnet build bench/ColdStart -c Release -o "$OUT/coldstart" -nologo -v q >&2
fi
if [ -n "$BASELINE" ] && { [ -z "${REUSE:-}" ] || [ ! -x "$OUT/baseline/bootstrap" ]; }; then
  echo "== publishing: baseline handler at $BASELINE (Native AOT)" >&2
  rm -rf "$OUT/baseline-src" && mkdir -p "$OUT/baseline-src"
  git archive "$(git rev-parse --short "$BASELINE^{commit}")" | tar -x -C "$OUT/baseline-src"
  dotnet publish "$OUT/baseline-src/src/Handlers" -r linux-x64 -c Release -o "$OUT/baseline" -nologo -v q >&2
fi

COLD_PID=
if [ -z "${SKIP_COLD:-}" ]; then
echo "== time to first token from cold: wake path vs alarm path, $REPETITIONS models each, wake delay $WAKE_DELAY s, alarm delay $ALARM_DELAY s" >&2
# Started first and left running: it mostly waits, while the load runs below measure.
dotnet "$OUT/coldstart/ColdStart.dll" "$OUT/aot/bootstrap" "$WAKE_DELAY" "$ALARM_DELAY" "$REPETITIONS" > "$OUT/coldstart.json" &
COLD_PID=$!
fi

source bench/upstream.sh
[ -n "$COLD_PID" ] && pids+=($COLD_PID)
ON_PORT=$(free_port); OFF_PORT=$(free_port); PROXY_PORT=$(free_port)
# The capacity check is in the path only for a model on an inference component: both handlers' model names one.
export Inference__Models__0__InferenceComponentName=bench-ic
Inference__Wake__Enabled=true "$OUT/aot/bootstrap" --urls "http://127.0.0.1:$ON_PORT" > /dev/null & ON_PID=$!; pids+=($ON_PID)
Inference__Wake__Enabled=false "$OUT/aot/bootstrap" --urls "http://127.0.0.1:$OFF_PORT" > /dev/null & OFF_PID=$!; pids+=($OFF_PID)
"$OUT/proxy/BareProxy" --urls "http://127.0.0.1:$PROXY_PORT" --Upstream "http://127.0.0.1:$NGINX_PORT/" > /dev/null & PROXY_PID=$!; pids+=($PROXY_PID)
ports="$NGINX_PORT $ON_PORT $OFF_PORT $PROXY_PORT"
if [ -n "$BASELINE" ]; then
  BASE_PORT=$(free_port)
  "$OUT/baseline/bootstrap" --urls "http://127.0.0.1:$BASE_PORT" > /dev/null & BASE_PID=$!; pids+=($BASE_PID)
  ports="$ports $BASE_PORT"
fi
wait_ready $ports

targets=("wake_on=http://127.0.0.1:$ON_PORT/v1/endpoints/bench/invocations=$ON_PID"
         "wake_off=http://127.0.0.1:$OFF_PORT/v1/endpoints/bench/invocations=$OFF_PID"
         "proxy=http://127.0.0.1:$PROXY_PORT/endpoints/bench/invocations=$PROXY_PID")
[ -n "$BASELINE" ] && targets+=("baseline=http://127.0.0.1:$BASE_PORT/v1/endpoints/bench/invocations=$BASE_PID")
declare -A LOAD
for c in 1 32; do
  echo "== warm model, capacity check on vs off, $c concurrent, $ROUNDS rounds of $DURATION per target" >&2
  LOAD[$c]=$(python3 bench/tools.py load "$ROUNDS" "$DURATION" "$c" bench/post.lua "${targets[@]}")
done

COLD=null
if [ -n "$COLD_PID" ]; then
  echo "== waiting for the cold-start driver" >&2
  wait $COLD_PID
  COLD=$(cat "$OUT/coldstart.json")
fi
python3 - "${LOAD[1]}" "${LOAD[32]}" "$COLD" "$ROUNDS" "$DURATION" "$BASELINE" <<'PY'
import json, os, statistics, sys
l1, l32, cold = json.loads(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3])
rounds, duration, baseline = sys.argv[4], sys.argv[5], sys.argv[6]
print(f"Warm model, medians over {rounds} rounds of {duration} per target, every round running every target in turn.")
print()
print("| load | capacity check on p50 / p99 | off p50 / p99 | bare proxy p50 / p99 | on / off: p50, p99, CPU per request | req/s on / off | CPU per request on / off / proxy |")
print("|---|---|---|---|---|---|---|")
for c, l in ((1, l1), (32, l32)):
    on, off, px = l['wake_on'], l['wake_off'], l['proxy']
    print(f"| {c} concurrent | {on['p50_ms']} / {on['p99_ms']} ms | {off['p50_ms']} / {off['p99_ms']} ms | {px['p50_ms']} / {px['p99_ms']} ms"
          f" | {on['p50_ms']/off['p50_ms']:.2f}x, {on['p99_ms']/off['p99_ms']:.2f}x, {on['cpu_us']/off['cpu_us']:.2f}x"
          f" | {on['rps']:.0f} / {off['rps']:.0f} | {on['cpu_us']} / {off['cpu_us']} / {px['cpu_us']} µs |")
print()
print("| load | handler / bare proxy: p50, p99, CPU per request (capacity check on) |" + (f" handler / baseline {baseline}: p50, p99, CPU per request |" if baseline else ""))
print("|---|---|" + ("---|" if baseline else ""))
for c, l in ((1, l1), (32, l32)):
    on, px = l['wake_on'], l['proxy']
    line = f"| {c} concurrent | {on['p50_ms']/px['p50_ms']:.2f}x, {on['p99_ms']/px['p99_ms']:.2f}x, {on['cpu_us']/px['cpu_us']:.2f}x |"
    if baseline:
        b = l['baseline']
        line += f" {on['p50_ms']/b['p50_ms']:.2f}x, {on['p99_ms']/b['p99_ms']:.2f}x, {on['cpu_us']/b['cpu_us']:.2f}x |"
    print(line)
print()
if cold is None:
    print(f"load average when done: {open('/proc/loadavg').read().split()[:3]} on {os.cpu_count()} cores")
    sys.exit(0)
w, a = cold['wake'], cold['alarm']
print(f"Time to first token from cold (s): wake delay {cold['wake_delay_s']} s, alarm delay {cold['alarm_delay_s']} s, {cold['repetitions']} models per path at once.")
print()
print("| path | median | min | max | each | keep-alives each client saw |")
print("|---|---|---|---|---|---|")
print(f"| wake (handler calls UpdateInferenceComponentRuntimeConfig; {cold['wake_calls']} wake calls) | {statistics.median(w):.1f} | {min(w):.1f} | {max(w):.1f} | {w} | {cold['keep_alives_wake']} |")
print(f"| alarm (Inference__Wake__Enabled=false) | {statistics.median(a):.1f} | {min(a):.1f} | {max(a):.1f} | {a} | {cold['keep_alives_alarm']} |")
print(f"| alarm − wake (medians) | {statistics.median(a) - statistics.median(w):.1f} | | | | |")
print()
print(f"load average when done: {open('/proc/loadavg').read().split()[:3]} on {os.cpu_count()} cores")
PY
