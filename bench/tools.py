"""Small measuring tools for bench/run.sh: cold start, load (wrk), time to first byte, frames, peak RSS."""
import binascii, json, os, socket, statistics, struct, subprocess, sys, time


def frame(payload: bytes, headers: dict) -> bytes:
    """One application/vnd.amazon.eventstream message (string headers only)."""
    h = b''
    for name, value in headers.items():
        n, v = name.encode(), value.encode()
        h += bytes([len(n)]) + n + b'\x07' + struct.pack('>H', len(v)) + v
    total = 12 + len(h) + len(payload) + 4
    prelude = struct.pack('>II', total, len(h))
    msg = prelude + struct.pack('>I', binascii.crc32(prelude)) + h + payload
    return msg + struct.pack('>I', binascii.crc32(msg))


def frames(path: str):
    parts = [f'data: {{"token":"t{i}"}}\n\n'.encode() for i in range(16)] + [b'data: [DONE]\n\n']
    with open(path, 'wb') as f:
        for p in parts:
            f.write(frame(p, {':message-type': 'event', ':event-type': 'PayloadPart', ':content-type': 'application/octet-stream'}))


def http_get_ok(port: int, path: str) -> bool:
    try:
        with socket.create_connection(('127.0.0.1', port), timeout=1) as s:
            s.sendall(f'GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'.encode())
            return s.recv(16).startswith(b'HTTP/1.1 200')
    except OSError:
        return False


def cold_start(runs: int, port: int, *cmd):
    """Process start → first 200 on /healthz, median and min over runs (ms)."""
    times = []
    env = dict(os.environ)
    for _ in range(runs):
        t0 = time.perf_counter()
        p = subprocess.Popen(list(cmd) + ['--urls', f'http://127.0.0.1:{port}'], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        while not http_get_ok(port, '/healthz'):
            if time.perf_counter() - t0 > 30:
                p.kill(); p.wait()
                raise SystemExit(f'{cmd} did not answer /healthz within 30 s')
            if p.poll() is not None:
                raise SystemExit(f'{cmd} exited with {p.returncode}')
            time.sleep(0.0005)
        times.append((time.perf_counter() - t0) * 1000)
        p.terminate(); p.wait()
    print(json.dumps({'median_ms': round(statistics.median(times), 1), 'min_ms': round(min(times), 1), 'runs': runs}))


def ttfb(runs: int, port: int, path: str):
    """POST, then time until the first body byte of the (chunked) response, median and p90 over runs (ms)."""
    body = b'{"inputs":"hello"}'
    req = (f'POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n').encode() + body
    times = []
    with socket.create_connection(('127.0.0.1', port)) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for i in range(runs + 20):
            t0 = time.perf_counter()
            s.sendall(req)
            buf = b''
            while b'\r\n\r\n' not in buf:
                buf += s.recv(65536)
            head, rest = buf.split(b'\r\n\r\n', 1)
            if not rest:
                rest = s.recv(65536)
            t = (time.perf_counter() - t0) * 1000
            # drain the rest of the response (chunked or sized) before the next request
            data = rest
            if b'chunked' in head.lower():
                while not data.endswith(b'0\r\n\r\n'):
                    data += s.recv(65536)
            else:
                length = int([l for l in head.split(b'\r\n') if l.lower().startswith(b'content-length')][0].split(b':')[1])
                while len(data) < length:
                    data += s.recv(65536)
            if i >= 20:
                times.append(t)
    times.sort()
    print(json.dumps({'median_ms': round(statistics.median(times), 3), 'p90_ms': round(times[int(len(times) * 0.9)], 3), 'runs': runs}))


def peak_rss(pid: int):
    with open(f'/proc/{pid}/status') as f:
        for line in f:
            if line.startswith('VmHWM'):
                print(int(line.split()[1]) // 1024)


def wrk_parse(text: str, cpu_ticks: int = 0):
    """p50/p99 (ms), requests/s, non-2xx count and server CPU per request (µs) from `wrk --latency` output."""
    def ms(v: str) -> float:
        for unit, f in (('us', 0.001), ('ms', 1.0), ('s', 1000.0), ('m', 60000.0)):
            if v.endswith(unit):
                return float(v[:-len(unit)]) * f
        return float(v)
    out = {'non2xx': 0}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in ('50%', '99%'):
            out['p50_ms' if parts[0] == '50%' else 'p99_ms'] = round(ms(parts[1]), 3)
        elif line.startswith('Requests/sec:'):
            out['rps'] = round(float(parts[1]))
        elif line.strip().startswith('Non-2xx'):
            out['non2xx'] = int(parts[-1])
        elif len(parts) > 2 and parts[1] == 'requests' and parts[2] == 'in':
            out['requests'] = int(parts[0])
    if cpu_ticks and out.get('requests'):
        out['cpu_us'] = round(cpu_ticks * 1_000_000 / os.sysconf('SC_CLK_TCK') / out['requests'], 1)
    return out


def cpu_ticks(pid: int) -> int:
    """user + system CPU of a process, all its threads, in clock ticks."""
    with open(f'/proc/{pid}/stat') as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return int(fields[11]) + int(fields[12])


def load(rounds: int, duration: str, connections: int, script: str, *targets):
    """Each target is name=url=pid. Every round runs every target in turn (a 2 s warm-up, then `duration` measured),
    so slow drifts in the machine's load hit all targets alike; prints each target's medians over the rounds."""
    threads = '1' if connections == 1 else '2'
    runs = {}
    for r in range(rounds):
        for t in targets:
            name, url, pid = t.split('=', 2)
            wrk = ['wrk', f'-t{threads}', f'-c{connections}', '-s', script]
            subprocess.run(wrk + ['-d2s', url], check=True, capture_output=True)
            before = cpu_ticks(int(pid))
            text = subprocess.run(wrk + [f'-d{duration}', '--latency', url], check=True, capture_output=True, text=True).stdout
            out = wrk_parse(text, cpu_ticks(int(pid)) - before)
            if out['non2xx']:
                raise SystemExit(f'{name}: {out["non2xx"]} non-2xx answers')
            runs.setdefault(name, []).append(out)
            print(f'  round {r + 1}/{rounds} {name} c={connections}: {json.dumps(out)}', file=sys.stderr)
    result = {}
    for name, outs in runs.items():
        result[name] = {k: round(statistics.median(o.get(k, 0) for o in outs), 3) for k in ('p50_ms', 'p99_ms', 'rps', 'cpu_us')}
        result[name]['rounds'] = len(outs)
    print(json.dumps(result))


if __name__ == '__main__':
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == 'frames': frames(args[0])
    elif cmd == 'cold': cold_start(int(args[0]), int(args[1]), *args[2:])
    elif cmd == 'ttfb': ttfb(int(args[0]), int(args[1]), args[2])
    elif cmd == 'rss': peak_rss(int(args[0]))
    elif cmd == 'load': load(int(args[0]), args[1], int(args[2]), args[3], *args[4:])


