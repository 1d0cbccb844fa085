#!/usr/bin/env bash
# Benchmarks of the inference handler, side by side in one run (docs/benchmarks.md).
#   bash bench/run.sh            # needs nginx and wrk: apt-get install -y nginx-light wrk
# Everything listens on 127.0.0.1 only; every process it starts is stopped by pid on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${BENCH_OUT:-${TMPDIR:-/tmp}/awsmodelplatform-bench}"
DURATION="${DURATION:-10s}"
rm -rf "$OUT" && mkdir -p "$OUT"
command -v nginx >/dev/null && command -v wrk >/dev/null || { echo "bench: needs nginx and wrk (apt-get install -y nginx-light wrk)" >&2; exit 1; }

echo "== publishing: handler (Native AOT), handler (JIT), bare proxy (Native AOT)" >&2
dotnet publish src/Handlers -r linux-x64 -c Release -o "$OUT/aot" -nologo -v q >&2
dotnet publish src/Handlers -c Release -p:PublishAot=false -o "$OUT/jit" -nologo -v q >&2
dotnet publish bench/BareProxy -r linux-x64 -c Release -o "$OUT/proxy" -nologo -v q >&2
python3 bench/tools.py frames "$OUT/frames.bin"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
NGINX_PORT=$(free_port); HANDLER_PORT=$(free_port); PROXY_PORT=$(free_port); COLD_PORT=$(free_port)
sed -e "s|__DIR__|$OUT|g" -e "s|__PORT__|$NGINX_PORT|g" bench/nginx.conf.template > "$OUT/nginx.conf"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

export AWS_ACCESS_KEY_ID=AKIDBENCHMARK0000000 AWS_SECRET_ACCESS_KEY=bench-secret AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
export Aws__ServiceUrls__SageMakerRuntime="http://127.0.0.1:$NGINX_PORT/" Inference__Models__bench__EndpointName=bench

nginx -c "$OUT/nginx.conf" & pids+=($!)
"$OUT/aot/bootstrap" --urls "http://127.0.0.1:$HANDLER_PORT" > /dev/null & HANDLER_PID=$!; pids+=($HANDLER_PID)
"$OUT/proxy/BareProxy" --urls "http://127.0.0.1:$PROXY_PORT" --Upstream "http://127.0.0.1:$NGINX_PORT/" > /dev/null & PROXY_PID=$!; pids+=($PROXY_PID)
for port in $NGINX_PORT $HANDLER_PORT $PROXY_PORT; do
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
done

echo "== cold start (process start -> first 200 on /healthz)" >&2
AOT_COLD=$(python3 bench/tools.py cold 20 "$COLD_PORT" "$OUT/aot/bootstrap")
JIT_COLD=$(python3 bench/tools.py cold 10 "$COLD_PORT" dotnet "$OUT/jit/bootstrap.dll")

declare -A LAT
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }   # user+system CPU of the server process
NGINX_WORKER=$(for _ in $(seq 50); do pgrep -P "${pids[0]}" && break; sleep 0.1; done | head -1)
load() { # name url connections server-pid
  local threads=1; [ "$3" -gt 1 ] && threads=2
  wrk -t"$threads" -c"$3" -d2s -s bench/post.lua "$2" > /dev/null   # warm-up
  local before after out
  before=$(cpu_ticks "$4")
  out=$(wrk -t"$threads" -c"$3" -d"$DURATION" --latency -s bench/post.lua "$2")
  after=$(cpu_ticks "$4")
  LAT[$1,$3]=$(echo "$out" | python3 bench/tools.py wrk $((after - before)))
}
for c in 1 32; do
  echo "== load, $c concurrent" >&2
  load direct "http://127.0.0.1:$NGINX_PORT/endpoints/bench/invocations" $c "$NGINX_WORKER"
  load handler "http://127.0.0.1:$HANDLER_PORT/v1/endpoints/bench/invocations" $c $HANDLER_PID
  load proxy "http://127.0.0.1:$PROXY_PORT/endpoints/bench/invocations" $c $PROXY_PID
done

echo "== time to first streamed byte" >&2
TTFB_DIRECT=$(python3 bench/tools.py ttfb 500 "$NGINX_PORT" /endpoints/bench/invocations-response-stream)
TTFB_HANDLER=$(python3 bench/tools.py ttfb 500 "$HANDLER_PORT" /v1/endpoints/bench/invocations-stream)

HANDLER_RSS=$(python3 bench/tools.py rss $HANDLER_PID)
PROXY_RSS=$(python3 bench/tools.py rss $PROXY_PID)

python3 - "$AOT_COLD" "$JIT_COLD" "$TTFB_DIRECT" "$TTFB_HANDLER" "$HANDLER_RSS" "$PROXY_RSS" \
  "${LAT[direct,1]}" "${LAT[handler,1]}" "${LAT[proxy,1]}" "${LAT[direct,32]}" "${LAT[handler,32]}" "${LAT[proxy,32]}" <<'PY'
import json, sys
a = sys.argv[1:]
aot, jit, td, th = (json.loads(x) for x in a[0:4])
hrss, prss = a[4], a[5]
d1, h1, p1, d32, h32, p32 = (json.loads(x) for x in a[6:12])
print(f"| cold start to first /healthz 200 | AOT {aot['median_ms']} ms (min {aot['min_ms']}) | JIT {jit['median_ms']} ms (min {jit['min_ms']}) | ratio {aot['median_ms']/jit['median_ms']:.2f} (target <= 0.25) |")
print()
print("| load | direct nginx p50 / p99 | handler p50 / p99 | bare proxy p50 / p99 | handler added p50 / p99 | proxy added p50 / p99 | handler / proxy req/s | server CPU per request: nginx / handler / proxy |")
print("|---|---|---|---|---|---|---|---|")
for c, d, h, p in ((1, d1, h1, p1), (32, d32, h32, p32)):
    for x in (d, h, p):
        assert x['non2xx'] == 0, x
    print(f"| {c} concurrent | {d['p50_ms']} / {d['p99_ms']} ms | {h['p50_ms']} / {h['p99_ms']} ms | {p['p50_ms']} / {p['p99_ms']} ms | "
          f"{h['p50_ms']-d['p50_ms']:.3f} / {h['p99_ms']-d['p99_ms']:.3f} ms | {p['p50_ms']-d['p50_ms']:.3f} / {p['p99_ms']-d['p99_ms']:.3f} ms | {h['rps']} / {p['rps']} | "
          f"{d.get('cpu_us')} / {h.get('cpu_us')} / {p.get('cpu_us')} µs |")
hp, pp = h32['p99_ms'] - d32['p99_ms'], p32['p99_ms'] - d32['p99_ms']
print()
print(f"| p99 added latency at 32 concurrent, handler / bare proxy | {hp:.3f} / {pp:.3f} ms = {hp/pp:.2f}x (target <= 1.5x) |")
print(f"| time to first streamed byte, direct / via handler (median) | {td['median_ms']} / {th['median_ms']} ms: overhead {th['median_ms']-td['median_ms']:.3f} ms (target <= 1 ms); p90 {td['p90_ms']} / {th['p90_ms']} ms |")
print(f"| peak RSS after the runs | handler (AOT) {hrss} MiB | bare proxy (AOT) {prss} MiB |")
import os
print()
print(f"load average when done: {open('/proc/loadavg').read().split()[:3]} on {os.cpu_count()} cores")
PY

echo
echo "== per-request pieces, alone (bench/Components)" >&2
dotnet run -c Release --project bench/Components
