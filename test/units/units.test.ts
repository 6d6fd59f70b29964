import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  UnitError,
  dirtyPagesPerSecond,
  formatDuration,
  formatRate,
  formatSize,
  parseDirtyRate,
  NumberError,
  parseDuration,
  parseFraction,
  parseNumber,
  parseRate,
  parseSize,
} from '../../src/units/index.js';

describe('lower-case b in a size is an error, never bits', () => {
  it.each([
    ['64gb', "'64GB', '64GiB' or '64Gbit'"],
    ['4kb', "'4kB', '4KiB' or '4kbit'"],
    ['1Mb', "'1MB', '1MiB' or '1Mbit'"],
    ['2 tb', "'2TB', '2TiB' or '2Tbit'"],
    ['8b', "'8B' or '8bit'"],
  ])('parseSize(%j) suggests %s', (text, suggestion) => {
    expect(() => parseSize(text)).toThrow(UnitError);
    expect(() => parseSize(text)).toThrow(suggestion);
  });
  it('bits written out are still bits, and rates keep Gb/s as bits', () => {
    expect(parseSize('1Mbit')).toBe(125_000);
    expect(parseRate('10Gb/s')).toBe(1.25e9);
  });
});

describe('parseNumber and parseFraction', () => {
  it.each([
    ['4096', 4096],
    ['4.096e3', 4096],
    ['1e-3', 0.001],
    [' 0.05 ', 0.05],
    ['-2', -2],
  ])('parseNumber(%j) is %d', (text, v) => {
    expect(parseNumber(text)).toBe(v);
  });
  it.each(['', '4KiB', 'NaN', 'Infinity', '1,5', '1e999', '0x10'])('parseNumber(%j) throws NumberError', (t) => {
    expect(() => parseNumber(t)).toThrow(NumberError);
  });
  it.each([
    ['0.4', 0.4],
    ['40%', 0.4], // 40 / 100, exactly the double nearest 0.4
    ['40 %', 0.4],
    ['5e-2', 0.05],
    ['0.5%', 0.005],
  ])('parseFraction(%j) is %d', (text, v) => {
    expect(parseFraction(text)).toBe(v);
  });
  it.each(['%', 'forty%', '40%%', '0.4x'])('parseFraction(%j) throws NumberError', (t) => {
    expect(() => parseFraction(t)).toThrow(NumberError);
  });
  // -0 prints as '0', so it is left out of the property.
  test.prop([fc.double({ min: -1e6, max: 1e6, noNaN: true }).filter((x) => !Object.is(x, -0))])(
    'a percentage is the number over 100',
    (x) => {
      expect(parseFraction(`${x}%`)).toBe(x / 100);
    },
  );
});

describe('parseSize', () => {
  it.each([
    ['4096', 4096],
    ['16KB', 16_000], // bare KB is the SI kilobyte (README "Units")
    ['16kB', 16_000],
    ['16KiB', 16_384],
    ['64GiB', 64 * 2 ** 30],
    ['1.5 MiB', 1.5 * 2 ** 20],
    ['2TB', 2e12],
    ['8 bytes', 8],
    ['1Mbit', 125_000],
    ['1e3B', 1000],
  ])('parseSize(%s) is %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes);
  });
  it.each(['', 'KB', '16 furlongs', '16KB/s', 'NaN', 'Infinity', '1,5KB', '--3'])(
    'parseSize(%j) throws UnitError',
    (t) => {
      expect(() => parseSize(t)).toThrow(UnitError);
    },
  );
});

describe('parseRate', () => {
  it.each([
    ['60KB/s', 60_000],
    ['60 KB/sec', 60_000], // the paper writes KB/sec
    ['125MB/s', 125e6],
    ['10Gbit/s', 1.25e9],
    ['10Gbps', 1.25e9],
    ['10 Gb/s', 1.25e9],
    ['1.5 MiB/s', 1.5 * 2 ** 20],
    ['100MBps', 1e8],
    ['1000', 1000],
    ['8bit/s', 1],
  ])('parseRate(%s) is %d bytes/s', (text, bps) => {
    expect(parseRate(text)).toBe(bps);
  });
  it.each(['10Gbit', '10 /s', 'fast', '10Gbit/h'])('parseRate(%j) throws UnitError', (t) => {
    expect(() => parseRate(t)).toThrow(UnitError);
  });
});

describe('parseDuration', () => {
  it.each([
    ['300ms', 0.3],
    ['2s', 2],
    ['1.5min', 90],
    ['1h', 3600],
    ['250us', 0.00025],
    ['30 ms', 0.03],
  ])('parseDuration(%s) is %d s', (text, s) => {
    expect(parseDuration(text)).toBe(s);
  });
  it('parseDuration rejects a bare number (ms or s would be a guess)', () => {
    expect(() => parseDuration('300')).toThrow(/unit/);
  });
});

describe('parseDirtyRate', () => {
  it('a bare number and "pages/s" are pages per second', () => {
    expect(parseDirtyRate('2')).toEqual({ pagesPerSecond: 2 });
    expect(parseDirtyRate('1.8 pages/s')).toEqual({ pagesPerSecond: 1.8 });
  });
  it('a byte rate is converted with the page size', () => {
    const r = parseDirtyRate('8MB/s');
    expect(r).toEqual({ bytesPerSecond: 8e6 });
    expect(dirtyPagesPerSecond(r, 4000)).toBe(2000);
  });
  it('rejects an unknown unit', () => {
    expect(() => parseDirtyRate('3 apples')).toThrow(UnitError);
  });
});

describe('format/parse round trip', () => {
  test.prop([fc.double({ min: 0, max: 1e18, noNaN: true })], { seed: 20131 })('parseSize(formatSize(x)) === x', (x) => {
    expect(parseSize(formatSize(x))).toBe(x);
  });
  test.prop([fc.double({ min: 0, max: 1e15, noNaN: true })], { seed: 20132 })('parseRate(formatRate(x)) === x', (x) => {
    expect(parseRate(formatRate(x))).toBe(x);
  });
  test.prop([fc.double({ min: 0, max: 1e7, noNaN: true })], { seed: 20133 })(
    'parseDuration(formatDuration(x)) === x',
    (x) => {
      expect(parseDuration(formatDuration(x))).toBe(x);
    },
  );
  it('formats pick the natural unit', () => {
    expect(formatSize(16384)).toBe('16KiB');
    expect(formatSize(16000)).toBe('16kB');
    expect(formatRate(60000)).toBe('60kB/s');
    expect(formatDuration(0.3)).toBe('300ms');
    expect(formatDuration(90)).toBe('90s');
  });
});
