import { imageBlockMatchOf } from '#core/respond/image-block';
import { imageBlockMessage } from '#core/view/rebuild-words';
import type { RunContext } from './adapter.ts';
import { undoInCluster } from './undo-in-cluster.ts';

/** Blocks what the approved step names (cluster/digest, and the scope's digest and tag), with the incident's words for the fix. */
export const blockImageDigest = {
  run: async ({ incident, action, target, kubernetes, recordNow }: RunContext) => {
    const match = imageBlockMatchOf(action.scope);
    const cluster = action.target.slice(0, action.target.lastIndexOf('/'));
    if (!match || action.target !== `${cluster}/${match.digest}`) {
      return recordNow('failed', `the planned step does not name an image digest pivotguard blocks (${action.target}); nothing blocked`);
    }
    if (cluster !== target.cluster) return recordNow('failed', `the step names cluster ${cluster}, not the incident's ${target.cluster}; nothing blocked`);
    const image = incident.image?.digest === match.digest ? incident.image : undefined;
    return (await kubernetes()).blockImageDigest({
      incidentId: incident.id,
      cluster,
      recordTarget: action.target,
      match,
      message: imageBlockMessage(incident.id, image),
      dryRun: target.dryRun,
    });
  },
  undo: {
    'delete-admission-block': undoInCluster<'delete-admission-block'>(
      (step) => `delete ValidatingAdmissionPolicyBinding ${step.binding} and ValidatingAdmissionPolicy ${step.policy} in ${step.cluster}`,
    ),
  },
};
