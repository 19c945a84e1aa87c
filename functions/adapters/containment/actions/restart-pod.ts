import type { RunContext } from './adapter.ts';

/** A deleted pod cannot come back: nothing to undo. */
export const restartPod = {
  run: async ({ kubernetes, target }: RunContext) => (await kubernetes()).restartPod(target),
  undo: {},
};
