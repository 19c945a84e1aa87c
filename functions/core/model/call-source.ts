import type { CloudTrailEvent } from './event.ts';
import { isIpAddress } from './address.ts';
import { isAccountId } from './arn.ts';

/**
 * Where a CloudTrail call came from, as the identity graph records it. A call through a VPC
 * endpoint carries a private address of whichever VPC the endpoint is in, which proves nothing
 * (an attacker can create an endpoint in their own VPC): such a call is recorded by its endpoint
 * and the endpoint's owner account, `vpce:<endpoint id>@<account>`. Other calls by their address.
 * AWS services calling for a principal write a service name, which is no source.
 */
export function callSourceOf(event: Pick<CloudTrailEvent, 'sourceIp' | 'vpcEndpointId' | 'vpcEndpointAccountId'>): string | undefined {
  if (event.vpcEndpointId && VPC_ENDPOINT_ID.test(event.vpcEndpointId)) {
    const account = isAccountId(event.vpcEndpointAccountId) ? `@${event.vpcEndpointAccountId}` : '';
    return `vpce:${event.vpcEndpointId}${account}`;
  }
  return isIpAddress(event.sourceIp) ? event.sourceIp : undefined;
}

/** The endpoint and its account of a source recorded by callSourceOf, when it is an endpoint. */
export function endpointOf(source: string): { endpointId: string; accountId?: string } | undefined {
  if (!source.startsWith('vpce:')) return undefined;
  const [endpointId, accountId] = source.slice(5).split('@');
  return { endpointId: endpointId!, ...(accountId ? { accountId } : {}) };
}

const VPC_ENDPOINT_ID = /^vpce-[0-9a-f]{8,17}$/;
