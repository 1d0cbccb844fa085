"""Where a server's CPU goes, from `perf script` output of `perf record --call-graph fp` on a Native AOT build with
symbols (bench/profile.sh). Each sample goes to the first bucket, walking from the leaf outwards, whose pattern
matches a frame: a sample inside the SDK signer that the HttpClient called counts as signing, one in the socket
code that the signer's inner handler called counts as transport.
    python3 bench/profile_buckets.py perf-script.txt [requests]   # with requests: µs per request too
"""
import collections, re, sys

BUCKETS = [
    ('kernel: socket send/recv, epoll, yields (under libc frames)', r'^(__send|__libc_recv|epoll_wait|__libc_sendmsg|__libc_recvmsg|__sched_yield|__libc_write|__write)$'),
    ('GC', r'gc_heap|GCHeap|^WKS::|^SVR::|GCToEEInterface|RhpGcAlloc|GcScan'),
    # The runtime's stack walker (StackFrameIterator, libunwind) serves exceptions and the GC's root scan alike: a sample
    # in it counts where its caller does (RhpThrow..., or GcScanRoots: GC).
    ('exceptions (throw, unwind, catch)', r'RhpThrow|RhThrow|DispatchException|ExceptionHandling'),
    ('request log + EMF line', r'RequestLog__Write'),
    ('SigV4 signing (SDK signer and its handler)', r'AWSSigV4Signer|AWS4Signer|SigV4SigningHandler__(BuildSigningRequest|ApplySigningHeaders|HashBody|ResolveParameters|ValidateRequest|NewSigningRequest|MustHashBody|CollectHeaders)|HttpContent__LoadIntoBuffer'),
    ('RequestContext.From (request id, caller)', r'RequestContext__From'),
    ('request body read + JSON check', r'RequestBody__|EnsureWellFormedJson'),
    ('header mapping, request build, payload hash', r'InvocationHeaders__|SageMakerRuntimeClient__Build|SigningHandler__SetPayloadHash'),
    ('HttpClient (SocketsHttpHandler, headers)', r'System_Net_Http_'),
    ('Polly pipeline', r'Polly_Core_'),
    ('routing, generated route code, middleware, endpoint', r'Routing|GeneratedRouteBuilder|RequestPipelineMiddleware|InvocationEndpoints|ModelCatalog'),
    ('Kestrel, pipelines, hosting', r'Kestrel|System_IO_Pipelines|Microsoft_AspNetCore_(Http|Hosting|Server)'),
    ('sockets engine (epoll loop)', r'System_Net_Sockets_'),
    ('thread pool, tasks, timers', r'ThreadPool|Task|TimerQueue|ExecutionContext|LowLevelLifoSemaphore|WaitSubsystem'),
]


def frames(block):
    out = []
    for line in block.strip().split('\n')[1:]:
        parts = line.strip().split(' ', 1)
        s = parts[1] if len(parts) > 1 else parts[0]
        out.append(re.sub(r' \(.*\)$', '', re.sub(r'\+0x[0-9a-f]+', '', s)))
    return out


def main(path, requests=None):
    counts, total = collections.Counter(), 0
    for block in open(path).read().split('\n\n'):
        fs = frames(block)
        if not fs:
            continue
        total += 1
        name = 'other (libc, OpenSSL, runtime helpers, unresolved)'
        for f in fs:
            hit = next((b for b, pattern in BUCKETS if re.search(pattern, f)), None)
            if hit:
                name = hit
                break
        counts[name] += 1
    hz = 2000  # bench/profile.sh samples at 2 kHz per CPU
    print(f'{total} samples ({total / hz:.1f} s of CPU)' + (f', {requests} requests: {total / hz * 1e6 / requests:.1f} µs per request' if requests else ''))
    print('| where | share of the process\'s CPU |' + (' µs per request |' if requests else ''))
    print('|---|---|' + ('---|' if requests else ''))
    for name, n in counts.most_common():
        print(f'| {name} | {100 * n / total:.1f} % |' + (f' {n / hz * 1e6 / requests:.1f} |' if requests else ''))


if __name__ == '__main__':
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else None)
