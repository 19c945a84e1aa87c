import ipaddr from 'ipaddr.js';

/** CloudTrail writes a service name (e.g. eks.amazonaws.com) where an AWS service made the call. */
export function isIpAddress(value: string): boolean {
  // A cheap shape check on the hot path; ipaddr.js judges the ranges below.
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(value) || (value.includes(':') && /^[0-9a-fA-F:]+$/.test(value));
}

/** Addresses that never leave the VPC: a call from one came through a VPC endpoint or the node itself. */
const INTERNAL_RANGES = new Set(['private', 'loopback', 'linkLocal', 'uniqueLocal', 'unspecified']);

// Source addresses repeat (nodes, controllers, NAT gateways): remember recent answers, bounded.
const publicAnswers = new Map<string, boolean>();
const PUBLIC_ANSWERS_MAX = 10_000;

export function isPublicAddress(ip: string): boolean {
  let answer = publicAnswers.get(ip);
  if (answer === undefined) {
    answer = ipaddr.isValid(ip) && !INTERNAL_RANGES.has(ipaddr.process(ip).range());
    if (publicAnswers.size >= PUBLIC_ANSWERS_MAX) publicAnswers.clear();
    publicAnswers.set(ip, answer);
  }
  return answer;
}

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

// Configured ranges are few and checked often: each is parsed once.
const parsedRanges = new Map<string, Range | null>();

function parseRange(range: string): Range | null {
  let parsed = parsedRanges.get(range);
  if (parsed === undefined) {
    try {
      if (range.includes('/')) parsed = ipaddr.parseCIDR(range);
      else {
        const address = ipaddr.process(range);
        parsed = [address, address.kind() === 'ipv4' ? 32 : 128];
      }
    } catch {
      parsed = null;
    }
    parsedRanges.set(range, parsed);
  }
  return parsed;
}

/** Whether an address falls in any of the ranges (CIDRs or single addresses). */
export function inAnyRange(ip: string, ranges: readonly string[]): boolean {
  if (ranges.length === 0 || !ipaddr.isValid(ip)) return false;
  const address = ipaddr.process(ip);
  return ranges.some((range) => {
    const parsed = parseRange(range);
    return parsed !== null && address.kind() === parsed[0].kind() && address.match(parsed);
  });
}
