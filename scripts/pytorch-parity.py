#!/usr/bin/env python3
"""Reference values from PyTorch for the parity tests (test/parity.*.test.ts).

Run with Debian's PyTorch (apt-get install python3-torch):
    /usr/bin/python3 scripts/pytorch-parity.py
It rewrites test/fixtures/parity/*.json; the tests read those files and
need no Python. Every input is written out too, so a test feeds convnode
exactly what PyTorch was fed.
"""
import json
import math
import os

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'parity')


def write(name, data):
    data = {'generator': 'scripts/pytorch-parity.py', 'torch': torch.__version__, **data}
    with open(os.path.join(OUT, name), 'w') as f:
        json.dump(data, f, indent=1, allow_nan=False)
        f.write('\n')


def floats(t):
    """The values; NaN and the infinities as the strings "NaN", "Infinity" and
    "-Infinity" (JSON has none of them; the tests map them back)."""
    def one(v):
        if math.isnan(v):
            return 'NaN'
        if math.isinf(v):
            return 'Infinity' if v > 0 else '-Infinity'
        return float(v)
    return [one(v) for v in t.flatten().tolist()]


def schedulers():
    """Per-group learning rates epoch by epoch, stepped as a training loop steps them."""
    def run(make, epochs):
        params = [torch.nn.Parameter(torch.zeros(1)), torch.nn.Parameter(torch.zeros(1))]
        opt = torch.optim.SGD([{'params': [params[0]], 'lr': 0.1}, {'params': [params[1]], 'lr': 0.02}], lr=1.0)
        sched = make(opt)
        lrs = []
        for _ in range(epochs):
            lrs.append([g['lr'] for g in opt.param_groups])
            opt.step()
            sched.step()
        return lrs
    return {
        'groups': [0.1, 0.02],
        'stepLR': {'stepSize': 2, 'gamma': 0.5, 'lrs': run(lambda o: torch.optim.lr_scheduler.StepLR(o, 2, 0.5), 8)},
        'cosine': {'tMax': 4, 'etaMin': 0.01, 'lrs': run(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, 4, 0.01), 13)},
    }


def optimizers():
    """Parameters after each of 4 steps with fixed gradients (large, then small: AMSGrad's maximum matters)."""
    torch.manual_seed(1)
    p0 = torch.randn(7)
    grads = [torch.randn(7) * (2.0 if i < 2 else 0.1) for i in range(4)]
    cases = {
        'adam amsgrad': (torch.optim.Adam, {'lr': 0.01, 'weight_decay': 0.1, 'amsgrad': True}),
        'adamw amsgrad': (torch.optim.AdamW, {'lr': 0.01, 'weight_decay': 0.1, 'amsgrad': True}),
        'rmsprop': (torch.optim.RMSprop, {'lr': 0.01}),
        'rmsprop centered momentum': (torch.optim.RMSprop, {'lr': 0.01, 'alpha': 0.9, 'weight_decay': 0.05, 'momentum': 0.8, 'centered': True}),
    }
    out = {'p0': floats(p0), 'grads': [floats(g) for g in grads], 'cases': {}}
    for name, (ctor, kw) in cases.items():
        p = torch.nn.Parameter(p0.clone())
        opt = ctor([p], **kw)
        steps = []
        for g in grads:
            p.grad = g.clone()
            opt.step()
            steps.append(floats(p.detach()))
        out['cases'][name] = {'options': kw, 'params': steps}
    return out


def losses():
    torch.manual_seed(0)
    logits = torch.randn(3, 4)
    # Rows summing to 1, to 0.6, and to 1.5.
    target = torch.tensor([[0.1, 0.2, 0.3, 0.4], [0.0, 0.6, 0.0, 0.0], [0.5, 0.25, 0.25, 0.5]])
    z = logits.clone().requires_grad_(True)
    loss = F.cross_entropy(z, target)  # mean over rows of sum_j -t_j log softmax(z)_j
    loss.backward()
    z2 = torch.tensor([[0.0, math.log(3.0)]], requires_grad=True)  # softmax [.25, .75]
    l2 = F.cross_entropy(z2, torch.tensor([1])) * 0.5
    l2.backward()
    return {
        'soft': {'rows': 3, 'cols': 4, 'logits': floats(logits), 'target': floats(target), 'loss': float(loss), 'dlogits': floats(z.grad)},
        'inPlace': {'probs': [0.25, 0.75], 'label': 1, 'scale': 0.5, 'dlogits': floats(z2.grad)},
    }


