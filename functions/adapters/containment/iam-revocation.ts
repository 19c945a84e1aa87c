import { DeleteRolePolicyCommand, GetRoleCommand, GetRolePolicyCommand, PutRolePolicyCommand, UpdateAssumeRolePolicyCommand } from '@aws-sdk/client-iam';
import { parseRoleArn } from '#core/model/arn';
import { type ActionRecord, type UndoStep, revokePolicyName } from '#core/respond/action';
import {
  type DenyPolicyDocument,
  InvalidRevokeScope,
  type SessionsToRevoke,
  deniedSessionUserIds,
  revokeAllSessionsPolicy,
  revokedBefore,
  scopedRevokePolicy,
} from '#core/respond/revoke-policy';
import { type FencePolicyDocument, InvalidFence, type RoleFence, roleFencePolicy } from '#core/respond/role-fence';
import { InvalidSubject, NoWebIdentityTrust, type TrustPolicyDocument, trustPolicyDenyingSubject } from '#core/respond/trust-deny';
import { type AccountIamClients, type IamSender, singleAccount } from './account-clients.ts';

export interface RevokeSessionsInput {
  incidentId: string;
  roleArn: string;
  identity: SessionsToRevoke;
  dryRun: boolean;
}

export interface RevokeAllSessionsInput {
  incidentId: string;
  roleArn: string;
  /** Sessions issued before this time are denied; the workflow passes one fixed time so retries agree. */
  now: Date;
  dryRun: boolean;
}

export interface FenceRoleInput {
  incidentId: string;
  roleArn: string;
  fence: RoleFence;
  dryRun: boolean;
}

export interface DenyWebIdentityInput {
  incidentId: string;
  roleArn: string;
  /** `system:serviceaccount:<namespace>:<name>`. */
  subject: string;
  dryRun: boolean;
}

export interface UndoContext {
  incidentId: string;
  /** Shown as the record's target; the undo step itself only names the role. */
  roleArn?: string;
  dryRun?: boolean;
}

/** IAM refused a call: the record names the action the function's role lacks. */
class MissingPermission extends Error {
  constructor(readonly iamAction: string) {
    super(`missing ${iamAction}`);
    this.name = 'MissingPermission';
  }
}

/** The role is gone: its sessions no longer authorize anything, so there is nothing to revoke. */
class RoleNotFound extends Error {
  constructor() {
    super('role not found');
    this.name = 'RoleNotFound';
  }
}

const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;
/** The only inline policies an undo may delete: the ones revokePolicyName gives. */
const OWN_POLICY_PREFIXES = [revokePolicyName('', 'sessions'), revokePolicyName('', 'all-sessions'), revokePolicyName('', 'fence')];

/**
 * Cuts a role's credentials off with an inline deny policy, and puts it back by deleting that
 * policy. Get before put: a retry that finds its policy in place changes nothing. Throttling and
 * IAM server errors are rethrown so the state machine's retry policy handles them; what a retry
 * cannot fix (missing permission, policy too large, a role that cannot be changed) becomes a
 * 'failed' record.
 */
export class IamRevocation {
  private readonly accounts: AccountIamClients;

  constructor(
    /** One client (acting in `accountId` only, when given), or the clients of every account it may act in (account-clients.ts). */
    iam: IamSender | AccountIamClients,
    private readonly clock: () => Date = () => new Date(),
    /** The account a single client acts in: a role ARN naming another account is refused (a forged or mistaken target). */
    accountId?: string,
  ) {
    this.accounts = 'iamFor' in iam ? iam : singleAccount(iam, accountId);
  }

  /** Denies the compromised pod's sessions only; other pods using the role keep working. */
  async revokeSessions(input: RevokeSessionsInput): Promise<ActionRecord> {
    const policyName = revokePolicyName(input.incidentId, 'sessions');
    const scopeText =
      input.identity.via === 'irsa'
        ? `${input.identity.mechanism ?? 'IRSA'} session(s) ${listText(input.identity.sessionNames)}`
        : `Pod Identity sessions of pod ${input.identity.namespace}/${input.identity.pod}`;
    return this.putDenyPolicy(input, 'revoke-role-sessions', policyName, scopeText, (roleId, existing) => {
      if (input.identity.via === 'pod-identity') return scopedRevokePolicy(input.identity);
      const requested = input.identity.sessionNames.map((name) => `${roleId}:${name}`);
      // A retry or a later escalation adds sessions; it never lifts a denial already in place.
      const alreadyDenied = existing ? (deniedSessionUserIds(existing) ?? []) : [];
      return scopedRevokePolicy({ via: 'irsa', sessionUserIds: [...alreadyDenied, ...requested] });
    });
  }

