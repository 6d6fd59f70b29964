/**
 * The energy of one migration (docs/fleet.md, "Energy"): E = e_bytes x bytes sent + E_0 + P_host x duration.
 * Defaults from H. Liu, C.-Z. Xu, H. Jin, J. Gong, X. Liao, "Performance and energy modeling for live migration
 * of virtual machines", HPDC 2011: E = 0.512 V + 20.165 J with V in MB (read as 10^6 bytes), measured on Xen
 * with 1 GbE; P_host (extra host power while the migration runs, e.g. from Strunk, IEEE CLOUD 2013) defaults
 * to 0 W because Liu et al.'s fit already charges the hosts' energy to the bytes.
 *
 * No imports: the fleet engine (src/fleet/engine.ts) and the one-VM optimiser (src/optimize) share it, and the
 * explorer bundles the optimiser.
 */

/** Coefficients of {@link migrationEnergyJoules} (the same fields as the inventory's `energy`). */
export interface EnergyModel {
  /** J per byte sent (Liu et al.: 0.512 J/MB = 0.512e-6 J/B). */
  readonly joulesPerByte: number;
  /** J per migration, whatever its size (Liu et al.: 20.165 J). */
  readonly joulesPerMigration: number;
  /** W of extra host power while the migration runs (default 0). */
  readonly hostPowerWatts: number;
}

/** Liu et al. (HPDC 2011), E = 0.512 V + 20.165 (J, V in MB); no host power term. */
export const LIU_ENERGY: EnergyModel = { joulesPerByte: 0.512e-6, joulesPerMigration: 20.165, hostPowerWatts: 0 };

/**
 * Energy of one migration, joules.
 * @example migrationEnergyJoules(LIU_ENERGY, 1e9, 10) // 0.512e-6 * 1e9 + 20.165 = 532.165
 */
export function migrationEnergyJoules(e: EnergyModel, bytesSent: number, durationSeconds: number): number {
  return e.joulesPerByte * bytesSent + e.joulesPerMigration + e.hostPowerWatts * durationSeconds;
}
