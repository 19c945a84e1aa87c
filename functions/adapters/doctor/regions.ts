import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { forwarderStackName } from '#core/deployment';
import { type CheckResult, askIfExists, fail, ok, warn } from './check.ts';

const ID = 'global-events';

/** IAM, Organizations, sign-in and STS global-endpoint events reach EventBridge only here. */
export const GLOBAL_EVENTS_REGION = 'us-east-1';

/**
 * Outside us-east-1, pivotguard sees global-service events (new IAM users and keys, policy
 * changes, console sign-ins) only through a forwarder stack in us-east-1. Not blocking: regional
 * events still arrive. `cloudFormation` must be a us-east-1 client; needs cloudformation:DescribeStacks there.
 */
export async function checkGlobalEvents(cloudFormation: CloudFormationClient, region: string, account: string): Promise<CheckResult> {
  if (region === GLOBAL_EVENTS_REGION)
    return ok(ID, `pivotguard runs in ${GLOBAL_EVENTS_REGION}, where IAM, Organizations, sign-in and STS global-endpoint events arrive`);
  const stackName = forwarderStackName(GLOBAL_EVENTS_REGION);
  const answer = await askIfExists(
    'cloudformation:DescribeStacks',
    () => cloudFormation.send(new DescribeStacksCommand({ StackName: stackName })),
    // CloudFormation answers a missing stack with a ValidationError.
    (error) => error.code === 'ValidationError' && /does not exist/.test(error.message),
  );
  const status = answer?.Stacks?.[0]?.StackStatus;
  const missing = `IAM, Organizations, sign-in and STS global-endpoint events reach EventBridge only in ${GLOBAL_EVENTS_REGION}, and pivotguard runs in ${region}`;
  const fix = [
    `npx cdk bootstrap aws://${account}/${GLOBAL_EVENTS_REGION}   # once`,
    `npx cdk deploy --all -c forwardRegions=${GLOBAL_EVENTS_REGION} ...   # your deploy command, with -c forwardRegions=${GLOBAL_EVENTS_REGION} added`,
  ].join('\n');
  if (!status || status === 'DELETE_COMPLETE')
    return fail(ID, `no forwarder stack ${stackName} in ${GLOBAL_EVENTS_REGION}: ${missing}`, fix, { blocking: false });
  if (status.endsWith('_IN_PROGRESS'))
    return warn(ID, `forwarder stack ${stackName} in ${GLOBAL_EVENTS_REGION} is ${status}; run pivotguard doctor again when it is done`);
  // ROLLBACK_COMPLETE is a stack whose creation failed; UPDATE_ROLLBACK_COMPLETE still runs its previous version.
  if (status.endsWith('_COMPLETE') && status !== 'ROLLBACK_COMPLETE')
    return ok(ID, `forwarder stack ${stackName} in ${GLOBAL_EVENTS_REGION} sends global-service events here (${status})`);
  return fail(ID, `forwarder stack ${stackName} in ${GLOBAL_EVENTS_REGION} is ${status}: ${missing}`, fix, { blocking: false });
}
