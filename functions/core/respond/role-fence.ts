import ipaddr from 'ipaddr.js';

/**
 * The fence: one deny on a role for every request that comes from outside the cluster. A stolen
 * IRSA web-identity token mints new sessions for as long as it is valid (24 hours by default),
 * whatever happens to the pod, so denying the sessions seen so far is not enough: the fence
 * denies every session of the role, old or new, unless the request comes
 * - from one of the cluster's egress addresses (`aws:SourceIp`), or
 * - through a VPC endpoint in the cluster's VPC (`aws:SourceVpc`; `aws:SourceIp` is absent then), or
 * - from an AWS service acting for the role (`aws:ViaAWSService`), e.g. KMS for S3.
 * In-cluster pods keep working. The conditions of one statement must all hold for the deny to
 * apply, and a negated operator holds when its key is absent, which is what makes a request
 * through an attacker's own VPC endpoint (another `aws:SourceVpc`, no `aws:SourceIp`) denied.
 */
export interface RoleFence {
  /** The cluster's egress addresses: configured CIDRs, NAT gateway addresses, learned egress. */
  egressCidrs: string[];
  /** The cluster's VPC(s): requests through their endpoints are the cluster's. */
  vpcIds: string[];
}

export interface FenceStatement {
  Sid: 'PivotguardFenceToCluster';
  Effect: 'Deny';
  Action: '*';
  Resource: '*';
  Condition: {
    NotIpAddressIfExists: { 'aws:SourceIp': string[] };
    StringNotEqualsIfExists?: { 'aws:SourceVpc': string[] };
    BoolIfExists: { 'aws:ViaAWSService': 'false' };
  };
}

export interface FencePolicyDocument {
  Version: '2012-10-17';
  Statement: [FenceStatement];
}

/** The input would make a fence that denies more than outside requests, or nothing. */
export class InvalidFence extends Error {
  constructor(readonly reason: string) {
    super(`refusing to build a fence: ${reason}`);
    this.name = 'InvalidFence';
  }
}

const VPC_ID = /^vpc-[0-9a-f]{8,17}$/;
/** Ranges a request reaching AWS's public endpoints never comes from (ipaddr.js range names). */
const NOT_PUBLIC = new Set(['private', 'loopback', 'linkLocal', 'unspecified', 'multicast', 'broadcast', 'carrierGradeNat', 'uniqueLocal']);
/** Wider than this is not one cluster's egress: a /8 would let a large part of the internet in. */
const WIDEST_PREFIX = { ipv4: 16, ipv6: 48 } as const;

export function roleFencePolicy(fence: RoleFence): FencePolicyDocument {
  const cidrs = [...new Set(fence.egressCidrs.map(normalizedCidr))].sort();
  const vpcs = [...new Set(fence.vpcIds)].sort();
  const invalidVpc = vpcs.find((id) => !VPC_ID.test(id));
  if (invalidVpc !== undefined) throw new InvalidFence(`"${invalidVpc}" is not a VPC id`);
  // Pods that reach AWS through a NAT gateway carry its address: without it, the fence would deny the cluster too.
  if (cidrs.length === 0) throw new InvalidFence('the cluster’s egress addresses are not known');
  const condition: FenceStatement['Condition'] = { NotIpAddressIfExists: { 'aws:SourceIp': cidrs }, BoolIfExists: { 'aws:ViaAWSService': 'false' } };
  if (vpcs.length > 0) condition.StringNotEqualsIfExists = { 'aws:SourceVpc': vpcs };
  return { Version: '2012-10-17', Statement: [{ Sid: 'PivotguardFenceToCluster', Effect: 'Deny', Action: '*', Resource: '*', Condition: condition }] };
}

function normalizedCidr(cidr: string): string {
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = cidr.includes('/') ? ipaddr.parseCIDR(cidr) : [ipaddr.parse(cidr), ipaddr.parse(cidr).kind() === 'ipv4' ? 32 : 128];
  } catch {
    throw new InvalidFence(`"${cidr}" is not an address or CIDR`);
  }
  const [address, prefix] = parsed;
  const kind = address.kind();
  if (prefix < WIDEST_PREFIX[kind]) throw new InvalidFence(`${cidr} is wider than /${WIDEST_PREFIX[kind]}: not one cluster’s egress`);
  if (NOT_PUBLIC.has(address.range())) throw new InvalidFence(`${cidr} is not a public address (${address.range()}): AWS never sees it as aws:SourceIp`);
  return `${address.toString()}/${prefix}`;
}
