import { afterEach, beforeEach, vi } from 'vitest';

// A test that writes to the console unasked is a bug (stray debug output, an unexpected warning).
// Tests that exercise printing capture output themselves.
let spies: Array<ReturnType<typeof vi.spyOn>> = [];
beforeEach(() => {
  spies = (['log', 'warn', 'error', 'info', 'debug'] as const).map((m) => vi.spyOn(console, m));
});
afterEach(() => {
  const calls = spies.flatMap((s) => s.mock.calls);
  for (const s of spies) s.mockRestore();
  if (calls.length > 0) {
    throw new Error(`unexpected console output: ${JSON.stringify(calls[0]).slice(0, 200)}`);
  }
});
