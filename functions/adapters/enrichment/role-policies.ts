import { type IAMClient, paginateListAttachedRolePolicies, paginateListRolePolicies } from '@aws-sdk/client-iam';
import { parseRoleArn } from '#core/model/arn';

/** What a role may do, as policy names: the blast radius an alert shows. */
export interface RolePolicies {
  policiesOf(roleArn: string): Promise<string[]>;
}

/** A role with more policies than this is already a finding; the alert need not list them all. */
const MAX_PAGES = 3;

/**
 * Reads a role's attached (managed) and inline policy names from IAM. Needs
 * iam:ListAttachedRolePolicies and iam:ListRolePolicies on the roles pivotguard may meet.
 */
export class IamRolePolicies implements RolePolicies {
  constructor(private readonly client: IAMClient) {}

  async policiesOf(roleArn: string): Promise<string[]> {
    const role = parseRoleArn(roleArn);
    if (!role) throw new Error(`not an IAM role ARN: ${roleArn}`);
    const input = { RoleName: role.roleName };
    const policies: string[] = [];
    let pages = 0;
    for await (const page of paginateListAttachedRolePolicies({ client: this.client, pageSize: 100 }, input)) {
      for (const policy of page.AttachedPolicies ?? []) if (policy.PolicyName) policies.push(policy.PolicyName);
      if (++pages >= MAX_PAGES) break;
    }
    pages = 0;
    for await (const page of paginateListRolePolicies({ client: this.client, pageSize: 100 }, input)) {
      for (const name of page.PolicyNames ?? []) policies.push(`${name} (inline)`);
      if (++pages >= MAX_PAGES) break;
    }
    return policies;
  }
}
