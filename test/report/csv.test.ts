import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { CsvError, csvField, toCsv } from '../../src/report/csv.js';

describe('csv writer (RFC 4180)', () => {
  test('csvField quotes commas, quotes and line breaks, doubling quotes', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('plain')).toBe('plain');
  });
  test('csvField writes numbers at full precision (shortest round trip)', () => {
    expect(csvField(0.1 + 0.2)).toBe('0.30000000000000004');
    expect(csvField(8 / 15)).toBe('0.5333333333333333');
    expect(csvField(-0)).toBe('0');
    expect(csvField(true)).toBe('true');
  });
  test('csvField refuses NaN and Infinity', () => {
    expect(() => csvField(Number.NaN)).toThrow(CsvError);
    expect(() => csvField(Number.POSITIVE_INFINITY)).toThrow(/non-finite/);
  });
  test('toCsv ends every line with CRLF and rejects ragged records', () => {
    expect(toCsv(['x', 'y'], [[1, 'a b']])).toBe('x,y\r\n1,a b\r\n');
    expect(() => toCsv(['x', 'y'], [[1]])).toThrow(/record 1 has 1 fields, expected 2/);
  });
  test('csv-parse reads back exactly what was written (property, seeded)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true })), { maxLength: 20 }),
        (records) => {
          const text = toCsv(['s', 'x'], records);
          const back = parse(text, { columns: true, record_delimiter: '\r\n' }) as { s: string; x: string }[];
          expect(back).toHaveLength(records.length);
          back.forEach((r, i) => {
            expect(r.s).toBe(records[i]![0]);
            expect(Number(r.x)).toBe(Object.is(records[i]![1], -0) ? 0 : records[i]![1]);
          });
        },
      ),
      { seed: 20130905, numRuns: 200 },
    );
  });
});