  /** The console's "Revoke active sessions" for one role: every session issued before `now`. */
  async revokeAllSessions(input: RevokeAllSessionsInput): Promise<ActionRecord> {
    const policyName = revokePolicyName(input.incidentId, 'all-sessions');
    return this.putDenyPolicy(input, 'revoke-all-sessions', policyName, `all sessions issued before ${timeText(input.now)}`, (_roleId, existing) => {
      // Keep the later cutoff: moving it earlier would let sessions already denied back in.
      const cutoff = existing ? revokedBefore(existing) : undefined;
      return revokeAllSessionsPolicy(cutoff && cutoff > input.now ? cutoff : input.now);
    });
  }

  /** Denies every session of the role, old or new, from outside the cluster (role-fence.ts). */
  async fenceRole(input: FenceRoleInput): Promise<ActionRecord> {
    const policyName = revokePolicyName(input.incidentId, 'fence');
    const inside = [...input.fence.egressCidrs, ...input.fence.vpcIds].join(', ');
    return this.putDenyPolicy(input, 'fence-role', policyName, `every session of the role from outside the cluster (${inside})`, () =>
      roleFencePolicy(input.fence),
    );
  }

  /** Refuses the service account's web-identity token in the role's trust policy; the undo restores the policy as read. */
  async denyWebIdentity(input: DenyWebIdentityInput): Promise<ActionRecord> {
    const role = parseRoleArn(input.roleArn);
    const record = this.recorder('deny-web-identity', input.incidentId, input.roleArn);
    if (!role) return record('failed', `not an IAM role ARN: ${input.roleArn}`);
    const access = await this.accounts.iamFor(role.accountId, input.incidentId, partitionOf(input.roleArn));
    if ('refused' in access) return record('failed', `role ${input.roleArn} not changed: ${access.refused}`);
    const { iam } = access;
    const { roleName } = role;
    try {
      const current = await trustPolicyText(iam, roleName);
      const denying = trustPolicyDenyingSubject(roleName, parseDocument(current) as TrustPolicyDocument, input.subject);
      if (sameDocument(parseDocument(current), denying)) return record('already-applied', `the trust policy of ${roleName} already refuses ${input.subject}`);
      const written = JSON.stringify(denying);
      const undo: UndoStep = { kind: 'restore-trust-policy', roleName, document: decodedText(current), written };
      if (input.dryRun) return record('dry-run', `would refuse ${input.subject}'s web-identity token in the trust policy of ${roleName}`, undo);
      try {
        await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: written }));
      } catch (error) {
        throw asMissingPermission(error, 'iam:UpdateAssumeRolePolicy');
      }
      return record('applied', `the trust policy of ${roleName} now refuses ${input.subject}'s web-identity token, from anywhere`, undo);
    } catch (error) {
      if (error instanceof RoleNotFound) return record('skipped', `role ${roleName} no longer exists`);
      if (error instanceof MissingPermission) return record('failed', `pivotguard may not call ${error.iamAction} on role ${roleName}`);
      if (error instanceof NoWebIdentityTrust) return record('skipped', error.message);
      if (error instanceof InvalidSubject) return record('failed', error.message);
      const reason = unfixableReason(error);
      if (reason) return record('failed', `trust policy of ${roleName} not changed: ${reason}`);
      throw error;
    }
  }

  /** Puts a trust policy back as it was read, if it is still the one pivotguard wrote; otherwise only says so. */
  async restoreTrustPolicy(step: Extract<UndoStep, { kind: 'restore-trust-policy' }>, context: UndoContext): Promise<ActionRecord> {
    const record = this.recorder('deny-web-identity', context.incidentId, context.roleArn ?? step.roleName);
    const { roleName } = step;
    const access = await this.iamOfRecorded(context);
    if ('refused' in access) return record('failed', `the trust policy of ${roleName} not put back: ${access.refused}`);
    const { iam } = access;
    try {
      const current = parseDocument(await trustPolicyText(iam, roleName));
      if (sameDocument(current, parseDocument(step.document))) return record('already-applied', `the trust policy of ${roleName} is already as it was`);
      // Someone changed it since: putting back the old one would undo their change too.
      if (!sameDocument(current, parseDocument(step.written))) {
        return record('failed', `the trust policy of ${roleName} changed since pivotguard wrote it; remove the PivotguardDenyStolenToken statements by hand`);
      }
      if (context.dryRun) return record('dry-run', `would put back the trust policy of ${roleName} as it was`);
      try {
        await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: step.document }));
      } catch (error) {
        throw asMissingPermission(error, 'iam:UpdateAssumeRolePolicy');
      }
      return record('applied', `put back the trust policy of ${roleName}; the service account's token is accepted again`);
    } catch (error) {
      if (error instanceof RoleNotFound) return record('already-applied', `role ${roleName} no longer exists`);
      if (error instanceof MissingPermission) return record('failed', `pivotguard may not call ${error.iamAction} on role ${roleName}`);
      throw error;
    }
  }

  /** Deletes a policy this class wrote; a policy already gone counts as undone. */
  async undo(step: UndoStep, context: UndoContext): Promise<ActionRecord> {
    const target = context.roleArn ?? (step.kind === 'delete-role-policy' ? step.roleName : 'unknown');
    const stepPolicy = step.kind === 'delete-role-policy' ? step.policyName : '';
    const action = stepPolicy.startsWith(revokePolicyName('', 'all-sessions'))
      ? 'revoke-all-sessions'
      : stepPolicy.startsWith(revokePolicyName('', 'fence'))
        ? 'fence-role'
        : 'revoke-role-sessions';
    const record = this.recorder(action, context.incidentId, target);
    if (step.kind !== 'delete-role-policy') return record('skipped', `not an IAM step (${step.kind})`);
    const { roleName, policyName } = step;
    if (!POLICY_NAME.test(policyName) || !OWN_POLICY_PREFIXES.some((prefix) => policyName.startsWith(prefix))) {
      return record('failed', `refusing to delete ${policyName} from role ${roleName}: pivotguard only removes the policies it wrote`);
    }
    const access = await this.iamOfRecorded(context);
    if ('refused' in access) return record('failed', `policy ${policyName} not deleted from role ${roleName}: ${access.refused}`);
    const { iam } = access;
    try {
      if (context.dryRun) {
        const existing = await readPolicy(iam, roleName, policyName);
        return existing === undefined
          ? record('already-applied', `policy ${policyName} is not on role ${roleName}; nothing to remove`)
          : record('dry-run', `would delete policy ${policyName} from role ${roleName}`);
      }
      try {
        await iam.send(new DeleteRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }));
      } catch (error) {
        if (isNoSuchEntity(error)) return record('already-applied', `policy ${policyName} was already gone from role ${roleName}`);
        throw asMissingPermission(error, 'iam:DeleteRolePolicy');
      }
      return record('applied', `deleted policy ${policyName} from role ${roleName}; its sessions work again`);
    } catch (error) {
      if (error instanceof MissingPermission) return record('failed', `pivotguard may not call ${error.iamAction} on role ${roleName}`);
      throw error;
    }
  }

  private async putDenyPolicy(
    input: { incidentId: string; roleArn: string; dryRun: boolean },
    action: 'revoke-role-sessions' | 'revoke-all-sessions' | 'fence-role',
    policyName: string,
    scopeText: string,
    desired: (roleId: string, existing: unknown) => DenyPolicyDocument | FencePolicyDocument,
  ): Promise<ActionRecord> {
    const role = parseRoleArn(input.roleArn);
    const undo: UndoStep | undefined = role ? { kind: 'delete-role-policy', roleName: role.roleName, policyName } : undefined;
    const recordOf = this.recorder(action, input.incidentId, input.roleArn);
    const record = (result: ActionRecord['result'], detail: string, withUndo = true) => recordOf(result, detail, withUndo ? undo : undefined);
    if (!role) return record('failed', `not an IAM role ARN: ${input.roleArn}`, false);
    if (!POLICY_NAME.test(policyName)) return record('failed', `incident id ${input.incidentId} does not make a valid IAM policy name`, false);
    const access = await this.accounts.iamFor(role.accountId, input.incidentId, partitionOf(input.roleArn));
    if ('refused' in access) return record('failed', `role ${input.roleArn} not changed: ${access.refused}`, false);
    const { iam } = access;
    const roleName = role.roleName;
    try {
      const roleId = await roleIdOf(iam, roleName);
      const existing = await readPolicy(iam, roleName, policyName);
      const document = desired(roleId, existing);
      if (existing !== undefined && sameDocument(existing, document)) {
        return record('already-applied', `policy ${policyName} on role ${roleName} already denies ${scopeText}`);
      }
      if (input.dryRun) return record('dry-run', `would attach policy ${policyName} to role ${roleName} denying ${scopeText}`);
      try {
        await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: policyName, PolicyDocument: JSON.stringify(document) }));
      } catch (error) {
        throw asMissingPermission(error, 'iam:PutRolePolicy');
      }
      return record('applied', `attached policy ${policyName} to role ${roleName} denying ${scopeText}`);
    } catch (error) {
      if (error instanceof RoleNotFound) return record('skipped', `role ${roleName} no longer exists; its sessions are no longer valid`, false);
      if (error instanceof MissingPermission) return record('failed', `pivotguard may not call ${error.iamAction} on role ${roleName}`, false);
      if (error instanceof InvalidRevokeScope || error instanceof InvalidFence) return record('failed', error.message, false);
      const reason = unfixableReason(error);
      if (reason) return record('failed', `policy ${policyName} not attached to role ${roleName}: ${reason}`, false);
      throw error;
    }
  }

  /** Builds one step's records: started now, finished when recorded, with the undo when there is one. */
  private recorder(action: ActionRecord['action'], incidentId: string, target: string) {
    const startedAt = this.clock().toISOString();
    return (result: ActionRecord['result'], detail: string, undo?: UndoStep): ActionRecord => ({
      action,
      incidentId,
      target,
      startedAt,
      finishedAt: this.clock().toISOString(),
      result,
      detail,
      ...(undo ? { undo } : {}),
    });
  }

  /** The client for the account of a recorded step's role: its ARN is the record's target; a bare role name is in the home account. */
  private iamOfRecorded(context: UndoContext) {
    const role = context.roleArn ? parseRoleArn(context.roleArn) : undefined;
    return this.accounts.iamFor(role?.accountId, context.incidentId, context.roleArn ? partitionOf(context.roleArn) : undefined);
  }
}

