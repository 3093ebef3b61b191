// For the tests that compare the native backend with the TypeScript one or
// drive the addon itself: both backends, the addon, and the ISA paths of
// this CPU. Importing this file needs the addon.
import { jsBackend } from '../lib/backend/js';
import { loadNative, type NativeAddon } from '../lib/backend/native';
import type { Backend, IsaName } from '../lib/backend/types';

const load = loadNative();
if (!load.ok) throw new Error(`these tests need the native addon: ${load.reason}`);
export const addon: NativeAddon = load.addon;
export const native: Backend = load.backend;
export const js: Backend = jsBackend;
export const ISAS: IsaName[] = addon.info().availableIsas;

/** Runs body once per ISA path this CPU has, restoring the best path after. */
export function forEachIsa(body: (isa: IsaName) => void): void {
  try {
    for (const isa of ISAS) {
      addon.setIsa(isa);
      body(isa);
    }
  } finally {
    addon.setIsa(ISAS[0]!);
  }
}
