import type { RunContext } from './adapter.ts';
import { undoInCluster } from './undo-in-cluster.ts';

export const cordonNode = {
  run: async ({ kubernetes, target }: RunContext) => (await kubernetes()).cordonNode(target),
  undo: {
    'uncordon-node': undoInCluster<'uncordon-node'>((step) => `uncordon node ${step.node}`),
  },
};