async function trustPolicyText(iam: IamSender, roleName: string): Promise<string> {
  try {
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: roleName }));
    if (!Role?.AssumeRolePolicyDocument) throw new Error(`GetRole returned no trust policy for ${roleName}`);
    return Role.AssumeRolePolicyDocument;
  } catch (error) {
    if (isNoSuchEntity(error)) throw new RoleNotFound();
    throw asMissingPermission(error, 'iam:GetRole');
  }
}

async function roleIdOf(iam: IamSender, roleName: string): Promise<string> {
  try {
    const { Role } = await iam.send(new GetRoleCommand({ RoleName: roleName }));
    if (!Role?.RoleId) throw new Error(`GetRole returned no RoleId for ${roleName}`);
    return Role.RoleId;
  } catch (error) {
    if (isNoSuchEntity(error)) throw new RoleNotFound();
    throw asMissingPermission(error, 'iam:GetRole');
  }
}

/** The inline policy's document, or undefined when the role has no policy of that name. */
async function readPolicy(iam: IamSender, roleName: string, policyName: string): Promise<unknown> {
  try {
    const { PolicyDocument } = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }));
    return PolicyDocument === undefined ? undefined : parseDocument(PolicyDocument);
  } catch (error) {
    if (isNoSuchEntity(error)) return undefined;
    throw asMissingPermission(error, 'iam:GetRolePolicy');
  }
}

