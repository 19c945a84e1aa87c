/**
 * What the deployed stacks share with the tools that look at an account before or after a deploy
 * (`pivotguard doctor`), in one place: the stack builds from it, the doctor checks against it.
 */

/** The stack the ready app deploys to forward one region's events to pivotguard's region. */
export function forwarderStackName(region: string): string {
  return `PivotGuard-Forwarder-${region}`;
}

/**
 * Reserved concurrency: the public approval page can take only this much of the account's, and
 * containment always has this much. Lambda refuses a reservation that leaves fewer than 100
 * unreserved executions in the account.
 */
export const RESERVED_CONCURRENCY = { approvalPage: 5, containment: 10 } as const;
/** What Lambda keeps unreserved for every other function of the account. */
export const LAMBDA_UNRESERVED_MINIMUM = 100;
