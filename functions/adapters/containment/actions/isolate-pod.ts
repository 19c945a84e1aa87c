import type { RunContext } from './adapter.ts';
import { undoInCluster } from './undo-in-cluster.ts';

export const isolatePod = {
  run: async ({ kubernetes, target }: RunContext) => (await kubernetes()).isolatePod(target),
  undo: {
    'remove-pod-quarantine': undoInCluster<'remove-pod-quarantine'>(
      (step) =>
        `remove ${step.label} from pod ${step.namespace}/${step.pod}${step.detachedLabels && Object.keys(step.detachedLabels).length > 0 ? `, put back labels ${Object.keys(step.detachedLabels).join(', ')}` : ''} and delete NetworkPolicy ${step.networkPolicy}`,
    ),
  },
};