def cross_entropy_options():
    """F.cross_entropy with weight, label_smoothing, ignore_index and each reduction; loss and d loss / d logits."""
    torch.manual_seed(2)
    logits = torch.randn(4, 3)
    weight = torch.tensor([0.2, 1.0, 3.0])
    soft = torch.softmax(torch.randn(4, 3), dim=1)
    cases = []
    for labels in ([0, 2, 1, 2], [0, -100, 1, 2]):
        for w in (None, weight):
            for eps in (0.0, 0.1):
                for reduction in ('mean', 'sum', 'none'):
                    cases.append(('labels', labels, w, eps, reduction))
    for w in (None, weight):
        for eps in (0.0, 0.25):
            cases.append(('soft', None, w, eps, 'mean'))
    out = []
    for kind, labels, w, eps, reduction in cases:
        z = logits.clone().requires_grad_(True)
        target = torch.tensor(labels) if kind == 'labels' else soft
        loss = F.cross_entropy(z, target, weight=w, label_smoothing=eps, reduction=reduction)
        upstream = torch.tensor([1.0, 2.0, 3.0, 4.0]) if reduction == 'none' else torch.tensor(1.0)
        loss.backward(upstream)
        out.append({
            'labels': labels, 'soft': kind == 'soft', 'weight': None if w is None else floats(w), 'labelSmoothing': eps,
            'reduction': reduction, 'upstream': floats(upstream.reshape(-1)), 'loss': floats(loss.detach().reshape(-1)),
            'dlogits': floats(z.grad),
        })
    return {'logits': floats(logits), 'soft': floats(soft), 'cases': out}


