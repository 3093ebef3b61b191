// The fallback users get where the addon cannot load. test/js-only.sh runs
// this (with the kernel suite) in a copy of the sources that has no native
// build at all, with CONVNODE_JS_ONLY=1; the main run checks the other side.
import { describe, expect, it } from 'vitest';
import { nativeStatus, runtimeInfo, useBackend } from '../lib/backend';
import { BACKENDS } from './helpers';

describe('the native addon, present or absent', () => {
  it('is reported unavailable with the reason exactly when it cannot load, and the TypeScript backend runs', () => {
    const status = nativeStatus();
    if (process.env['CONVNODE_JS_ONLY'] === '1') expect(status.available, 'js-only.sh removed the addon').toBe(false);
    if (status.available) {
      expect(runtimeInfo().native).not.toBeNull();
      expect(BACKENDS.map((b) => b.name)).toContain(process.env['CONVNODE_BACKEND'] === 'js' ? 'js' : 'native');
      return;
    }
    expect(status.reason).toMatch(/^the native addon could not be loaded \(.+\)\. Platform linux-/);
    expect(runtimeInfo()).toMatchObject({ backend: 'js', native: null, nativeUnavailableReason: status.reason });
    expect(() => useBackend('native')).toThrow(/useBackend\('native'\) needs the native backend, but the native addon could not be loaded/);
    expect(BACKENDS.map((b) => b.name)).toEqual(['js']);
  });
});
