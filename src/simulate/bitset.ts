/**
 * Page bitmaps as Uint32Array words (bit p of the bitmap is bit p & 31 of word p >>> 5). Word-level kernels
 * only: a 64 GiB VM of 4 KiB pages is 16,777,216 bits = 2 MiB per bitmap.
 */

/** Number of 32-bit words for a bitmap of `bits` bits. */
export function wordsFor(bits: number): number {
  return Math.ceil(bits / 32);
}

/** Population count of a 32-bit word (SWAR). @example popcount32(0xff) // 8 */
export function popcount32(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** Bits set in the whole bitmap. */
export function countBits(words: Uint32Array): number {
  let c = 0;
  for (let i = 0; i < words.length; i++) c += popcount32(words[i]!);
  return c;
}

/** Mask of the bits of word `w` that fall in the page range [from, to). */
export function rangeMask(w: number, from: number, to: number): number {
  const lo = w * 32;
  const a = Math.max(from - lo, 0);
  const b = Math.min(to - lo, 32);
  if (b <= a) return 0;
  const high = b === 32 ? 0xffffffff : (1 << b) - 1;
  const low = a === 0 ? 0 : (1 << a) - 1;
  return (high & ~low) >>> 0;
}

/** Sets bits [from, to) and returns how many of them were not set before. */
export function setRange(words: Uint32Array, from: number, to: number): number {
  if (to <= from) return 0;
  let added = 0;
  const w0 = from >>> 5;
  const w1 = (to - 1) >>> 5;
  for (let w = w0; w <= w1; w++) {
    const m = w === w0 || w === w1 ? rangeMask(w, from, to) : 0xffffffff;
    const old = words[w]!;
    added += popcount32(m & ~old);
    words[w] = old | m;
  }
  return added;
}

/** Clears bits [from, to) and returns how many of them were set. */
export function clearRange(words: Uint32Array, from: number, to: number): number {
  if (to <= from) return 0;
  let removed = 0;
  const w0 = from >>> 5;
  const w1 = (to - 1) >>> 5;
  for (let w = w0; w <= w1; w++) {
    const m = w === w0 || w === w1 ? rangeMask(w, from, to) : 0xffffffff;
    const old = words[w]!;
    removed += popcount32(m & old);
    words[w] = old & ~m;
  }
  return removed;
}
