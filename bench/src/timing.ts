// Timing that holds up on a noisy 2-core machine: the contenders of a case
// take turns (one run each per round) rather than each running in a block,
// a warm-up round comes first, and the report keeps the median and the
// spread of the rounds. A contender whose single run would blow the time
// budget is not run at all: its estimated time is reported instead.
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { PAUSE_MS, sleep, waitForQuiet } from './quiet';

/** One runnable thing: prepare once, then time run() repeatedly. */
export interface Runner {
  /**
   * Puts the contender's settings in place (backend, ISA path, threads) at
   * the start of each sample, not in every run: they are calls into the
   * addon too, and a 64-cubed GEMM is only about 7 µs.
   */
  enter?(): void | Promise<void>;
  run(): void | Promise<void>;
  /** Runs reps times and returns the seconds it measured itself (for out-of-process peers, so IPC is not timed). */
  timed?(reps: number): Promise<number>;
  /**
   * The machine's peak (GFLOP/s) for this contender, probed just before each
   * of its samples: this VM's clock moves by up to 10% from one minute to
   * the next, so a fraction of peak taken against a probe run minutes
   * earlier measures the clock as much as the kernel.
   */
  peak?(): number;
}

/** A contender's answer for one case: a runner, or why it cannot do the case. */
export type Prepared = { runner: Runner } | { unsupported: string };

export interface Measurement {
  /** Median seconds per run, and the fastest and slowest rounds. */
  median: number;
  min: number;
  max: number;
  /** Timed samples, and how many runs each sample averages. */
  runs: number;
  repsPerSample: number;
  /** Per round: seconds per run, and the peak probed just before (runners with peak()). */
  samples?: number[];
  peaks?: number[];
}

export type Outcome = { kind: 'measured'; m: Measurement } | { kind: 'unsupported'; reason: string } | { kind: 'skipped'; reason: string };

export interface TimingOptions {
  /** Rounds after the warm-up (each contender takes one sample per round). */
  rounds: number;
  /**
   * A sample repeats a fast case until it lasts this long (the count is set
   * in the warm-up), so timer resolution and waking sleeping threads do not
   * dominate small cases.
   */
  minSample: number;
  /** Seconds a contender may spend on one case. */
  budget: number;
  warmup: boolean;
  /**
   * The warm-up goes on until a contender has run this long (within a
   * quarter of its budget): V8 optimises a JavaScript path only after it
   * has run a while, and before that LeNet's batch-1 inference took 100-220
   * us a call against 27 us after 0.3 s. A service sees the latter.
   */
  warmupSeconds: number;
  /**
   * Before each sample, wait (up to 0.4 s) until the machine is idle
   * (quiet.ts); otherwise a fixed 20 ms pause. Full runs wait; the quick
   * run, which the tests run beside other test files, pauses.
   */
  waitForIdle: boolean;
}

const now = () => performance.now() / 1000;

/**
 * A full garbage collection, when the runtime lets us call one. Without it a
 * contender pays, inside its timed sample, for the garbage the previous
 * contender left (tfjs leaves megabytes per run). It runs to the end before
 * returning (execution 'sync'): a plain gc() left V8 finishing its work
 * during the next 60 ms, and LeNet's batch-1 inference took 36-870 us a
 * call there against 27 us (the bench read its 1-thread row, which follows
 * tfjs in each round, at 58 us; its 2-thread row, which follows convnode's
 * own 1-thread one, at 32 us).
 */
const collectGarbage: () => void = (() => {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as unknown;
    if (typeof gc === 'function') return () => (gc as (o: object) => void)({ type: 'major', execution: 'sync' });
  } catch { /* fall through: no forced collections */ }
  return () => {};
})();

/**
 * Lets the machine go quiet between two contenders' samples: collect the
 * previous one's garbage, then wait until no thread (ours or another
 * process's: spinning OpenMP and OpenBLAS workers) is still busy, so none
 * competes with the next sample for the two cores (quiet.ts).
 */
