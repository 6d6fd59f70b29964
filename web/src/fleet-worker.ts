/// <reference lib="webworker" />
/** Plans fleets off the main thread: the example takes about a second, a large inventory longer. */
import { type FleetRequest, computeFleet } from './fleet.js';

self.onmessage = (e: MessageEvent<FleetRequest>) => {
  self.postMessage(computeFleet(e.data));
};
