import { describe, expect, it } from 'vitest';
import { EKS_TOKEN_PREFIX, eksBearerToken } from '#adapters/kubernetes/eks-token';

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const NOW = new Date('2026-03-01T09:30:00Z');

function presignedUrl(token: string): URL {
  expect(token.startsWith(EKS_TOKEN_PREFIX)).toBe(true);
  const encoded = token.slice(EKS_TOKEN_PREFIX.length);
  // base64url without padding, as the API server's authenticator decodes it.
  expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
  return new URL(Buffer.from(encoded, 'base64url').toString('utf8'));
}

describe('eksBearerToken', () => {
  it('is a presigned STS GetCallerIdentity URL for the region, valid 60 seconds, signed over the cluster id header', async () => {
    const token = await eksBearerToken({ clusterName: 'prod-east', region: 'eu-west-1', credentials: CREDENTIALS, now: NOW });
    expect(token.startsWith('k8s-aws-v1.')).toBe(true);
    const url = presignedUrl(token);
    expect(url.protocol).toBe('https:');
    expect(url.host).toBe('sts.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/');
    const query = url.searchParams;
    expect(query.get('Action')).toBe('GetCallerIdentity');
    expect(query.get('Version')).toBe('2011-06-15');
    expect(query.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(query.get('X-Amz-Credential')).toBe('AKIDEXAMPLE/20260301/eu-west-1/sts/aws4_request');
    expect(query.get('X-Amz-Date')).toBe('20260301T093000Z');
    expect(query.get('X-Amz-Expires')).toBe('60');
    expect(query.get('X-Amz-SignedHeaders')?.split(';')).toEqual(['host', 'x-k8s-aws-id']);
    expect(query.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(query.has('X-Amz-Security-Token')).toBe(false);
  });

  // Reference signatures from botocore's SigV4QueryAuth (what `aws eks get-token` runs) for the same inputs.
  it.each([
    ['long-term keys', CREDENTIALS, '76cd26afa40778ef71ef70bb2a741e6bb76ed320460df1d98c6db3871bddb82f'],
    ['a role session', { ...CREDENTIALS, sessionToken: 'session/token+=' }, 'be78f239dcef1a411dcfd1a0e648d41c70cce731e834917d46f48d7079f251be'],
  ])('signs exactly as the AWS CLI does with %s', async (_case, credentials, signature) => {
    const url = presignedUrl(await eksBearerToken({ clusterName: 'prod-east', region: 'eu-west-1', credentials, now: NOW }));
    expect(url.searchParams.get('X-Amz-Signature')).toBe(signature);
    if ('sessionToken' in credentials) expect(url.searchParams.get('X-Amz-Security-Token')).toBe('session/token+=');
  });

  it('binds the token to the cluster: another cluster name gives another signature', async () => {
    const signatureFor = async (clusterName: string) =>
      presignedUrl(await eksBearerToken({ clusterName, region: 'eu-west-1', credentials: CREDENTIALS, now: NOW })).searchParams.get('X-Amz-Signature');
    expect(await signatureFor('prod-east')).not.toBe(await signatureFor('prod-west'));
  });

  it('takes a credentials provider, as an SDK client config holds one', async () => {
    const fromProvider = await eksBearerToken({ clusterName: 'prod-east', region: 'eu-west-1', credentials: async () => CREDENTIALS, now: NOW });
    const fromValue = await eksBearerToken({ clusterName: 'prod-east', region: 'eu-west-1', credentials: CREDENTIALS, now: NOW });
    expect(fromProvider).toBe(fromValue);
  });
});
