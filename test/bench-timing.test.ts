// The bench's timing loop: a contender's settings are put in place once per
// sample (Runner.enter), never inside the timed runs, and a runner that
// returns a promise is awaited before the next run starts; before a sample
// it can wait for the machine to go idle, and a sample of many runs starts
// with one untimed run.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { busyCores, waitForQuiet } from '../bench/src/quiet';
import { timeCase, type Runner } from '../bench/src/timing';

const options = { rounds: 3, minSample: 0, budget: 10, warmup: true, warmupSeconds: 0, waitForIdle: false };

describe('timeCase', () => {
  it('calls enter once per sample (warm-up runs included), before that sample\'s runs', async () => {
    const log: string[] = [];
    const runner: Runner = { enter: () => { log.push('enter'); }, run: () => { log.push('run'); } };
    // A sample of several runs (a run takes well under the 0.5 ms sample).
    const out = await timeCase([{ name: 'a', prepare: async () => ({ runner }) }], { ...options, minSample: 0.0005 });
    expect(out.a?.kind).toBe('measured');
    const samples = log.join(' ').split('enter').slice(1).map((s) => s.trim());
    // Three warm-up samples of one run, then per round an untimed run and the sample.
    expect(samples.length).toBe(3 + 2 * options.rounds);
    for (const s of samples) {
      expect(s.length).toBeGreaterThan(0);
      expect(s.split(' ').every((w) => w === 'run')).toBe(true);
    }
    const m = out.a?.kind === 'measured' ? out.a.m : undefined;
    expect(m?.runs).toBe(options.rounds);
    expect(m?.repsPerSample).toBeGreaterThan(1);
    expect(log.filter((w) => w === 'run').length).toBe(3 + options.rounds * (1 + (m?.repsPerSample ?? 0)));
    // Each timed sample (the 2nd, 4th, ... after the warm-up) holds repsPerSample runs; the untimed one, one.
    expect(samples.slice(3).map((x) => x.split(' ').length)).toEqual(
      Array.from({ length: options.rounds }, () => [1, m?.repsPerSample ?? 0]).flat());
  });

  it('probes a runner\'s peak just before each timed sample and keeps it beside that sample', async () => {
    const log: string[] = [];
    let probes = 0;
    const runner: Runner = { enter: () => { log.push('enter'); }, run: () => { log.push('run'); }, peak: () => { log.push('peak'); return 100 + probes++; } };
    const out = await timeCase([{ name: 'a', prepare: async () => ({ runner }) }], options);
    const m = out.a?.kind === 'measured' ? out.a.m : undefined;
    expect(m?.peaks).toEqual([100, 101, 102]);
    expect(m?.samples?.length).toBe(options.rounds);
    expect(Math.min(...m!.samples!)).toBe(m?.min);
    // No probe in the warm-up; in each round, the probe, then the sample.
    expect(log.join(' ')).toBe(['enter run', 'enter run', 'enter run', ...Array.from({ length: options.rounds }, () => 'peak enter run')].join(' '));
  });

  it('warms a contender up until it has run warmupSeconds, within a quarter of its budget', async () => {
    // A run of about 1 ms: 0.05 s of warm-up is some 50 runs (the 3 single ones, then samples of reps).
    let runs = 0;
    const spin = () => { runs++; const end = performance.now() + 1; while (performance.now() < end); };
    await timeCase([{ name: 'a', prepare: async () => ({ runner: { run: spin } }) }], { ...options, rounds: 1, minSample: 0.005, warmupSeconds: 0.05 });
    const warm = runs;
    expect(warm).toBeGreaterThanOrEqual(40);
    expect(warm).toBeLessThan(120);
    // The budget caps it: a quarter of 0.02 s is 5 ms, about 5 runs of warm-up.
    runs = 0;
    await timeCase([{ name: 'a', prepare: async () => ({ runner: { run: spin } }) }], { ...options, rounds: 1, minSample: 0.005, warmupSeconds: 0.05, budget: 0.02 });
    expect(runs).toBeLessThan(20);
  });

  it('awaits an async run before starting the next', async () => {
    let inFlight = 0, overlapped = false;
    const runner: Runner = {
      run: async () => {
        overlapped ||= inFlight > 0;
        inFlight++;
        await new Promise((resolve) => setTimeout(resolve, 1));
        inFlight--;
      },
    };
    const out = await timeCase([{ name: 'a', prepare: async () => ({ runner }) }], { ...options, minSample: 0.005 });
    expect(out.a?.kind).toBe('measured');
    expect(overlapped).toBe(false);
  });
});

describe('waiting for an idle machine (bench/src/quiet.ts)', () => {
  it('sees a spinning thread as a busy core, and waits for it up to its limit', async () => {
    // A worker that spins for 0.6 s: whatever else runs, at least ~1 core is busy meanwhile.
    const spinner = new Worker('const end = Date.now() + 600; while (Date.now() < end);', { eval: true });
    try {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const busy = await busyCores(100);
      if (busy === undefined) return expect(fs.existsSync('/proc/stat')).toBe(false); // not Linux: nothing to read
      expect(busy).toBeGreaterThan(0.7);
      const waited = await waitForQuiet(0.2, 20, 200);
      expect(waited).toBeGreaterThanOrEqual(190); // still spinning: the limit, not earlier
      expect(waited).toBeLessThan(400);
    } finally {
      await spinner.terminate();
    }
  });
});
