// The one loop that drives a run (run.ts) to its end, for every way of
// training: fitSync (callbacks answered at once), fit on this thread
// (callbacks awaited, the event loop given a turn between batches) and the
// training worker (each event sent to the main thread, the answer awaited
// on a shared flag). `answer` says, for each event, whether to stop.
import type { Event, RunGenerator } from './run';

export function driveRun(run: RunGenerator, answer: (ev: Event) => boolean): void {
  let stop = false;
  for (let step = run.next(false); !step.done; step = run.next(stop)) stop = answer(step.value);
}

export async function driveRunAsync(run: RunGenerator, answer: (ev: Event) => Promise<boolean>): Promise<void> {
  let stop = false;
  for (let step = run.next(false); !step.done; step = run.next(stop)) stop = await answer(step.value);
}
