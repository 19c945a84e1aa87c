import type { RunContext } from './adapter.ts';
import { undoRolePolicy } from './undo-role-policy.ts';

const VPC_ID = /^vpc-/;

/** Fences the role the step targets to the cluster's egress and VPCs, as the stored plan names them. */
export const fenceRole = {
  run: async ({ incident, action, dryRun, iam, recordNow }: RunContext) => {
    const scope = action.scope ?? [];
    const egressCidrs = scope.filter((entry) => !VPC_ID.test(entry));
    const vpcIds = scope.filter((entry) => VPC_ID.test(entry));
    if (egressCidrs.length === 0) {
      return recordNow(
        'skipped',
        'the cluster’s egress addresses are not known (no egressCidrs configured, no NAT gateway read from EC2), so a fence would deny the cluster too; configure them and run the replay or the workflow again, or approve revoking every session of the role',
      );
    }
    return iam.fenceRole({ incidentId: incident.id, roleArn: action.target, fence: { egressCidrs, vpcIds }, dryRun });
  },
  undo: { 'delete-role-policy': undoRolePolicy },
};
