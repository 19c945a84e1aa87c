import { GetAccountSettingsCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { LAMBDA_UNRESERVED_MINIMUM, RESERVED_CONCURRENCY } from '#core/deployment';
import { type CheckResult, ask, fail, ok } from './check.ts';

const ID = 'lambda-concurrency';
const RESERVED = RESERVED_CONCURRENCY.approvalPage + RESERVED_CONCURRENCY.containment;

/**
 * The stack reserves concurrency for the approval page and containment; Lambda refuses the
 * deploy when that leaves the account fewer than 100 unreserved executions, which is the case in
 * new accounts whose quota is still low. Blocking: the whole stack would roll back.
 */
export async function checkLambdaConcurrency(lambda: LambdaClient, region: string): Promise<CheckResult> {
  const settings = await ask('lambda:GetAccountSettings', () => lambda.send(new GetAccountSettingsCommand({})));
  const unreserved = settings.AccountLimit?.UnreservedConcurrentExecutions ?? 0;
  const total = settings.AccountLimit?.ConcurrentExecutions ?? 0;
  if (unreserved - RESERVED >= LAMBDA_UNRESERVED_MINIMUM) {
    return ok(ID, `${unreserved} of ${total} concurrent executions are unreserved: room for pivotguard's ${RESERVED}`);
  }
  return fail(
    ID,
    `only ${unreserved} of ${total} concurrent executions are unreserved: Lambda refuses pivotguard's reservation of ${RESERVED} (it keeps ${LAMBDA_UNRESERVED_MINIMUM} unreserved)`,
    [
      `aws service-quotas request-service-quota-increase --region ${region} --service-code lambda --quota-code L-B99A9384 --desired-value 1000`,
      'or deploy without reservations: npx cdk deploy ... -c reservedConcurrency=false',
    ].join('\n'),
    { blocking: true },
  );
}
