// Two checkouts of convnode side by side in one run (a change's before and
// after): node bench/compare-trees.js BEFORE_DIR AFTER_DIR [threads]. Each
// round starts one process per tree, in alternating order; a process warms
// every case up for 300 ms, then reports its best time of 9 (5 for
// SmallVGG); the table gives the median over 5 rounds. Both trees need a
// build (npm run build:ts and the addon).
const { execFileSync } = require('child_process');
const [, , first, second, threadArg] = process.argv;
if (first === '--case-run') {
  const which = second;
  const cn = require(which + '/dist/index.js');
  const b = cn.nativeBackend();
  const threads = Number(threadArg ?? 2);
  cn.setNumThreads(threads);
  cn.manualSeed(0);
  const rnd = (n) => { const a = new Float32Array(n); for (let i = 0; i < n; i++) a[i] = Math.sin(i * 12.9898) * 0.5; return a; };
  const convs = { a: [64, 1, 28, 6, 5, 1, 2], b: [64, 6, 14, 16, 5, 1, 0], c: [32, 3, 32, 32, 3, 1, 1], d: [16, 64, 56, 64, 3, 1, 1], e: [16, 64, 56, 128, 3, 2, 1], f: [16, 256, 14, 256, 3, 1, 1], g: [16, 256, 14, 64, 1, 1, 0] };
  const cases = {};
  for (const [name, [n, c, h, k, f, s, p]] of Object.entries(convs)) {
    const shape = { n, c, h, w: h, k, kh: f, kw: f, strideH: s, strideW: s, padH: p, padW: p };
    const ho = Math.floor((h + 2 * p - f) / s) + 1;
    const x = rnd(n * c * h * h), w = rnd(k * c * f * f), y = new Float32Array(n * k * ho * ho), dy = rnd(y.length), dx = new Float32Array(x.length), dw = new Float32Array(w.length);
    cases[`conv ${name} fwd`] = () => b.conv2dForward(shape, x, w, null, y);
    cases[`conv ${name} dX`] = () => b.conv2dBackwardData(shape, dy, w, dx);
    cases[`conv ${name} dW`] = () => b.conv2dBackwardWeight(shape, x, dy, dw);
  }
  const pool = { mode: 'max', n: 16, c: 64, h: 112, w: 112, kh: 3, kw: 3, strideH: 2, strideW: 2, padH: 1, padW: 1 };
  const px = rnd(16 * 64 * 112 * 112), py = new Float32Array(16 * 64 * 56 * 56), pdx = new Float32Array(px.length);
  cases['maxpool 3x3s2 fwd+bwd'] = () => { b.pool2dForward(pool, px, py); b.pool2dBackward(pool, px, py, pdx); };
  const p2 = { mode: 'max', n: 64, c: 32, h: 28, w: 28, kh: 2, kw: 2 };
  const qx = rnd(64 * 32 * 28 * 28), qy = new Float32Array(64 * 32 * 14 * 14), qdx = new Float32Array(qx.length);
  cases['maxpool 2x2 fwd+bwd'] = () => { b.pool2dForward(p2, qx, qy); b.pool2dBackward(p2, qx, qy, qdx); };
  const ga = rnd(1024 * 1024), gb = rnd(1024 * 1024), gc = new Float32Array(1024 * 1024);
  cases['gemm 1024'] = () => b.gemm({ m: 1024, n: 1024, k: 1024 }, ga, gb, gc);
  const sa = rnd(256 * 256), sb = rnd(256 * 256), sc = new Float32Array(256 * 256);
  cases['gemm 256'] = () => b.gemm({ m: 256, n: 256, k: 256 }, sa, sb, sc);
  for (const model of ['lenet', 'smallVgg']) {
    const m = cn.models[model]();
    const opt = model === 'lenet' ? new cn.SGD(m.parameters(), { lr: 0.01, momentum: 0.9 }) : new cn.Adam(m.parameters(), { lr: 1e-3 });
    const x = new cn.Tensor(rnd(64 * 784), [64, 1, 28, 28]), yl = Int32Array.from({ length: 64 }, (_, i) => i % 10);
    cases[`${model} train step b64`] = () => cn.trainStep({ model: m, optimizer: opt }, x, yl);
    const xi = new cn.Tensor(rnd(256 * 784), [256, 1, 28, 28]);
    cases[`${model} predict b256`] = () => cn.predict(m, xi);
  }
  const t4 = new Float32Array(4), t4y = new Float32Array(4);
  cases['relu 4 elements (x1000)'] = () => { for (let i = 0; i < 1000; i++) b.activationForward({ kind: 'relu' }, t4, t4y); };
  const out = {};
  for (const [name, f] of Object.entries(cases)) {
    // Warm up for 300 ms (at least 3 calls): the JIT and the buffer pools settle.
    for (let t0 = Date.now(), i = 0; i < 3 || Date.now() - t0 < 300; i++) f();
    const reps = name.startsWith('smallVgg') ? 5 : 9;
    let best = Infinity;
    for (let r = 0; r < reps; r++) { const t = process.hrtime.bigint(); f(); best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e6); }
    out[name] = best;
  }
  console.log(JSON.stringify(out));
} else {
  const path = require('path');
  if (!first || !second) throw new Error('usage: node bench/compare-trees.js BEFORE_DIR AFTER_DIR [threads]');
  const trees = { old: path.resolve(first), new: path.resolve(second) };
  const threads = threadArg ?? '2';
  const res = { old: [], new: [] };
  for (let round = 0; round < 5; round++)
    for (const k of round % 2 ? ['new', 'old'] : ['old', 'new'])
      res[k].push(JSON.parse(execFileSync(process.execPath, [__filename, '--case-run', trees[k], threads]).toString()));
  const med = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };
  const info = require(path.join(trees.new, 'dist', 'index.js')).runtimeInfo();
  console.log(`CPU: ${require('os').cpus()[0].model}, ${require('os').cpus().length} cores; native ISA path: ${info.native.isa}; ${threads} thread(s); median over 5 alternating rounds of each process's best (ms)`);
  console.log(`| case | before (${first}) ms | after (${second}) ms | after/before |\n|---|---|---|---|`);
  for (const name of Object.keys(res.old[0])) {
    const o = med(res.old.map((r) => r[name])), n = med(res.new.map((r) => r[name]));
    console.log(`| ${name} | ${o.toFixed(3)} | ${n.toFixed(3)} | ${(n / o).toFixed(2)} |`);
  }
}
