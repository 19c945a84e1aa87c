import { DescribeHubCommand, type SecurityHubClient } from '@aws-sdk/client-securityhub';
import { type CheckResult, askIfExists, fail, ok } from './check.ts';

const ID = 'security-hub';

/**
 * With -c securityHub=true the analyzer imports every incident as a finding, which Security Hub
 * refuses while it is not enabled in the region. Needs securityhub:DescribeHub.
 */
export async function checkSecurityHub(securityHub: SecurityHubClient, region: string): Promise<CheckResult> {
  const hub = await askIfExists(
    'securityhub:DescribeHub',
    () => securityHub.send(new DescribeHubCommand({})),
    // Security Hub answers InvalidAccessException when the account has not enabled it.
    (error) => error.code === 'InvalidAccessException' || error.code === 'ResourceNotFoundException',
  );
  if (hub) return ok(ID, `Security Hub is enabled in ${region}`);
  return fail(ID, `Security Hub is not enabled in ${region}: it would refuse pivotguard's findings`, `aws securityhub enable-security-hub --region ${region}`, {
    blocking: true,
  });
}
