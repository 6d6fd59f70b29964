/** Reads a dirty-page trace file (the edge of src/simulate that touches the file system). */
import { readFileSync } from 'node:fs';
import { ModelInputError } from '../model/errors.js';
import { type ParsedTrace, parseTrace } from './trace.js';

/**
 * Reads and parses a trace file in the v1 text format (see ./trace.ts and docs/simulator.md).
 * @throws {ModelInputError} parameter `trace`: unreadable file or bad content
 */
export function readTraceFile(path: string): ParsedTrace {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as { code?: string }).code ?? 'unreadable';
    throw new ModelInputError('trace', path, 'a readable trace file', `trace file '${path}' cannot be read (${code})`);
  }
  return parseTrace(text);
}
