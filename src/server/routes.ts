/**
 * The API routes by name (`POST /api/<name>`): plain functions from a parsed body to a status and a JSON value.
 * Shared by the app (./app.ts) and the heavy-request worker (./heavy-worker.ts), which runs the routes whose
 * operation is marked `heavy` in the registry (src/ops/index.ts) off the event loop.
 */
import {
  type ApiResult,
  apiFleetPlan,
  apiFleetPredict,
  apiOptimize,
  apiPredict,
  apiQemuPlan,
  apiSimulate,
  apiSweep,
} from './api.js';

export type RouteHandler = (body: unknown) => ApiResult | Promise<ApiResult>;

export const ROUTES: Record<string, RouteHandler> = {
  predict: apiPredict,
  optimize: apiOptimize,
  sweep: apiSweep,
  simulate: apiSimulate,
  'fleet/predict': apiFleetPredict,
  'fleet/plan': apiFleetPlan,
  'qemu/plan': apiQemuPlan,
};
