/** Host names and addresses: the one loopback test shared by the server and the QMP client. */
import { isIPv4, isIPv6 } from 'node:net';

/**
 * True for `localhost` (and *.localhost), 127.0.0.0/8, ::1 and ::ffff:127.x.y.z; IPv6 may be in brackets.
 * @example isLoopbackHost('[::1]') // true
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIPv4(h)) return h.startsWith('127.');
  if (isIPv6(h)) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}
