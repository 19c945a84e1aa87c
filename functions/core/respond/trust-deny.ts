/**
 * Stops a stolen IRSA web-identity token everywhere: a Deny in the role's trust policy for
 * `sts:AssumeRoleWithWebIdentity` by the service account's subject, for each OIDC provider the
 * trust policy lets in. STS refuses the token from any address, and also refuses the healthy
 * replicas' refresh (they share the subject), hence the approval tier. The undo puts back the
 * trust policy exactly as it was read.
 */
export interface TrustPolicyDocument {
  Version?: string;
  Statement: TrustStatement[] | TrustStatement;
}

export interface TrustStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: { Federated?: string | string[]; [other: string]: unknown } | string;
  Action: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export const TRUST_DENY_SID = 'PivotguardDenyStolenToken';

/** The trust policy does not let the subject in through an OIDC provider: nothing to deny there. */
export class NoWebIdentityTrust extends Error {
  constructor(readonly roleName: string) {
    super(`the trust policy of ${roleName} lets no OIDC provider assume it with a web identity`);
    this.name = 'NoWebIdentityTrust';
  }
}

/** Not a service account subject: a wildcard or another shape would refuse more than one service account's token. */
export class InvalidSubject extends Error {
  constructor(readonly subject: string) {
    super(`"${subject}" is not a service account subject`);
    this.name = 'InvalidSubject';
  }
}

/** `system:serviceaccount:<namespace>:<name>`, as EKS writes the token's `sub`. */
const SUBJECT = /^system:serviceaccount:[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?:[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export function trustPolicyDenyingSubject(roleName: string, trust: TrustPolicyDocument, subject: string): TrustPolicyDocument {
  if (!SUBJECT.test(subject)) throw new InvalidSubject(subject);
  // A retry replaces its own statements rather than adding them twice.
  const statements = statementsOf(trust).filter((statement) => !statement.Sid?.startsWith(TRUST_DENY_SID));
  const providers = [
    ...new Set(
      statements
        .filter(
          (statement) =>
            statement.Effect === 'Allow' &&
            actionsOf(statement).some((action) => action === 'sts:AssumeRoleWithWebIdentity' || action === 'sts:*' || action === '*'),
        )
        .flatMap((statement) => federatedOf(statement)),
    ),
  ].sort();
  if (providers.length === 0) throw new NoWebIdentityTrust(roleName);
  // One statement per provider: two `:sub` keys in one condition would both have to match.
  const denies = providers.map(
    (provider, index): TrustStatement => ({
      Sid: index === 0 ? TRUST_DENY_SID : `${TRUST_DENY_SID}${index}`,
      Effect: 'Deny',
      Principal: { Federated: provider },
      Action: 'sts:AssumeRoleWithWebIdentity',
      Condition: { StringEquals: { [`${issuerOf(provider)}:sub`]: subject } },
    }),
  );
  return { Version: trust.Version ?? '2012-10-17', Statement: [...statements, ...denies] };
}

function statementsOf(trust: TrustPolicyDocument): TrustStatement[] {
  return Array.isArray(trust.Statement) ? trust.Statement : [trust.Statement];
}

function actionsOf(statement: TrustStatement): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

function federatedOf(statement: TrustStatement): string[] {
  const principal = statement.Principal;
  if (!principal || typeof principal === 'string') return [];
  const federated = principal.Federated;
  const list = Array.isArray(federated) ? federated : federated ? [federated] : [];
  return list.filter((arn) => /^arn:aws[\w-]*:iam::\d{12}:oidc-provider\/.+/.test(arn));
}

/** The condition-key prefix of an OIDC provider: its ARN's path, e.g. `oidc.eks.eu-west-1.amazonaws.com/id/ABC`. */
function issuerOf(providerArn: string): string {
  return providerArn.slice(providerArn.indexOf(':oidc-provider/') + ':oidc-provider/'.length);
}