def write_safetensors(path, tensors):
    """The safetensors format as safetensors.torch writes it (Debian has no
    python3-safetensors): u64 header length, JSON header, raw little-endian
    data; F32 and I64 (a BatchNorm's num_batches_tracked)."""
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().contiguous()
        dtype = {torch.float32: 'F32', torch.int64: 'I64'}[t.dtype]
        data = t.numpy().astype(t.numpy().dtype.newbyteorder('<')).tobytes()
        header[name] = {'dtype': dtype, 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    raw = json.dumps(header, separators=(',', ':')).encode()
    raw += b' ' * ((8 - (8 + len(raw)) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(len(raw).to_bytes(8, 'little'))
        f.write(raw)
        for b in blobs:
            f.write(b)


class Block(torch.nn.Module):
    """convnode's ResidualBlock(2, 4, stride 2), with the same parameter names."""
    def __init__(self):
        super().__init__()
        nn = torch.nn
        self.body = nn.Sequential(nn.Conv2d(2, 4, 3, 2, 1, bias=False), nn.BatchNorm2d(4), nn.ReLU(),
                                  nn.Conv2d(4, 4, 3, 1, 1, bias=False), nn.BatchNorm2d(4))
        self.shortcut = nn.Sequential(nn.Conv2d(2, 4, 1, 2, bias=False), nn.BatchNorm2d(4))

    def forward(self, x):
        return F.relu(self.body(x) + self.shortcut(x))


def batchnorm():
    """A conv-BN-residual block: PyTorch's files (I64 num_batches_tracked), two
    training passes (running statistics, input gradient), then evaluation; and
    a BatchNorm with momentum None (a cumulative average over the batches)."""
    torch.manual_seed(3)
    block = Block()
    with torch.no_grad():
        for m in block.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.5, 0.5)
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 2.0)
                m.num_batches_tracked.fill_(5)
    write_safetensors(os.path.join(OUT, 'residual-initial.safetensors'), block.state_dict())
    x1, x2, x3 = torch.randn(3, 2, 8, 8), torch.randn(3, 2, 8, 8), torch.randn(2, 2, 8, 8)
    block.train()
    x1g = x1.clone().requires_grad_(True)
    y1 = block(x1g)
    g1 = torch.randn_like(y1)
    y1.backward(g1)
    block(x2)
    block.eval()
    with torch.no_grad():
        y3 = block(x3)
    write_safetensors(os.path.join(OUT, 'residual-final.safetensors'), block.state_dict())
    final = {k: floats(v.float()) for k, v in block.state_dict().items()}
    bn = torch.nn.BatchNorm2d(3, momentum=None)
    xs = [torch.randn(4, 3, 5, 5) * (i + 1) for i in range(3)]
    bn.train()
    for x in xs:
        bn(x)
    return {
        'x1': floats(x1), 'x2': floats(x2), 'x3': floats(x3), 'y1': floats(y1.detach()), 'g1': floats(g1), 'dx1': floats(x1g.grad),
        'y3': floats(y3), 'final': final,
        'cumulative': {'xs': [floats(x) for x in xs], 'runningMean': floats(bn.running_mean), 'runningVar': floats(bn.running_var),
                       'numBatchesTracked': int(bn.num_batches_tracked)},
    }


def read_safetensors(path):
    raw = open(path, 'rb').read()
    header_len = int.from_bytes(raw[:8], 'little')
    header = json.loads(raw[8:8 + header_len])
    state = {}
    for name, e in header.items():
        if name == '__metadata__':
            continue
        start, end = 8 + header_len + e['data_offsets'][0], 8 + header_len + e['data_offsets'][1]
        dt = {'F32': torch.float32, 'I64': torch.int64}[e['dtype']]
        state[name] = torch.frombuffer(bytearray(raw[start:end]), dtype=dt).reshape(e['shape'])
    return state


def verify(path):
    """A convnode-written weights file (test/parity.io.test.ts writes one from
    residual-final) loads into PyTorch's block and equals residual-final:
    the other direction of the round trip, checked where PyTorch runs."""
    block = Block()
    block.load_state_dict(read_safetensors(path), strict=True)
    want = read_safetensors(os.path.join(OUT, 'residual-final.safetensors'))
    for name, value in block.state_dict().items():
        assert value.dtype == want[name].dtype, (name, value.dtype, want[name].dtype)
        assert torch.equal(value, want[name]), name
    print('ok:', path, 'loads into PyTorch strictly and equals residual-final.safetensors, dtypes included')


def activations():
    x = torch.tensor([float('nan'), -1.0, -0.25, 0.0, 0.25, 2.0])
    out = {'x': floats(x), 'kinds': {}}
    for kind, f in [
        ('relu', torch.relu),
        ('leakyRelu', lambda v: F.leaky_relu(v, 0.2)),
        ('hardtanh', lambda v: F.hardtanh(v, -0.5, 0.5)),
        ('sigmoid', torch.sigmoid),
        ('tanh', torch.tanh),
    ]:
        v = x.clone().requires_grad_(True)
        y = f(v)
        y.backward(torch.ones_like(y))
        out['kinds'][kind] = {'y': floats(y), 'dx': floats(v.grad)}
    # Max pooling with a NaN in a window: PyTorch propagates it.
    p = torch.tensor([[[[1.0, float('nan'), 0.0, 3.0], [2.0, -1.0, 4.0, 1.0]]]])
    out['maxPool'] = {'x': floats(p), 'shape': [1, 1, 2, 4], 'y': floats(F.max_pool2d(p, 2))}
    return out


def conv_by_definition(x, wt, dy, stride, pad):
    """y, dx, dw summed over the taps inside the image only (padding is never
    multiplied), in float64 loops independent of any convolution library."""
    n, c, h, w = x.shape
    k, _, kh, kw = wt.shape
    _, _, ho, wo = dy.shape
    xs, ws, dys = x.double().tolist(), wt.double().tolist(), dy.double().tolist()
    y = [[[[0.0] * wo for _ in range(ho)] for _ in range(k)] for _ in range(n)]
    dx = [[[[0.0] * w for _ in range(h)] for _ in range(c)] for _ in range(n)]
    dw = [[[[0.0] * kw for _ in range(kh)] for _ in range(c)] for _ in range(k)]
    for i in range(n):
        for ko in range(k):
            for oh in range(ho):
                for ow in range(wo):
                    for ci in range(c):
                        for a in range(kh):
                            ih = oh * stride - pad + a
                            for b in range(kw):
                                iw = ow * stride - pad + b
                                if 0 <= ih < h and 0 <= iw < w:
                                    y[i][ko][oh][ow] += xs[i][ci][ih][iw] * ws[ko][ci][a][b]
                                    dx[i][ci][ih][iw] += dys[i][ko][oh][ow] * ws[ko][ci][a][b]
                                    dw[ko][ci][a][b] += dys[i][ko][oh][ow] * xs[i][ci][ih][iw]
    return torch.tensor(y), torch.tensor(dx), torch.tensor(dw)


def conv_nonfinite():
    """conv2d forward, backward data and backward weight with one Inf in x, w
    or dy. Small whole numbers everywhere, so every finite sum is exact and
    the only question is where Inf and NaN land. 'y', 'dx' and 'dw' are the
    definition's values; 'torch' is what PyTorch computed, which agrees with
    them except where its im2col path (batch 1 here) multiplies padding."""
    cases = []
    shapes = [
        # n, c, h, w, k, kh, kw, stride, pad
        (2, 3, 7, 7, 4, 3, 3, 1, 1),
        (2, 3, 7, 7, 4, 3, 3, 1, 0),
        (1, 2, 9, 9, 3, 3, 3, 2, 1),
        (1, 1, 8, 8, 6, 5, 5, 1, 0),
        (1, 2, 6, 6, 20, 3, 3, 1, 2),
    ]
    for shape in shapes:
        n, c, h, w, k, kh, kw, stride, pad = shape
        for where in ['x', 'w', 'dy']:
            for index, sign in [(0, 1.0), (17, -1.0)]:
                g = torch.Generator().manual_seed(len(cases))
                x = torch.randint(-3, 4, (n, c, h, w), generator=g).float()
                wt = torch.randint(-3, 4, (k, c, kh, kw), generator=g).float()
                ho = (h + 2 * pad - kh) // stride + 1
                wo = (w + 2 * pad - kw) // stride + 1
                dy = torch.randint(-3, 4, (n, k, ho, wo), generator=g).float()
                t = {'x': x, 'w': wt, 'dy': dy}[where]
                t.view(-1)[index % t.numel()] = sign * float('inf')
                xv = x.clone().requires_grad_(True)
                wv = wt.clone().requires_grad_(True)
                y = F.conv2d(xv, wv, stride=stride, padding=pad)
                y.backward(dy)
                y_def, dx_def, dw_def = conv_by_definition(x, wt, dy, stride, pad)
                cases.append({
                    'shape': {'n': n, 'c': c, 'h': h, 'w': w, 'k': k, 'kh': kh, 'kw': kw,
                              'strideH': stride, 'strideW': stride, 'padH': pad, 'padW': pad},
                    'inf': f'{"-" if sign < 0 else ""}Inf in {where}[{index % t.numel()}]',
                    'x': floats(x), 'w': floats(wt), 'dy': floats(dy),
                    'y': floats(y_def), 'dx': floats(dx_def), 'dw': floats(dw_def),
                    'torch': {'y': floats(y.detach()), 'dx': floats(xv.grad), 'dw': floats(wv.grad)},
                })
    return {'cases': cases}


class TinyResNet(torch.nn.Module):
    """torchvision's ResNet structure and names (conv1, bn1, layerK.B.conv1,
    downsample.0/1, fc) at any width and depth, as convnode's ResNet builds
    it: torchvision's own class fixes the widths at 64..512."""
    def __init__(self, stem, blocks, width, in_channels, num_classes):
        super().__init__()
        from torchvision.models.resnet import BasicBlock
        nn = torch.nn
        if stem == 'imagenet':
            self.conv1 = nn.Conv2d(in_channels, width, 7, 2, 3, bias=False)
            self.maxpool = nn.MaxPool2d(3, 2, 1)
        else:
            self.conv1 = nn.Conv2d(in_channels, width, 3, 1, 1, bias=False)
            self.maxpool = nn.Identity()
        self.bn1 = nn.BatchNorm2d(width)
        inplanes = width
        for i, n in enumerate(blocks):
            planes, stride = width * 2 ** i, 1 if i == 0 else 2
            layer = []
            for b in range(n):
                down = None
                if b == 0 and (stride != 1 or inplanes != planes):
                    down = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))
                layer.append(BasicBlock(inplanes if b == 0 else planes, planes, stride if b == 0 else 1, down))
            inplanes = planes
            setattr(self, f'layer{i + 1}', nn.Sequential(*layer))
        self.depth = len(blocks)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(inplanes, num_classes)

    def forward(self, x):
        x = self.maxpool(F.relu(self.bn1(self.conv1(x))))
        for i in range(self.depth):
            x = getattr(self, f'layer{i + 1}')(x)
        return self.fc(torch.flatten(self.avgpool(x), 1))


