import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { errataMarkdown } from '../../src/report/markdown.js';

describe('docs/errata.md', () => {
  test('is the current output of errataMarkdown() (regenerate with: node scripts/write-errata.mjs after npm run build)', () => {
    const onDisk = readFileSync(new URL('../../docs/errata.md', import.meta.url), 'utf8');
    expect(onDisk).toBe(errataMarkdown());
  });
  test('names the Table 3 findings with numbers', () => {
    const text = errataMarkdown();
    expect(text).toContain('0.5863, 0.5923, 0.7438');
    expect(text).toContain('No reading found reproduces the Unet column');
    expect(text).toContain('Ps = 4096 bytes');
  });
});
