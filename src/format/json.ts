/**
 * Guards for JSON text from outside (HTTP bodies, QMP peers): the nesting depth, found by one scan before
 * JSON.parse or any recursive walk (key mapping, zod) sees the value, so deep input is refused with a one-line
 * error instead of a RangeError stack trace.
 */

/** Deepest JSON accepted from a peer or a request by default (real inputs nest fewer than 10 levels). */
export const MAX_JSON_DEPTH = 64;

/**
 * The nesting depth of a JSON text (arrays and objects), skipping strings; stops early once past `limit` and
 * then returns limit + 1. Linear in the text, no recursion.
 * @example jsonDepth('{"a": [1, "[["]}') // 2
 */
export function jsonDepth(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > limit) return limit + 1;
      }
    } else if (c === 125 || c === 93) depth--;
  }
  return max;
}
