import { IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, type AssumeRoleCommandOutput, type STSClient } from '@aws-sdk/client-sts';

/** What IamRevocation sends IAM commands through: an IAMClient, or a local stand-in answering the same commands. */
export interface IamSender {
  send: IAMClient['send'];
}

/** The IAM client to act in an account with, or why pivotguard may not act there. */
export type IamAccess = { iam: IamSender } | { refused: string };

/** Which IAM client acts on a role, by the role's account: the one decision containment makes before touching another account. */
export interface AccountIamClients {
  /** `accountId` undefined: the role is named without its account (an undo recorded by name only); it is taken to be in the home account. */
  iamFor(accountId: string | undefined, incidentId: string, partition?: string): Promise<IamAccess>;
}

/**
 * One account: the function's own. A role in another account is refused before any IAM call (a
 * forged or mistaken target). Without a home account (local replay, tests) every role is acted on
 * through the one client.
 */
export function singleAccount(iam: IamSender, homeAccountId?: string): AccountIamClients {
  return {
    iamFor: async (accountId) =>
      !homeAccountId || !accountId || accountId === homeAccountId
        ? { iam }
        : { refused: `it is in account ${accountId}, not ${homeAccountId} where pivotguard acts` },
  };
}

export interface OrganizationAccountsOptions {
  /** The function's own client, for roles in its own account. */
  iam: IAMClient;
  homeAccountId: string;
  /** The containment role the member stack creates in every account, e.g. `pivotguard-member-containment`. */
  memberRoleName: string;
  sts: Pick<STSClient, 'send'>;
  /** Builds the client for a member account from its temporary credentials (tests wrap it for tracing). */
  clientOf?: (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: Date }) => IAMClient;
  clock?: () => Date;
}

/** Assumed credentials are used again until this long before they expire. */
const REFRESH_BEFORE_MS = 5 * 60_000;
/** Clients kept per account and incident; a warm function forgets the oldest beyond this. */
const CACHED_CLIENTS = 32;

/**
 * Organization mode: a role in another account is acted on through that account's member
 * containment role, assumed with STS under a session named after the incident, so the member
 * account's CloudTrail says which incident changed its roles. The client is kept per account and
 * incident while its credentials last. STS refusing the member role (not deployed there, not
 * trusting this function) refuses the step; throttling and STS errors are rethrown for the retry.
 */
export function organizationAccounts(options: OrganizationAccountsOptions): AccountIamClients {
  const clock = options.clock ?? (() => new Date());
  const clientOf = options.clientOf ?? ((credentials) => new IAMClient({ credentials }));
  const cache = new Map<string, { iam: IAMClient; expiresAt: number }>();
  return {
    iamFor: async (accountId, incidentId, partition = 'aws') => {
      if (!accountId || accountId === options.homeAccountId) return { iam: options.iam };
      const memberRoleArn = `arn:${partition}:iam::${accountId}:role/${options.memberRoleName}`;
      const key = `${accountId}|${incidentId}`;
      const cached = cache.get(key);
      if (cached && cached.expiresAt - REFRESH_BEFORE_MS > clock().getTime()) return { iam: cached.iam };
      let assumed: AssumeRoleCommandOutput;
      try {
        assumed = await options.sts.send(new AssumeRoleCommand({ RoleArn: memberRoleArn, RoleSessionName: containmentSessionName(incidentId) }));
      } catch (error) {
        if (REFUSALS.has(errorName(error)))
          return { refused: `pivotguard may not assume ${memberRoleArn} (${errorName(error)}): is the member stack deployed in account ${accountId}?` };
        throw error;
      }
      const { AccessKeyId, SecretAccessKey, SessionToken, Expiration } = assumed.Credentials ?? {};
      if (!AccessKeyId || !SecretAccessKey || !SessionToken || !Expiration) throw new Error(`AssumeRole of ${memberRoleArn} returned no credentials`);
      const iam = clientOf({ accessKeyId: AccessKeyId, secretAccessKey: SecretAccessKey, sessionToken: SessionToken, expiration: Expiration });
      cache.delete(key);
      cache.set(key, { iam, expiresAt: Expiration.getTime() });
      if (cache.size > CACHED_CLIENTS) cache.delete(cache.keys().next().value!);
      return { iam };
    },
  };
}

/** STS's answers that a retry cannot change: the member role is missing, does not trust this function, or STS is off in the region. */
const REFUSALS = new Set(['AccessDenied', 'AccessDeniedException', 'RegionDisabledException']);

/** `pivotguard-<incident>`, within STS's 64 characters of `[\w+=,.@-]`. */
export function containmentSessionName(incidentId: string): string {
  return `pivotguard-${incidentId}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}

function errorName(error: unknown): string {
  return error && typeof error === 'object' && typeof (error as { name?: unknown }).name === 'string' ? (error as { name: string }).name : '';
}
