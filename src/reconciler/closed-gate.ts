import type { GateReader } from './gate-reader';

/** Used when no gate is wired in: it allows nothing, so nothing is ever applied (fail closed). */
export const CLOSED_GATE: GateReader = {
  newestAllowed: async () => null,
  decision: async () => null,
  onAllowed: () => () => undefined,
};
