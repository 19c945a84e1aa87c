import { type IAMClient, paginateListAttachedRolePolicies, paginateListRolePolicies } from '@aws-sdk/client-iam';
import { parseRoleArn } from '#core/model/arn';
import { type AccountIamClients, singleAccount } from '../containment/account-clients.ts';

/** What a role may do, as policy names: the blast radius an alert shows. */
export interface RolePolicies {
  policiesOf(roleArn: string): Promise<string[]>;
}

/** A role with more policies than this is already a finding; the alert need not list them all. */
const MAX_PAGES = 3;
/** The STS session name the member role is assumed under (pivotguard-enrichment): the member account's CloudTrail says who read its roles. */
const ENRICHMENT_SESSION = 'enrichment';

/** IAM in the role's account cannot be read: it is another account and pivotguard has no way in (single account, or no member role there). */
export class RoleNotReadable extends Error {
  constructor(
    readonly roleArn: string,
    readonly accountId: string,
    reason: string,
  ) {
    // Named plain Error so that the enrichment note quotes the message, which names the account, not the class.
    super(`in account ${accountId}: not read (${reason})`);
  }
}

/**
 * Reads a role's attached (managed) and inline policy names from IAM, in the role's own account:
 * a role of another account is read through that account's member role (organization mode) or
 * refused, never looked up by name in this account, where a same-named role is another role.
 * Needs iam:ListAttachedRolePolicies and iam:ListRolePolicies on the roles pivotguard may meet.
 */
export class IamRolePolicies implements RolePolicies {
  private readonly accounts: AccountIamClients;

  /** One client acting in `homeAccountId` only, or the clients of every account it may read (account-clients.ts). */
  constructor(iam: IAMClient | AccountIamClients, homeAccountId?: string) {
    this.accounts = 'iamFor' in iam ? iam : singleAccount(iam, homeAccountId);
  }

  async policiesOf(roleArn: string): Promise<string[]> {
    const role = parseRoleArn(roleArn);
    if (!role) throw new Error(`not an IAM role ARN: ${roleArn}`);
    const access = await this.accounts.iamFor(role.accountId, ENRICHMENT_SESSION, roleArn.split(':')[1]);
    if ('refused' in access) throw new RoleNotReadable(roleArn, role.accountId, access.refused);
    const client = access.iam as IAMClient;
    const input = { RoleName: role.roleName };
    const policies: string[] = [];
    let pages = 0;
    for await (const page of paginateListAttachedRolePolicies({ client, pageSize: 100 }, input)) {
      for (const policy of page.AttachedPolicies ?? []) if (policy.PolicyName) policies.push(policy.PolicyName);
      if (++pages >= MAX_PAGES) break;
    }
    pages = 0;
    for await (const page of paginateListRolePolicies({ client, pageSize: 100 }, input)) {
      for (const name of page.PolicyNames ?? []) policies.push(`${name} (inline)`);
      if (++pages >= MAX_PAGES) break;
    }
    return policies;
  }
}
