// The fresh-install smoke test (test/fresh-install.sh), run in a new project
// that installed convnode from its tarball: the native backend on this CPU's
// best ISA path with every core, and LeNet trained (in the fit worker) on
// embedded images to a sane accuracy.
//   node smoke.js [--expect-isa neon] [--images N]
'use strict';
const assert = require('node:assert');
const os = require('node:os');
const cn = require('convnode');

const arg = (name, dflt) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : dflt);

async function main() {
  const info = cn.runtimeInfo();
  const cores = os.availableParallelism();
  console.log(`runtimeInfo: ${info.backend} backend, ISA path ${info.native?.isa} (available: ${info.native?.availableIsas}), ` +
    `${info.native?.numThreads} threads on ${cores} cores, OpenMP ${info.native?.openmp}`);
  assert.strictEqual(info.backend, 'native', 'the native backend loads');
  assert.strictEqual(info.native.isa, info.native.availableIsas[0], 'the best ISA path is chosen');
  const expected = arg('--expect-isa', null);
  if (expected !== null) assert.strictEqual(info.native.isa, expected);
  else assert.ok(['avx512', 'avx2'].includes(info.native.isa), `an x86 SIMD path, got ${info.native.isa}`);
  assert.ok(info.native.openmp && (info.native.numThreads > 1 || cores === 1), 'threads on every core');

  cn.manualSeed(0);
  const { train, test } = cn.loadMnistFolder(cn.embeddedMnistDir());
  const images = Number(arg('--images', 2000));
  const model = cn.models.lenet();
  const t0 = Date.now();
  await cn.fit({ model, optimizer: new cn.SGD(model.parameters(), { lr: 0.05, momentum: 0.9 }) }, train.take(images), {
    epochs: 2, batchSize: 32, verbose: false, seed: 1,
  });
  const { accuracy } = cn.evaluate({ model }, test.take(1000));
  console.log(`LeNet, ${images} training images, 2 epochs: test accuracy ${(100 * accuracy).toFixed(1)}% on 1000 images (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  assert.ok(accuracy > 0.7, `a sane accuracy, got ${accuracy}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
