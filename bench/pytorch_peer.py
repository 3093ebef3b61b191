"""PyTorch as a benchmark peer for `npm run bench` (optional).

    python3 bench/pytorch_peer.py THREADS

A long-lived process driven by bench/src/pytorch.ts over stdin/stdout, one
JSON object per line:
  {"op": "info"} -> {"version", "config", "blas"}
  {"op": "prepare", "id": 3, "case": {...}}  -> {"ok": true} | {"unsupported": "why"}
  {"op": "run", "id": 3, "reps": 40} -> {"seconds": total for reps runs}
It times its own repetitions so that the pipe's latency is not measured.
One process per thread count, set once at start (torch.set_num_threads,
with OMP_NUM_THREADS and OPENBLAS_NUM_THREADS set to the same by the
caller): switching the count inside one process between samples made its
2-thread training slower than its 1-thread one. The caller also removes
OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE from this process's environment,
which this machine sets and which cripple OpenBLAS's GEMM; "info" reports
which BLAS library and which OpenBLAS kernel actually run.
"""
import ctypes
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 100), nn.ReLU(), nn.Linear(100, 10))


def smallvgg():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 256), nn.ReLU(), nn.Linear(256, 10))


def prepare(case):
    kind = case["kind"]
    if kind == "gemm":
        a, b = torch.randn(case["m"], case["k"]), torch.randn(case["k"], case["n"])
        c = torch.empty(case["m"], case["n"])
        return lambda: torch.mm(a, b, out=c)
    if kind == "conv":
        s = case["shape"]
        stride, pad = (s["strideH"], s["strideW"]), (s["padH"], s["padW"])
        x = torch.randn(s["n"], s["c"], s["h"], s["w"])
        w = torch.randn(s["k"], s["c"], s["kh"], s["kw"])
        y = F.conv2d(x, w, stride=stride, padding=pad)
        dy = torch.randn_like(y)
        if case["dir"] == "forward":
            return lambda: F.conv2d(x, w, stride=stride, padding=pad)
        mask = [True, False, False] if case["dir"] == "backwardData" else [False, True, False]
        return lambda: torch.ops.aten.convolution_backward(
            dy, x, w, None, list(stride), list(pad), [1, 1], False, [0, 0], 1, mask)
    if kind == "pool":
        s = case["shape"]
        x = torch.randn(s["n"], s["c"], s["h"], s["w"], requires_grad=True)
        pool = F.max_pool2d if s["mode"] == "max" else F.avg_pool2d
        args = dict(kernel_size=(s["kh"], s["kw"]), stride=(s["strideH"], s["strideW"]), padding=(s["padH"], s["padW"]))
        dy = torch.randn_like(pool(x, **args))

        def run():
            pool(x, **args).backward(dy)
        return run
    if kind in ("train", "infer"):
        model = lenet() if case["model"] == "lenet" else smallvgg()
        x = torch.randn(case["batch"], 1, 28, 28)
        if kind == "infer":
            model.eval()

            def infer():
                with torch.no_grad():
                    model(x)
            return infer
        y = torch.randint(0, 10, (case["batch"],))
        opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9) if case["model"] == "lenet" \
            else torch.optim.Adam(model.parameters(), lr=1e-3)

        def step():
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()
        return step
    if kind == "tiny":
        t = torch.randn(4)
        calls = case["calls"]

        def tiny():
            for _ in range(calls):
                torch.relu(t)
        return tiny
    raise ValueError(f"unknown case kind {kind}")


def blas():
    """The BLAS library torch's GEMM loaded, and for OpenBLAS its build and kernel (core)."""
    a = torch.randn(64, 64)
    torch.mm(a, a)
    libs = sorted({line.split()[-1] for line in open('/proc/self/maps') if 'blas' in line.split()[-1].lower()})
    for lib in libs:
        if 'openblas' in lib:
            handle = ctypes.CDLL(lib)
            out = {}
            for name in ('openblas_get_config', 'openblas_get_corename'):
                fn = getattr(handle, name)
                fn.restype = ctypes.c_char_p
                out[name] = fn().decode()
            return {'library': lib, 'openblas': out['openblas_get_config'], 'core': out['openblas_get_corename'],
                    'threads': handle.openblas_get_num_threads()}
    return {'library': libs[0] if libs else 'none found', 'openblas': None,
            'warning': 'not OpenBLAS: the reference BLAS runs GEMM at a few GFLOP/s (Debian: apt-get install libopenblas0-pthread)'}


def main():
    torch.set_num_threads(int(sys.argv[1]))
    runners = {}
    for line in sys.stdin:
        msg = json.loads(line)
        try:
            if msg["op"] == "prepare":
                fn = prepare(msg["case"])
                fn()
                runners[msg["id"]] = fn
                reply = {"ok": True}
            elif msg["op"] == "run":
                fn = runners[msg["id"]]
                t0 = time.perf_counter()
                for _ in range(msg["reps"]):
                    fn()
                reply = {"seconds": time.perf_counter() - t0}
            elif msg["op"] == "info":
                reply = {"version": torch.__version__, "config": torch.__config__.show()[:2000], "blas": blas(),
                         "threads": torch.get_num_threads()}
            else:
                reply = {"error": f"unknown op {msg['op']}"}
        except Exception as err:  # an op PyTorch cannot do is reported, not fatal
            reply = {"unsupported": f"{type(err).__name__}: {err}"[:200]}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
