import { AWS_ID_ALPHABET, Prng, fnv1a } from './prng.ts';

/**
 * The fixed AWS surroundings of the simulated cluster: one account, one region, two
 * availability zones each behind its own NAT gateway, and VPC interface endpoints for
 * KMS and Secrets Manager (so those calls come from private pod IPs instead).
 */
export const ACCOUNT_ID = '111122223333';
export const REGION = 'us-east-1';
export const ECR_REGISTRY = `${ACCOUNT_ID}.dkr.ecr.${REGION}.amazonaws.com`;

export interface Zone {
  name: string;
  natIp: string;
  /** Third octet range of the zone's private subnet inside 10.0.0.0/16. */
  octetMin: number;
  octetMax: number;
}

export const ZONES: readonly Zone[] = [
  { name: 'us-east-1a', natIp: '203.0.113.10', octetMin: 0, octetMax: 31 },
  { name: 'us-east-1b', natIp: '203.0.113.11', octetMin: 32, octetMax: 63 },
];

/** Services reached through interface endpoints; everything else leaves through NAT. */
export type EndpointService = 'kms' | 'secretsmanager';

export class AwsAccount {
  readonly oidcIssuerId: string;
  readonly oidcProviderArn: string;
  readonly vpcEndpoints: Record<EndpointService, string>;
  /** Auto Scaling group behind the EKS managed node group. */
  readonly asgName: string;
  private readonly salt: number;
  private readonly roleIds = new Map<string, string>();

  constructor(
    seed: number,
    readonly cluster: string,
  ) {
    this.salt = seed >>> 0;
    const rng = new Prng(fnv1a(`account:${seed}:${cluster}`));
    this.oidcIssuerId = rng.hex(32).toUpperCase();
    const issuer = `oidc.eks.${REGION}.amazonaws.com/id/${this.oidcIssuerId}`;
    this.oidcProviderArn = `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/${issuer}`;
    this.vpcEndpoints = { kms: `vpce-0${rng.hex(16)}`, secretsmanager: `vpce-0${rng.hex(16)}` };
    this.asgName = `eks-general-${rng.uuid()}`;
  }

  roleArn(roleName: string): string {
    return `arn:aws:iam::${ACCOUNT_ID}:role/${roleName}`;
  }

  /** IAM role unique id (AROA…), stable per role name so it never adds cardinality. */
  roleId(roleName: string): string {
    let id = this.roleIds.get(roleName);
    if (id === undefined) {
      id = `AROA${new Prng(fnv1a(`role:${this.salt}:${roleName}`)).chars(AWS_ID_ALPHABET, 17)}`;
      this.roleIds.set(roleName, id);
    }
    return id;
  }

  /** KMS key id used by an application, stable per app. */
  kmsKeyArn(app: string): string {
    const rng = new Prng(fnv1a(`kms:${this.salt}:${app}`));
    return `arn:aws:kms:${REGION}:${ACCOUNT_ID}:key/${rng.uuid()}`;
  }

  /** Secrets Manager appends six random characters to every secret ARN. */
  secretArn(app: string): string {
    const rng = new Prng(fnv1a(`secret:${this.salt}:${app}`));
    const suffix = rng.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', 6);
    return `arn:aws:secretsmanager:${REGION}:${ACCOUNT_ID}:secret:${app}/prod-${suffix}`;
  }
}

export function newAccessKeyId(rng: Prng): string {
  return `ASIA${rng.chars(AWS_ID_ALPHABET, 16)}`;
}

/** STS session tokens are long opaque base64; a shortened one keeps lines realistic but small. */
export function newSessionToken(rng: Prng): string {
  return `IQoJb3JpZ2luX2VjE${rng.chars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/', 220)}`;
}