def adaptive_pooling():
    """adaptive_avg_pool2d forward and backward, for sizes that divide the
    input (a plain average pool) and sizes that do not (overlapping windows)."""
    torch.manual_seed(5)
    cases = []
    for shape, size in [([2, 3, 7, 5], [3, 2]), ([1, 2, 5, 5], [3, 3]), ([2, 2, 6, 4], [3, 2]), ([2, 3, 5, 7], [1, 1]), ([1, 1, 4, 6], [4, 6])]:
        x = torch.randn(*shape, requires_grad=True)
        y = F.adaptive_avg_pool2d(x, size)
        g = torch.randn_like(y)
        y.backward(g)
        cases.append({'shape': shape, 'size': size, 'x': floats(x.detach()), 'y': floats(y.detach()), 'g': floats(g), 'dx': floats(x.grad)})
    return {'cases': cases}


def resnets():
    """torchvision resnet18's state_dict names and shapes; and two small
    ResNets (a CIFAR stem and an ImageNet stem) with random weights and
    running statistics: eval outputs, and one training-mode forward and
    backward (logits, loss, gradients), for convnode to reproduce from the
    same weights."""
    import torchvision
    r18 = torchvision.models.resnet18(num_classes=10)
    out = {'resnet18': {k: list(v.shape) for k, v in r18.state_dict().items()}, 'torchvision': torchvision.__version__, 'tiny': []}
    configs = [
        {'stem': 'cifar', 'blocks': [1, 2, 1], 'width': 4, 'inChannels': 3, 'numClasses': 5, 'input': [2, 3, 12, 12]},
        {'stem': 'imagenet', 'blocks': [1, 1], 'width': 4, 'inChannels': 2, 'numClasses': 3, 'input': [3, 2, 33, 29]},
    ]
    for i, c in enumerate(configs):
        torch.manual_seed(10 + i)
        m = TinyResNet(c['stem'], c['blocks'], c['width'], c['inChannels'], c['numClasses'])
        with torch.no_grad():
            for name, b in m.named_buffers():
                if name.endswith('running_mean'):
                    b.uniform_(-0.5, 0.5)
                elif name.endswith('running_var'):
                    b.uniform_(0.5, 2.0)
            for name, p in m.named_parameters():
                if '.bn' in name or name.startswith('bn') or 'downsample.1' in name:
                    p.uniform_(0.5, 1.5) if name.endswith('weight') else p.uniform_(-0.2, 0.2)
        file = f'resnet-{c["stem"]}.safetensors'
        write_safetensors(os.path.join(OUT, file), m.state_dict())
        x = torch.randn(*c['input'])
        m.eval()
        with torch.no_grad():
            y_eval = m(x)
        m.train()
        labels = torch.arange(c['input'][0]) % c['numClasses']
        logits = m(x)
        loss = F.cross_entropy(logits, labels)
        loss.backward()
        grads = {k: floats(p.grad) for k, p in m.named_parameters() if k in ('conv1.weight', 'fc.weight', 'layer2.0.downsample.0.weight', 'layer1.0.bn2.weight')}
        out['tiny'].append({**{k: v for k, v in c.items()}, 'weights': file, 'x': floats(x), 'eval': floats(y_eval),
                            'train': floats(logits.detach()), 'labels': labels.tolist(), 'loss': float(loss), 'grads': grads})
    return out


if __name__ == '__main__':
    import sys
    if len(sys.argv) == 3 and sys.argv[1] == '--verify':
        verify(sys.argv[2])
        sys.exit(0)
    os.makedirs(OUT, exist_ok=True)
    write('schedulers.json', schedulers())
    write('losses.json', losses())
    write('optimizers.json', optimizers())
    write('cross-entropy.json', cross_entropy_options())
    write('batchnorm.json', batchnorm())
    write('activations.json', activations())
    write('conv-nonfinite.json', conv_nonfinite())
    write('resnets.json', resnets())
    write('adaptive-pooling.json', adaptive_pooling())
    print('wrote', sorted(os.listdir(OUT)))