async function settle(waitForIdle: boolean): Promise<void> {
  collectGarbage();
  await (waitForIdle ? waitForQuiet() : sleep(PAUSE_MS));
}

async function timeRuns(r: Runner, reps: number): Promise<number> {
  if (r.timed) return r.timed(reps);
  await r.enter?.();
  const t0 = now();
  for (let i = 0; i < reps; i++) {
    // Only a promise is awaited: awaiting a plain value still waits a
    // microtask turn, which a microsecond-sized kernel call would pay.
    const pending = r.run();
    if (pending !== undefined) await pending;
  }
  return now() - t0;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Times every contender of one case, interleaved. `estimate(name)` may
 * predict a contender's seconds per run (from its speed on earlier cases);
 * above the budget the contender is skipped with that estimate as reason.
 */
export async function timeCase(
  contenders: Array<{ name: string; prepare: () => Promise<Prepared>; estimate?: number | undefined }>,
  o: TimingOptions,
): Promise<Record<string, Outcome>> {
  const out: Record<string, Outcome> = {};
  const live: Array<{ name: string; runner: Runner; times: number[]; peaks: number[]; spent: number; reps: number }> = [];
  for (const c of contenders) {
    // Checked before preparing: preparing may itself run the operation once.
    if (c.estimate !== undefined && c.estimate > o.budget) {
      out[c.name] = { kind: 'skipped', reason: `estimated ${formatSeconds(c.estimate)} per run, over the ${o.budget} s budget` };
      continue;
    }
    const prepared = await c.prepare();
    if ('unsupported' in prepared) out[c.name] = { kind: 'unsupported', reason: prepared.unsupported };
    else live.push({ name: c.name, runner: prepared.runner, times: [], peaks: [], spent: 0, reps: 1 });
  }
  if (o.warmup) {
    for (const c of live) {
      // The fastest of a few runs: the first may include waking threads or faulting in buffers.
      let best = Infinity;
      for (let i = 0; i < 3 && c.spent < o.budget / 4; i++) {
        const t = await timeRuns(c.runner, 1);
        c.spent += t;
        best = Math.min(best, t);
      }
      c.reps = Math.max(1, Math.min(100000, Math.ceil(o.minSample / Math.max(best, 1e-7))));
      while (c.spent < o.warmupSeconds && c.spent < o.budget / 4) c.spent += await timeRuns(c.runner, c.reps);
    }
  }
  for (let round = 0; round < o.rounds; round++) {
    let any = false;
    for (const c of live) {
      // After the first timed run, stop once the budget is spent.
      if (c.times.length > 0 && c.spent >= o.budget) continue;
      if (live.length > 1) await settle(o.waitForIdle);
      if (c.runner.peak) c.peaks.push(c.runner.peak());
      // A sample of many short runs starts with one untimed run: after the
      // pause its data may be out of the caches (other processes ran) and
      // its threads asleep, which a plain loop of the same call never sees
      // (LeNet's training step: 1.73 ms in a loop, 2.05-2.85 ms in the bench).
      if (c.reps > 1) c.spent += await timeRuns(c.runner, 1);
      const t = await timeRuns(c.runner, c.reps);
      c.times.push(t / c.reps);
      c.spent += t;
      any = true;
    }
    if (!any) break;
  }
  for (const c of live) {
    const perRound = c.peaks.length > 0 ? { samples: c.times, peaks: c.peaks } : {};
    out[c.name] = { kind: 'measured', m: { median: median(c.times), min: Math.min(...c.times), max: Math.max(...c.times), runs: c.times.length, repsPerSample: c.reps, ...perRound } };
  }
  return out;
}

export function formatSeconds(s: number): string {
  if (s >= 3600) return `${(s / 3600).toFixed(1)} h`;
  if (s >= 60) return `${(s / 60).toFixed(1)} min`;
  if (s >= 1) return `${s.toFixed(1)} s`;
  if (s >= 1e-3) return `${(s * 1e3).toFixed(2)} ms`;
  return `${(s * 1e6).toFixed(2)} µs`;
}
