// Waiting for the machine to go quiet before a timed sample. Other
// contenders' threads keep running after their work: an OpenBLAS worker in
// the PyTorch peer busy-waits for about 2^28 cycles (measured: 0.13 s of CPU
// during a 0.5 s sleep after a 2-thread matrix product), long past a fixed
// pause, and on a 2-core machine it takes half of the next sample's cores.
// So a sample starts only once the cores are idle, by /proc/stat (Linux;
// elsewhere the fixed pause alone).
import * as fs from 'node:fs';
import * as os from 'node:os';

/** Busy and total jiffies over all CPUs, or undefined where /proc/stat is missing. */
function cpuTimes(): { busy: number; total: number } | undefined {
  let line: string | undefined;
  try {
    line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
  } catch {
    return undefined;
  }
  const fields = line?.trim().split(/\s+/).slice(1).map(Number) ?? [];
  if (fields.length < 4 || fields.some((f) => !Number.isFinite(f))) return undefined;
  const idle = fields[3]! + (fields[4] ?? 0); // idle + iowait
  const total = fields.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The shortest pause between two contenders' samples, and the window busy cores are measured over. */
export const PAUSE_MS = 20;

/** How many cores were busy, on average, over the next `ms` milliseconds (undefined: cannot tell). */
export async function busyCores(ms: number): Promise<number | undefined> {
  const a = cpuTimes();
  await sleep(ms);
  const b = cpuTimes();
  if (!a || !b || b.total <= a.total) return undefined;
  return ((b.busy - a.busy) / (b.total - a.total)) * os.cpus().length;
}

/**
 * Returns once fewer than `threshold` cores were busy over a `window` ms
 * window, or after `maxMs`; how long it waited, in ms.
 */
export async function waitForQuiet(threshold = 0.2, window = PAUSE_MS, maxMs = 400): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < maxMs) {
    const busy = await busyCores(window);
    if (busy === undefined || busy < threshold) break;
  }
  return performance.now() - t0;
}
