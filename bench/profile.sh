#!/usr/bin/env bash
# Where the handler's CPU goes per request (docs/benchmarks.md, "Profile"): the Native AOT handler, published with
# its symbols, under wrk at 32 connections against the static nginx upstream, sampled by perf (cpu-clock, 2 kHz,
# frame-pointer call graphs), then summed into buckets by bench/profile_buckets.py.
#   bash bench/profile.sh [proxy]   # needs nginx, wrk and perf: apt-get install -y nginx-light wrk linux-perf
# With `proxy`, profiles the bare proxy instead. Everything listens on 127.0.0.1 only; every process it starts is
# stopped by pid on exit. Leaves perf.data and perf-script.txt in $OUT for a closer look (perf report -i ...).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${BENCH_OUT:-${TMPDIR:-/tmp}/awsmodelplatform-profile}"
DURATION="${DURATION:-8}"
rm -rf "$OUT" && mkdir -p "$OUT"
for tool in nginx wrk perf; do command -v $tool >/dev/null || { echo "profile: needs $tool (apt-get install -y nginx-light wrk linux-perf)" >&2; exit 1; }; done

if [ "${1:-}" = proxy ]; then
  dotnet publish bench/BareProxy -r linux-x64 -c Release -p:StripSymbols=false -o "$OUT/bin" -nologo -v q >&2
else
  dotnet publish src/Handlers -r linux-x64 -c Release -p:StripSymbols=false -o "$OUT/bin" -nologo -v q >&2
fi
source bench/upstream.sh
PORT=$(free_port)
if [ "${1:-}" = proxy ]; then
  "$OUT/bin/BareProxy" --urls "http://127.0.0.1:$PORT" --Upstream "http://127.0.0.1:$NGINX_PORT/" > /dev/null & SERVER=$!
  URL="http://127.0.0.1:$PORT/endpoints/bench/invocations"
else
  "$OUT/bin/bootstrap" --urls "http://127.0.0.1:$PORT" > /dev/null & SERVER=$!
  URL="http://127.0.0.1:$PORT/v1/endpoints/bench/invocations"
fi
pids+=($SERVER)
wait_ready "$PORT"

wrk -t2 -c32 -d3s -s bench/post.lua "$URL" > /dev/null   # warm-up
perf record -F 2000 -e cpu-clock --call-graph fp -p "$SERVER" -o "$OUT/perf.data" -- sleep "$DURATION" 2> "$OUT/perf-record.log" & PERF=$!
sleep 0.2
REQUESTS=$(wrk -t2 -c32 -d"$((DURATION - 1))s" -s bench/post.lua "$URL" | awk '/requests in/ {print $1}')
wait $PERF
perf script -i "$OUT/perf.data" 2> /dev/null > "$OUT/perf-script.txt"
# The profile window is a little longer than the load: the idle tail adds a few samples, so µs per request errs high.
python3 bench/profile_buckets.py "$OUT/perf-script.txt" "$REQUESTS"
