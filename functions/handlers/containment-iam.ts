import type { Tracer } from '@aws-lambda-powertools/tracer';
import { IAMClient } from '@aws-sdk/client-iam';
import { STSClient } from '@aws-sdk/client-sts';
import { organizationAccounts, singleAccount } from '#adapters/containment/account-clients';
import { IamRevocation } from '#adapters/containment/iam-revocation';

/**
 * Revokes role sessions; containment.ts loads this module for the first step that acts on a role.
 * With a member role (organization mode) it acts in the organization's other accounts through it;
 * without one, only in its own account.
 */
export function iamRevocation(tracer: Tracer, accountId: string, memberRoleName?: string): IamRevocation {
  const iam = tracer.captureAWSv3Client(new IAMClient({}));
  const accounts = memberRoleName
    ? organizationAccounts({
        iam,
        homeAccountId: accountId,
        memberRoleName,
        sts: tracer.captureAWSv3Client(new STSClient({})),
        clientOf: (credentials) => tracer.captureAWSv3Client(new IAMClient({ credentials })),
      })
    : singleAccount(iam, accountId);
  return new IamRevocation(accounts);
}
