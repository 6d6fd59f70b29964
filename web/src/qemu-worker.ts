/// <reference lib="webworker" />
/** Runs the QEMU planner off the main thread, so typing and charts never wait for it. */
import { qemuPanel } from './qemu.js';
import type { QemuPlanParams } from '../../src/hypervisor/qemu/plan.js';

self.onmessage = (e: MessageEvent<{ id: number; params: QemuPlanParams }>) => {
  const { id, params } = e.data;
  try {
    self.postMessage({ id, data: qemuPanel(params) });
  } catch (err) {
    self.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
};
