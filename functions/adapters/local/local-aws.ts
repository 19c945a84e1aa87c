import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import {
  DeleteRolePolicyCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  NoSuchEntityException,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { AccountIamClients, IamAccess, IamSender } from '../containment/account-clients.ts';

/**
 * Stand-ins for the two AWS services containment writes to, for local mode: they answer the
 * same commands the real clients send, the way IAM and S3 answer them, so the production
 * IamRevocation and EvidenceLocker run unchanged. Nothing leaves the machine.
 */

/**
 * The accounts of the replayed incident's roles, one IAM stand-in each: a role ARN in account A and
 * a same-named role in account B are different roles. Containment acts in each through its
 * account's stand-in, as the deployed function does through each account's member role.
 */
export class LocalIamOrganization implements AccountIamClients {
  private readonly accounts = new Map<string, LocalIamAccount>();

  constructor(roleArns: readonly string[], trustOf?: (roleArn: string) => object) {
    for (const account of new Set(roleArns.map(accountOfArn))) {
      this.accounts.set(
        account,
        new LocalIamAccount(
          roleArns.filter((arn) => accountOfArn(arn) === account),
          trustOf,
        ),
      );
    }
  }

  async iamFor(accountId: string | undefined): Promise<IamAccess> {
    const key = accountId ?? '';
    // An account none of the incident's roles is in holds no role: IAM answers NoSuchEntity there.
    if (!this.accounts.has(key)) this.accounts.set(key, new LocalIamAccount([]));
    // The stand-in answers the same commands as an IAMClient; only `send` is used.
    return { iam: this.accounts.get(key)! as unknown as IamSender };
  }

  /** Every inline policy written, by role ARN, then policy name, as the documents IAM would hold. */
  policiesByRoleArn(): Record<string, Record<string, unknown>> {
    return Object.fromEntries(
      [...this.accounts.values()].flatMap((account) =>
        [...account.policies].map(([role, named]) => [
          account.arnOf(role) ?? role,
          Object.fromEntries([...named].map(([name, text]) => [name, JSON.parse(text) as unknown])),
        ]),
      ),
    );
  }
}

/** The account of a role ARN, '' when the text names none (then the role is taken to be in the one account without an id). */
function accountOfArn(arn: string): string {
  return /^arn:aws[\w-]*:iam::(\d{12}):/.exec(arn)?.[1] ?? '';
}

/** The roles of one account of the replayed incidents, with the inline policies pivotguard puts on them. */
export class LocalIamAccount {
  /** Role name to policy name to the policy document as written. */
  readonly policies = new Map<string, Map<string, string>>();
  /** Role name to its trust policy as written. */
  readonly trustPolicies = new Map<string, string>();
  private readonly roles: Map<string, string>;

  /** `trustOf` gives a role's trust policy, e.g. the one eksctl writes for an IRSA role. */
  constructor(roleArns: readonly string[], trustOf: (roleArn: string) => object = () => ({ Version: '2012-10-17', Statement: [] })) {
    this.roles = new Map(roleArns.map((arn) => [arn.slice(arn.lastIndexOf('/') + 1), arn]));
    for (const [name, arn] of this.roles) this.trustPolicies.set(name, JSON.stringify(trustOf(arn)));
  }

  /** The ARN of a role of this account, by name. */
  arnOf(roleName: string): string | undefined {
    return this.roles.get(roleName);
  }

  async send(command: unknown): Promise<unknown> {
    if (command instanceof GetRoleCommand) {
      const name = command.input.RoleName!;
      const arn = this.roles.get(name) ?? missing(`The role with name ${name} cannot be found.`);
      const roleId = `AROA${createHash('sha256').update(arn).digest('hex').slice(0, 17).toUpperCase()}`;
      // IAM returns policy documents URL-encoded.
      const trust = encodeURIComponent(this.trustPolicies.get(name)!);
      return { Role: { RoleName: name, RoleId: roleId, Arn: arn, Path: '/', CreateDate: new Date(0), AssumeRolePolicyDocument: trust } };
    }
    if (command instanceof UpdateAssumeRolePolicyCommand) {
      const { RoleName, PolicyDocument } = command.input;
      if (!this.roles.has(RoleName!)) missing(`The role with name ${RoleName} cannot be found.`);
      this.trustPolicies.set(RoleName!, PolicyDocument!);
      return {};
    }
    if (command instanceof GetRolePolicyCommand) {
      const { RoleName, PolicyName } = command.input;
      const document = this.policies.get(RoleName!)?.get(PolicyName!) ?? missing(`The role policy with name ${PolicyName} cannot be found.`);
      // IAM returns policy documents URL-encoded.
      return { RoleName, PolicyName, PolicyDocument: encodeURIComponent(document) };
    }
    if (command instanceof PutRolePolicyCommand) {
      const { RoleName, PolicyName, PolicyDocument } = command.input;
      if (!this.roles.has(RoleName!)) missing(`The role with name ${RoleName} cannot be found.`);
      const policies = this.policies.get(RoleName!) ?? new Map<string, string>();
      policies.set(PolicyName!, PolicyDocument!);
      this.policies.set(RoleName!, policies);
      return {};
    }
    if (command instanceof DeleteRolePolicyCommand) {
      const { RoleName, PolicyName } = command.input;
      if (!this.policies.get(RoleName!)?.delete(PolicyName!)) missing(`The role policy with name ${PolicyName} cannot be found.`);
      return {};
    }
    throw new Error(`the local IAM stand-in does not answer ${(command as object).constructor.name}`);
  }
}

/** An evidence bucket in a directory: write-once objects, checked by their sha256 like S3's checksums. */
export class LocalEvidenceBucket {
  constructor(readonly directory: string) {}

  async send(command: unknown): Promise<unknown> {
    if (command instanceof PutObjectCommand) {
      const path = this.pathOf(command.input.Key!);
      await mkdir(dirname(path), { recursive: true });
      try {
        await writeFile(path, command.input.Body as Buffer, { flag: command.input.IfNoneMatch === '*' ? 'wx' : 'w' });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        throw Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), {
          name: 'PreconditionFailed',
          $metadata: { httpStatusCode: 412 },
        });
      }
      return { VersionId: 'local' };
    }
    if (command instanceof HeadObjectCommand) {
      const body = await readFile(this.pathOf(command.input.Key!));
      return { ContentLength: body.length, ChecksumSHA256: createHash('sha256').update(body).digest('base64') };
    }
    throw new Error(`the local evidence bucket does not answer ${(command as object).constructor.name}`);
  }

  private pathOf(key: string): string {
    const path = resolve(this.directory, key);
    // Keys come from incident ids; never let one climb out of the evidence directory.
    if (!path.startsWith(resolve(this.directory) + sep)) throw new Error(`evidence key ${key} leaves the evidence directory`);
    return join(path);
  }
}

function missing(message: string): never {
  throw new NoSuchEntityException({ message, $metadata: { httpStatusCode: 404 } });
}