/** `aws`, `aws-cn`, `aws-us-gov`: the member role is in the partition of the role it acts on. */
function partitionOf(roleArn: string): string | undefined {
  return /^arn:(aws[\w-]*):/.exec(roleArn)?.[1];
}

/** IAM returns policy documents URL-encoded (RFC 3986); text that is not JSON never equals ours. */
function parseDocument(text: string): unknown {
  let decoded = text;
  try {
    decoded = decodeURIComponent(text);
  } catch {
    // Not encoded after all: parse as is.
  }
  try {
    return JSON.parse(decoded) as unknown;
  } catch {
    return decoded;
  }
}

/** The document as IAM's JSON text, whether it came URL-encoded or not. */
function decodedText(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function sameDocument(existing: unknown, wanted: unknown): boolean {
  return canonical(existing) === canonical(wanted);
}

/** JSON with object keys sorted, so key order in IAM's copy does not matter. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonical(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function errorName(error: unknown): string {
  if (!error || typeof error !== 'object') return '';
  const { name, Code } = error as { name?: unknown; Code?: unknown };
  return typeof name === 'string' ? name : typeof Code === 'string' ? Code : '';
}

function isNoSuchEntity(error: unknown): boolean {
  return ['NoSuchEntityException', 'NoSuchEntity'].includes(errorName(error));
}

function asMissingPermission(error: unknown, iamAction: string): unknown {
  return ['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation'].includes(errorName(error)) ? new MissingPermission(iamAction) : error;
}

/** Failures a retry cannot fix; everything else (throttling, IAM server errors) is rethrown. */
function unfixableReason(error: unknown): string | undefined {
  switch (errorName(error)) {
    case 'LimitExceededException':
    case 'LimitExceeded':
      return "the role's inline policies would exceed IAM's size quota";
    case 'MalformedPolicyDocumentException':
    case 'MalformedPolicyDocument':
      return `IAM rejected the policy document (${(error as Error).message})`;
    case 'UnmodifiableEntityException':
    case 'UnmodifiableEntity':
      return 'the role cannot be modified (service-linked role)';
    default:
      return undefined;
  }
}

function timeText(time: Date): string {
  return Number.isNaN(time.getTime()) ? 'an invalid time' : time.toISOString();
}

function listText(items: string[], shown = 5): string {
  return items.length > shown ? `${items.slice(0, shown).join(', ')} and ${items.length - shown} more` : items.join(', ');
}
