/** An IAM role named by ARN; the path is dropped because STS session ARNs omit it. */
export interface RoleRef {
  accountId: string;
  roleName: string;
}

const ROLE_ARN = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;

export function parseRoleArn(arn: string): RoleRef | undefined {
  const match = ROLE_ARN.exec(arn);
  return match ? { accountId: match[1]!, roleName: match[2]! } : undefined;
}

/** EKS names a service account's Kubernetes user system:serviceaccount:NAMESPACE:NAME. */
export function parseServiceAccountUser(username: string): { namespace: string; name: string } | undefined {
  if (!username.startsWith('system:serviceaccount:')) return undefined;
  const [namespace, name] = username.slice('system:serviceaccount:'.length).split(':');
  return namespace && name ? { namespace, name } : undefined;
}

/** The account of a role ARN, when the text is one. */
export function accountOf(roleArn: string | undefined): string | undefined {
  return roleArn ? parseRoleArn(roleArn)?.accountId : undefined;
}

/** An AWS account id: twelve digits. */
export function isAccountId(text: unknown): text is string {
  return typeof text === 'string' && /^\d{12}$/.test(text);
}
