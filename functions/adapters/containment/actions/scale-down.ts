import type { RunContext } from './adapter.ts';
import { undoInCluster } from './undo-in-cluster.ts';

export const scaleDown = {
  run: async ({ kubernetes, target }: RunContext) => (await kubernetes()).scaleDown(target),
  undo: {
    'restore-replicas': undoInCluster<'restore-replicas'>(
      (step) => `scale ${step.workloadKind} ${step.namespace}/${step.name} back to ${step.replicas} replicas`,
    ),
  },
};
