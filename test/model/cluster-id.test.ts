import { describe, expect, it } from 'vitest';
import { ClusterScope, clusterAccountOf, clusterNameOf, scopeClusters } from '#core/model/cluster-id';
import type { AuditEvent, GuardDutyFinding } from '#core/model/event';

const HOME = '111122223333';
const OTHER = '222233334444';

describe('cluster ids', () => {
  it('keeps the home account’s cluster names and names another account’s NAME@ACCOUNT', () => {
    const scope = new ClusterScope(HOME);
    expect(scope.idOf('prod', HOME)).toBe('prod');
    expect(scope.idOf('prod', OTHER)).toBe(`prod@${OTHER}`);
    // Unknown account: the record is read as the home account's, as a single-account deployment always did.
    expect(scope.idOf('prod', undefined)).toBe('prod');
    expect(scope.idOf('prod', 'not-an-account')).toBe('prod');
  });

  it('reads an id back into the EKS name and the account', () => {
    expect([clusterNameOf(`prod@${OTHER}`), clusterAccountOf(`prod@${OTHER}`)]).toEqual(['prod', OTHER]);
    expect([clusterNameOf('prod'), clusterAccountOf('prod')]).toEqual(['prod', undefined]);
    expect(clusterAccountOf('prod@bogus')).toBeUndefined();
  });

  it('takes the first account a record names as home when none is given (a replay)', () => {
    const scope = new ClusterScope();
    expect(scope.idOf('prod', undefined)).toBe('prod');
    expect(scope.homeAccountId).toBeUndefined();
    expect(scope.idOf('prod', OTHER)).toBe('prod');
    expect(scope.idOf('prod', HOME)).toBe(`prod@${HOME}`);
    expect(scope.homeAccountId).toBe(OTHER);
  });

  it('scopes an audit record and a finding (its sequence too) in place, once', () => {
    const scope = new ClusterScope(HOME);
    const audit = { source: 'eks-audit', cluster: 'prod', accountId: OTHER } as AuditEvent;
    scopeClusters(audit, scope);
    scopeClusters(audit, scope);
    expect(audit.cluster).toBe(`prod@${OTHER}`);
    const finding = {
      source: 'guardduty',
      accountId: OTHER,
      cluster: 'prod',
      sequence: { clusters: ['prod'], workloads: [{ cluster: 'prod', name: 'web' }, { name: 'api' }], accessKeys: [] },
    } as unknown as GuardDutyFinding;
    scopeClusters(finding, scope);
    expect(finding.cluster).toBe(`prod@${OTHER}`);
    expect(finding.sequence?.clusters).toEqual([`prod@${OTHER}`]);
    expect(finding.sequence?.workloads.map((workload) => workload.cluster)).toEqual([`prod@${OTHER}`, undefined]);
  });
});
