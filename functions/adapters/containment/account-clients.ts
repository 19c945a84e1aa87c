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
  /** The role the member stack creates in every account: `pivotguard-member-containment` to act, `pivotguard-member-reader` to read. */
  memberRoleName: string;
  sts: Pick<STSClient, 'send'>;
  /** Builds the client for a member account from its temporary credentials (tests wrap it for tracing). */
  clientOf?: (credentials: MemberCredentials) => IAMClient;
  clock?: () => Date;
}

/**
 * Organization mode: a role in another account is acted on through that account's member role
 * (memberRoleClients), under a session named after the incident, so the member account's
 * CloudTrail says which incident changed its roles.
 */
export function organizationAccounts(options: OrganizationAccountsOptions): AccountIamClients {
  const clientOf = options.clientOf ?? ((credentials) => new IAMClient({ credentials }));
  const members = memberRoleClients({ memberRoleName: options.memberRoleName, sts: options.sts, clientOf, clock: options.clock });
  return {
    iamFor: async (accountId, incidentId, partition = 'aws') => {
      if (!accountId || accountId === options.homeAccountId) return { iam: options.iam };
      const access = await members.clientIn(accountId, incidentId, { partition });
      return 'refused' in access ? access : { iam: access.client };
    },
  };
}

/** The temporary credentials of an assumed member role. */
export interface MemberCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** A client acting in another account through its member role, or why pivotguard may not act there. */
export type MemberAccess<Client> = { client: Client } | { refused: string };

export interface MemberRoleClientsOptions<Client> {
  /** The role the member stack creates in every account. */
  memberRoleName: string;
  sts: Pick<STSClient, 'send'>;
  /** Builds a client from the member role's credentials, in `region` (undefined: the function's own). */
  clientOf: (credentials: MemberCredentials, region: string | undefined) => Client;
  clock?: () => Date;
}

/** Clients of any service in the organization's other accounts, through one member role. */
export interface MemberRoleClients<Client> {
  /** The client in `accountId`, assumed under the session `pivotguard-<session>`; `partition` is the member role's. */
  clientIn(accountId: string, session: string, where?: { partition?: string; region?: string }): Promise<MemberAccess<Client>>;
}

/** Assumed credentials are used again until this long before they expire. */
const REFRESH_BEFORE_MS = 5 * 60_000;
/** Clients kept per account, session and region; a warm function forgets the oldest beyond this. */
const CACHED_CLIENTS = 32;

/**
 * Assumes the member role of an account with STS and keeps the client built from its credentials
 * (per account, session and region) while they last. STS refusing the member role (not deployed
 * there, not trusting this function) is a refusal; throttling and STS errors are rethrown for the retry.
 */
export function memberRoleClients<Client>(options: MemberRoleClientsOptions<Client>): MemberRoleClients<Client> {
  const clock = options.clock ?? (() => new Date());
  const cache = new Map<string, { client: Client; expiresAt: number }>();
  return {
    clientIn: async (accountId, session, { partition = 'aws', region } = {}) => {
      const memberRoleArn = `arn:${partition}:iam::${accountId}:role/${options.memberRoleName}`;
      const key = `${memberRoleArn}|${session}|${region ?? ''}`;
      const cached = cache.get(key);
      if (cached && cached.expiresAt - REFRESH_BEFORE_MS > clock().getTime()) return { client: cached.client };
      let assumed: AssumeRoleCommandOutput;
      try {
        assumed = await options.sts.send(new AssumeRoleCommand({ RoleArn: memberRoleArn, RoleSessionName: containmentSessionName(session) }));
      } catch (error) {
        if (REFUSALS.has(errorName(error)))
          return { refused: `pivotguard may not assume ${memberRoleArn} (${errorName(error)}): is the member stack deployed in account ${accountId}?` };
        throw error;
      }
      const { AccessKeyId, SecretAccessKey, SessionToken, Expiration } = assumed.Credentials ?? {};
      if (!AccessKeyId || !SecretAccessKey || !SessionToken || !Expiration) throw new Error(`AssumeRole of ${memberRoleArn} returned no credentials`);
      const client = options.clientOf(
        { accessKeyId: AccessKeyId, secretAccessKey: SecretAccessKey, sessionToken: SessionToken, expiration: Expiration },
        region,
      );
      cache.delete(key);
      cache.set(key, { client, expiresAt: Expiration.getTime() });
      if (cache.size > CACHED_CLIENTS) cache.delete(cache.keys().next().value!);
      return { client };
    },
  };
}

/** STS's answers that a retry cannot change: the member role is missing, does not trust this function, or STS is off in the region. */
const REFUSALS = new Set(['AccessDenied', 'AccessDeniedException', 'RegionDisabledException']);

/** `pivotguard-<session>` (the incident, or `enrichment` for the analyzer's reads), within STS's 64 characters of `[\w+=,.@-]`. */
export function containmentSessionName(incidentId: string): string {
  return `pivotguard-${incidentId}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}

function errorName(error: unknown): string {
  return error && typeof error === 'object' && typeof (error as { name?: unknown }).name === 'string' ? (error as { name: string }).name : '';
}
