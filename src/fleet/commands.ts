/**
 * The commands that carry out a plan, per migration, in the order to run them: QMP (on the source QEMU's
 * monitor) and virsh (on the source host). Knobs as QEMU and libvirt spell them: `downtime-limit` in whole
 * milliseconds, `max-bandwidth` in whole bytes/s (QMP), `--bandwidth` in MiB/s (virsh).
 *
 * An unlimited max-bandwidth becomes, for QMP, the path's bottleneck capacity rounded up (the link then
 * limits the rate, which is what "unlimited" means under link sharing); for virsh, no `--bandwidth` at all
 * (libvirt's default is unlimited). `virsh migrate-setmaxdowntime` is run while the migration job exists
 * (right after starting `virsh migrate` in the background), as libvirt documents it for a domain being migrated.
 */
import type { MigrationKnobs } from './build.js';

export interface MigrationCommands {
  readonly vm: string;
  /** When to start, in words: `at +0 s` or `at +80.1 s (when db-primary ends)`. */
  readonly when: string;
  readonly qmp: readonly string[];
  readonly virsh: readonly string[];
}

export interface CommandInput {
  readonly vm: string;
  readonly source: string;
  readonly target: string;
  readonly startSeconds: number;
  /** The migration whose end frees the slot, if any. */
  readonly afterVm?: string;
  readonly knobs: MigrationKnobs;
  /** Bottleneck capacity of the path, bytes/s (used for an unlimited cap in QMP). */
  readonly pathCapacityBytesPerSecond: number;
  /** TCP port the target QEMU listens on (`-incoming tcp:0:PORT`). */
  readonly port?: number;
}

/** Whole milliseconds QEMU will be given for a downtime limit (at least 1). */
export function downtimeLimitMs(seconds: number): number {
  return Math.max(1, Math.floor(seconds * 1000 + 1e-9));
}

/**
 * QMP and virsh commands for one migration.
 * @example migrationCommands({vm: 'a', source: 'h1', target: 'h2', startSeconds: 0, pathCapacityBytesPerSecond: 1e9,
 *   knobs: {stopRule: 'qemu', downtimeLimitSeconds: 0.3, maxBandwidthBytesPerSecond: Infinity}}).qmp[0]
 *   // '{"execute":"migrate-set-parameters","arguments":{"downtime-limit":300,"max-bandwidth":1000000000}}'
 */
export function migrationCommands(c: CommandInput): MigrationCommands {
  const port = c.port ?? 49152;
  const dl = c.knobs.stopRule === 'vmotion' ? 500 : downtimeLimitMs(c.knobs.downtimeLimitSeconds);
  const unlimited = !Number.isFinite(c.knobs.maxBandwidthBytesPerSecond);
  const bw = Math.ceil(unlimited ? c.pathCapacityBytesPerSecond : c.knobs.maxBandwidthBytesPerSecond);
  const qmp = [
    JSON.stringify({ execute: 'migrate-set-parameters', arguments: { 'downtime-limit': dl, 'max-bandwidth': bw } }),
    JSON.stringify({ execute: 'migrate', arguments: { uri: `tcp:${c.target}:${port}` } }),
    JSON.stringify({ execute: 'query-migrate' }),
  ];
  const mib = unlimited ? undefined : Math.max(1, Math.floor(c.knobs.maxBandwidthBytesPerSecond / 2 ** 20));
  const virsh = [
    `virsh migrate --live --persistent --undefinesource${mib !== undefined ? ` --bandwidth ${mib}` : ''} ${c.vm} qemu+ssh://${c.target}/system &`,
    `virsh migrate-setmaxdowntime ${c.vm} --downtime ${dl}`,
    `virsh domjobinfo ${c.vm}`,
  ];
  const when = `at +${Number(c.startSeconds.toPrecision(6))} s${c.afterVm ? ` (when ${c.afterVm} ends)` : ''}`;
  return { vm: c.vm, when, qmp, virsh };
}
