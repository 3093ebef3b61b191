// The native kernels' scratch memory is bounded (issue 19, item 6): the
// direct forward pass works in bands when padding is huge, a buffer grown
// past 64 MiB is returned when its call ends, and a call that would need
// more than CONVNODE_SCRATCH_LIMIT_MB per thread is a RangeError naming the
// kernel, before anything is allocated. Each case runs in its own process,
// so that its memory (peak and resident) is its own.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const dist = path.resolve(__dirname, '..', 'dist', 'index.js');
const MiB = 2 ** 20;

/** Runs `body` (CommonJS; `b` is the native backend) in a fresh process; returns what it printed as JSON. */
function inProcess(body: string, env: Record<string, string> = {}): Record<string, unknown> {
  const script = `const b = require(${JSON.stringify(dist)}).nativeBackend();
    const rss = () => process.memoryUsage().rss;
    const out = {}; ${body}; console.log(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, CONVNODE_BACKEND: '', ...env } });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

// A 1 x 1 filter over a 1 x 1 image padded by P: a (2P + 1)^2 output,
// bias everywhere but the centre, which is w * x + bias.
const P = 3000, SIDE = 2 * P + 1, CENTRE = P * SIDE + P;
const shape = `{ n: 1, c: 1, h: 1, w: 1, k: 1, kh: 1, kw: 1, padH: ${P}, padW: ${P} }`;

describe('kernel scratch memory is bounded', () => {
  it('a 1x1 convolution padded by 3000 computes its 144 MB output with bounded scratch', () => {
    const out = inProcess(`
      const y = new Float32Array(${SIDE * SIDE});
      y.fill(7); // touched now, so the baseline includes the output
      const before = rss();
      b.conv2dForward(${shape}, new Float32Array([2]), new Float32Array([3]), new Float32Array([0.5]), y);
      out.growth = process.resourceUsage().maxRSS * 1024 - before;
      out.centre = y[${CENTRE}]; out.corner = y[0]; out.last = y[y.length - 1]; out.left = y[${CENTRE - 1}];
      let other = 0; for (let i = 0; i < y.length; i++) if (i !== ${CENTRE} && y[i] !== 0.5) other++;
      out.other = other;`);
    expect(out).toMatchObject({ centre: 6.5, corner: 0.5, last: 0.5, left: 0.5, other: 0 });
    // Whole-image scratch would be about 3 outputs (430 MB); bands stay under 64 MiB a thread.
    expect(out['growth'] as number).toBeLessThan(160 * MiB);
  });

  it('a call that grows scratch past 64 MiB returns it when it ends', () => {
    const out = inProcess(`
      const dy = new Float32Array(${SIDE * SIDE}).fill(1), dw = new Float32Array(1);
      const before = rss();
      b.conv2dBackwardWeight(${shape}, new Float32Array([2]), dy, dw);
      out.peak = process.resourceUsage().maxRSS * 1024 - before;
      out.kept = rss() - before;
      out.dw = dw[0];`);
    expect(out['dw']).toBe(2); // only the centre tap sees x; dy is all ones
    expect(out['peak'] as number, 'the call really used large scratch').toBeGreaterThan(200 * MiB);
    expect(out['kept'] as number).toBeLessThan(32 * MiB);
  });

  it('a call past CONVNODE_SCRATCH_LIMIT_MB is a RangeError naming the kernel, the size and the variable', () => {
    const out = inProcess(`
      const dy = new Float32Array(${SIDE * SIDE}).fill(1), dw = new Float32Array(1);
      try { b.conv2dBackwardWeight(${shape}, new Float32Array([2]), dy, dw); out.ok = true; }
      catch (e) { out.type = e.constructor.name; out.message = e.message; }
      out.limit = require(${JSON.stringify(dist)}).runtimeInfo().native.scratchLimitBytes;
      // The process goes on: a small call after the refusal works.
      const y = new Float32Array(1); b.conv2dForward({ n: 1, c: 1, h: 1, w: 1, k: 1, kh: 1, kw: 1 }, new Float32Array([2]), new Float32Array([3]), null, y);
      out.after = y[0];`, { CONVNODE_SCRATCH_LIMIT_MB: '100' });
    expect(out['type']).toBe('RangeError');
    expect(out['message']).toMatch(/^conv2dBackwardWeight: this call needs \d+ MiB of kernel scratch memory per thread .*more than the limit of 100 MiB \(CONVNODE_SCRATCH_LIMIT_MB\)/);
    expect(out['limit']).toBe(100 * MiB);
    expect(out['after']).toBe(6);
  });
});
