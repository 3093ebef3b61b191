// Which backend runs the kernels. The native addon when it loads, else the
// TypeScript backend with one warning. CONVNODE_BACKEND=native|js or
// useBackend() forces either: forcing native when it cannot load is an
// error, not a silent fallback.
import { jsBackend } from './js';
import { loadNative, type NativeAddon, type NativeLoad } from './native';
import type { Backend, BackendName, IsaName, NativeInfo } from './types';

let nativeLoad: NativeLoad | undefined;
let active: Backend | undefined;
let warned = false;

function native(): NativeLoad {
  nativeLoad ??= loadNative();
  return nativeLoad;
}

function requireNative(what: string): NativeAddon {
  const load = native();
  if (!load.ok) throw new Error(`convnode: ${what} needs the native backend, but ${load.reason}`);
  return load.addon;
}

function parseBackendName(value: unknown, source: string): BackendName {
  if (value === 'native' || value === 'js') return value;
  throw new RangeError(`convnode: ${source} must be 'native' or 'js', got ${JSON.stringify(value)}`);
}

/** The backend kernels run on now. */
export function backend(): Backend {
  if (active !== undefined) return active;
  const env = process.env['CONVNODE_BACKEND'];
  if (env !== undefined && env !== '') {
    active = useBackend(parseBackendName(env, 'CONVNODE_BACKEND'));
    return active;
  }
  const load = native();
  if (load.ok) {
    active = load.backend;
    reportIsaChoice(load.addon);
  } else {
    if (!warned) {
      warned = true;
      process.emitWarning(`${load.reason} Falling back to the TypeScript backend (correct, but much slower).`, {
        code: 'CONVNODE_NATIVE_UNAVAILABLE',
      });
    }
    active = jsBackend;
  }
  return active;
}

/**
 * Says what CONVNODE_ISA did when it could not be honoured (always a
 * warning), and with CONVNODE_LOG=1 which path the kernels use.
 */
function reportIsaChoice(addon: NativeAddon): void {
  const info = addon.info();
  if (info.isaEnvNote !== '' && !info.isaEnvNote.endsWith('selected')) {
    process.emitWarning(info.isaEnvNote, { code: 'CONVNODE_ISA_UNAVAILABLE' });
  }
  for (const note of info.envNotes) process.emitWarning(note, { code: 'CONVNODE_ENV_IGNORED' });
  if (process.env['CONVNODE_LOG'] === '1') {
    process.stderr.write(`convnode: native backend, ISA path ${info.isa} (${info.gemmKernel}), ${info.numThreads} thread(s)\n`);
  }
}

/** Forces a backend; throws if 'native' is asked for and cannot load. */
export function useBackend(name: BackendName): Backend {
  if (parseBackendName(name, 'backend name') === 'js') {
    active = jsBackend;
  } else {
    requireNative("useBackend('native')");
    const load = native();
    if (load.ok) active = load.backend;
  }
  return active ?? jsBackend;
}

/** Whether the native addon loads here, and if not, why. */
export function nativeStatus(): { available: true } | { available: false; reason: string } {
  const load = native();
  return load.ok ? { available: true } : { available: false, reason: load.reason };
}

export interface RuntimeInfo {
  backend: BackendName;
  native: NativeInfo | null;
  nativeUnavailableReason?: string;
}

/** The active backend and, when the addon loads, its ISA path and threads. */
export function runtimeInfo(): RuntimeInfo {
  const load = native();
  const name = backend().name;
  return load.ok ? { backend: name, native: load.addon.info() } : { backend: name, native: null, nativeUnavailableReason: load.reason };
}

/** Switches the native kernels to another ISA path this CPU supports (see runtimeInfo().native.availableIsas). */
export function setIsa(isa: IsaName): void {
  requireNative('setIsa')['setIsa'](isa);
}

/** Threads used by native kernels (default: CONVNODE_NUM_THREADS, else every core). */
export function setNumThreads(n: number): void {
  requireNative('setNumThreads').setNumThreads(n);
}

export function getNumThreads(): number {
  const load = native();
  return load.ok ? load.addon.info().numThreads : 1;
}

/** The native backend, or null when the addon cannot load. */
export function nativeBackend(): Backend | null {
  const load = native();
  return load.ok ? load.backend : null;
}

export { jsBackend };
