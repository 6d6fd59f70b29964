/** Reads a dirty-page trace file (the edge of src/simulate that touches the file system). */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { ModelInputError } from '../model/errors.js';
import { type ParsedTrace, printable, TraceParser } from './trace.js';

/**
 * Largest trace file accepted, bytes (1 GiB), checked with fstat before reading. The parser's own limits
 * (100 M page ids, 10 M intervals) bound memory whatever the file holds; this bounds the time spent reading.
 */
export const MAX_TRACE_FILE_BYTES = 2 ** 30;
/** Bytes read per chunk while streaming a trace file. */
const CHUNK_BYTES = 1 << 20;

function refuse(path: string, reason: string): ModelInputError {
  return new ModelInputError(
    'trace',
    path,
    'a readable regular trace file',
    `trace file '${printable(path, 200)}' ${reason}`,
  );
}

/**
 * Reads and parses a trace file in the v1 text format (see ./trace.ts and docs/simulator.md), streaming it in
 * 1 MiB chunks. Only regular files are read: a FIFO, a device (/dev/zero), a socket or a directory is refused
 * before any byte is read (the file is opened non-blocking, so opening a FIFO without a writer does not hang),
 * and so is a file larger than {@link MAX_TRACE_FILE_BYTES}.
 * @throws {ModelInputError} parameter `trace`: unreadable or unsuitable file, or bad content
 */
export function readTraceFile(path: string): ParsedTrace {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw refuse(path, `cannot be read (${(e as { code?: string }).code ?? 'unreadable'})`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      const what = st.isDirectory()
        ? 'a directory'
        : st.isFIFO()
          ? 'a FIFO'
          : st.isCharacterDevice() || st.isBlockDevice()
            ? 'a device'
            : st.isSocket()
              ? 'a socket'
              : 'not a regular file';
      throw refuse(path, `is ${what}, not a regular file`);
    }
    if (st.size > MAX_TRACE_FILE_BYTES) {
      throw refuse(path, `is ${st.size} bytes, above the limit of ${MAX_TRACE_FILE_BYTES} bytes`);
    }
    const parser = new TraceParser();
    const decoder = new StringDecoder('utf8');
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    let rest = '';
    let total = 0;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, CHUNK_BYTES, null);
      } catch (e) {
        throw refuse(path, `cannot be read (${(e as { code?: string }).code ?? 'unreadable'})`);
      }
      if (n === 0) break;
      total += n;
      // The file may grow while it is read: the limit holds for what is read, not only for what fstat saw.
      if (total > MAX_TRACE_FILE_BYTES) {
        throw refuse(path, `grew past the limit of ${MAX_TRACE_FILE_BYTES} bytes while being read`);
      }
      const text = rest + decoder.write(buf.subarray(0, n));
      const lines = text.split(/\r?\n/);
      rest = lines.pop() ?? '';
      // A line may not grow without bound either (a file of one endless line).
      if (rest.length > CHUNK_BYTES) throw refuse(path, `has a line longer than ${CHUNK_BYTES} characters`);
      for (const line of lines) parser.line(line);
    }
    rest += decoder.end();
    for (const line of rest.split(/\r?\n/)) parser.line(line);
    return parser.finish();
  } finally {
    closeSync(fd);
  }
}
