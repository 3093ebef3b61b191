"""PyTorch as a benchmark peer for `npm run bench` (optional).

    python3 bench/pytorch_peer.py THREADS

A long-lived process driven by bench/src/pytorch.ts over stdin/stdout, one
JSON object per line:
  {"op": "info"} -> {"version", "config", "blas"}
  {"op": "prepare", "id": 3, "case": {...}}  -> {"ok": true} | {"unsupported": "why"}
  {"op": "run", "id": 3, "reps": 40} -> {"seconds": total for reps runs}
It times its own repetitions so that the pipe's latency is not measured.
One process per thread count, set once at start (torch.set_num_threads,
with OMP_NUM_THREADS set to the same by the caller): switching the count
inside one process between samples made its 2-thread training slower than
its 1-thread one. OpenBLAS runs each case on every thread or on one,
whichever is faster for it (measured when the case is prepared). The caller also removes
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


class BasicBlock(nn.Module):
    """torchvision's BasicBlock, as convnode's (lib/models/resnet.ts)."""
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None if stride == 1 and cin == cout else \
            nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        return F.relu(out + (x if self.downsample is None else self.downsample(x)))


def resnet20():
    """ResNet-20 for 3x32x32 images, as convnode's models.resnet20()."""
    layers, cin = [nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU()], 16
    for i, c in enumerate([16, 32, 64]):
        for b in range(3):
            layers.append(BasicBlock(cin, c, 2 if i > 0 and b == 0 else 1))
            cin = c
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


MODELS = {"lenet": lenet, "smallvgg": smallvgg, "resnet20": resnet20}
# Each model's image shape and optimizer, as the bench's convnode contender
# builds them from lib/models (MODEL_INPUTS, the zoo's recipes).
INPUTS = {"lenet": (1, 28, 28), "smallvgg": (1, 28, 28), "resnet20": (3, 32, 32)}
OPTIMIZERS = {
    "lenet": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9),
    "smallvgg": lambda p: torch.optim.Adam(p, lr=1e-3),
    "resnet20": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, weight_decay=5e-4),
}


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
        model = MODELS[case["model"]]()
        x = torch.randn(case["batch"], *INPUTS[case["model"]])
        if kind == "infer":
            model.eval()

            def infer():
                with torch.no_grad():
                    model(x)
            return infer
        y = torch.randint(0, 10, (case["batch"],))
        opt = OPTIMIZERS[case["model"]](model.parameters())

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


def openblas_threads():
    """A setter of OpenBLAS's thread count (a no-op without OpenBLAS)."""
    for lib in sorted({line.split()[-1] for line in open('/proc/self/maps') if 'openblas' in line.split()[-1].lower()}):
        return ctypes.CDLL(lib).openblas_set_num_threads
    return lambda n: None


def fastest_blas_threads(fn, threads, set_blas_threads, rounds=5, span=0.03):
    """1 or `threads`: the OpenBLAS thread count under which fn is faster.

    The two settings take turns for `rounds` rounds, each timing fn for at
    least `span` seconds, and the medians decide. (The best of three single
    calls per setting, one setting after the other, picked the wrong one for
    LeNet's 2-thread step on a noisy machine: 16.9k images/s against the
    plain loop's 23.0k.)
    """
    if threads == 1:
        fn()
        return 1
    for n in (1, threads):
        set_blas_threads(n)
        fn()
    per_call = {1: [], threads: []}
    for _ in range(rounds):
        for n in (1, threads):
            set_blas_threads(n)
            calls, t0 = 0, time.perf_counter()
            while True:
                fn()
                calls += 1
                elapsed = time.perf_counter() - t0
                if elapsed >= span:
                    break
            per_call[n].append(elapsed / calls)
    median = {n: sorted(ts)[len(ts) // 2] for n, ts in per_call.items()}
    return min(median, key=median.get)


def main():
    threads = int(sys.argv[1])
    torch.set_num_threads(threads)
    set_blas_threads = openblas_threads()
    runners = {}
    for line in sys.stdin:
        msg = json.loads(line)
        try:
            if msg["op"] == "prepare":
                # PyTorch at its best: OpenBLAS on every thread or on one,
                # whichever runs this case faster. A bare GEMM wants them all;
                # LeNet's training wants one (PyTorch's OpenMP threads call
                # BLAS, and two teams would share two cores: 16.4k -> 20.6k
                # images/s), ResNet-20's wants both (400 -> 722 images/s).
                fn = prepare(msg["case"])
                blas_threads = fastest_blas_threads(fn, threads, set_blas_threads)
                set_blas_threads(blas_threads)
                runners[msg["id"]] = (fn, blas_threads)
                reply = {"ok": True, "blasThreads": blas_threads}
            elif msg["op"] == "run":
                fn, blas_threads = runners[msg["id"]]
                set_blas_threads(blas_threads)
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
