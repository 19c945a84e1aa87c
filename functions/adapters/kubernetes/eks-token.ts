import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

/** The credentials a Lambda runs with, or a provider of them (an SDK client's `config.credentials`). */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface EksTokenInput {
  clusterName: string;
  region: string;
  credentials: AwsCredentials | (() => Promise<AwsCredentials>);
  /** Signing time; the token is valid for 60 seconds from it (the API server allows 15 minutes of skew). */
  now?: Date;
}

export const EKS_TOKEN_PREFIX = 'k8s-aws-v1.';
/** What `aws eks get-token` and aws-iam-authenticator sign with; the API server expects exactly this. */
const TOKEN_EXPIRES_SECONDS = 60;
const CLUSTER_ID_HEADER = 'x-k8s-aws-id';

/**
 * A bearer token for the EKS API server, as `aws eks get-token` makes it: a presigned STS
 * GetCallerIdentity URL whose signature covers the cluster name, so the token is useless for
 * any other cluster. It calls nothing; the API server presents the URL to STS to learn who we are.
 */
export async function eksBearerToken({ clusterName, region, credentials, now }: EksTokenInput): Promise<string> {
  const hostname = `sts.${region}.amazonaws.com`;
  const signer = new SignatureV4({ credentials, region, service: 'sts', sha256: Sha256 });
  const presigned = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host: hostname, [CLUSTER_ID_HEADER]: clusterName },
    },
    { expiresIn: TOKEN_EXPIRES_SECONDS, ...(now ? { signingDate: now } : {}) },
  );
  const query = Object.entries(presigned.query ?? {})
    .flatMap(([key, value]) => (Array.isArray(value) ? value : [value]).map((one) => `${rfc3986(key)}=${rfc3986(one ?? '')}`))
    .join('&');
  const url = `https://${hostname}/?${query}`;
  return EKS_TOKEN_PREFIX + Buffer.from(url, 'utf8').toString('base64url');
}

/** encodeURIComponent leaves !'()* alone; SigV4 canonicalization escapes them, so do the same. */
function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}
