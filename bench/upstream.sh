# Sourced by run.sh and profile.sh after they publish: the static nginx upstream standing in for SageMaker Runtime
# (bench/nginx.conf.template, on a free loopback port) and the handler's environment pointing at it.
# Needs $OUT; sets NGINX_PORT and pids (nginx first; every pid in it is stopped on exit); defines free_port and
# wait_ready PORT... (until each port answers HTTP).
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_ready() { for port in "$@"; do for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done; done; }

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

NGINX_PORT=$(free_port)
python3 bench/tools.py frames "$OUT/frames.bin"
sed -e "s|__DIR__|$OUT|g" -e "s|__PORT__|$NGINX_PORT|g" bench/nginx.conf.template > "$OUT/nginx.conf"
export AWS_ACCESS_KEY_ID=AKIDBENCHMARK0000000 AWS_SECRET_ACCESS_KEY=bench-secret AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
export Aws__ServiceUrls__SageMakerRuntime="http://127.0.0.1:$NGINX_PORT/" Inference__Models__0__Name=bench Inference__Models__0__EndpointName=bench
nginx -c "$OUT/nginx.conf" & pids+=($!)
