/** A plausible November 2026 (and a slower October) for the rendered report: what a security lead would receive. */
import type { Suppression } from '#core/config';
import type { Incident, IncidentIdentity } from '#core/model/incident';
import type { IncidentResponse, StatusChange } from '#core/respond/response';
import { DAY, HOUR, MINUTE, action, after, incident, response, signal, suppression } from './fixtures.ts';

export const SAMPLE_NOW = new Date('2026-12-01T08:00:00Z');
const ACCOUNT = '111122223333';

const role = (name: string, unusual: string[] = []): IncidentIdentity => ({
  roleArn: `arn:aws:iam::${ACCOUNT}:role/${name}`,
  via: 'irsa',
  sessions: [],
  accessKeyIds: [],
  sourceIps: [],
  unusualSourceIps: unusual,
});

const workload = (namespace: string, pod: string, image: string, imageDigest: string | null = null) => ({
  cluster: 'prod-east',
  namespace,
  namespaceCriticality: null,
  pod,
  owner: null,
  serviceAccount: pod.split('-')[0]!,
  image,
  imageDigest,
  node: 'ip-10-0-42-17.ec2.internal',
});

const change = (at: string, by: string, from: StatusChange['from'], to: StatusChange['to'], reason?: string): StatusChange => ({
  at,
  by,
  from,
  to,
  ...(reason ? { reason } : {}),
});
const opened = (at: string, severity = 'high') => ({ at, kind: 'opened' as const, severity });

interface Case {
  incident: Incident;
  response: IncidentResponse;
}

function pivot(): Case {
  const seen = '2026-11-21T02:13:04Z';
  const open = '2026-11-21T02:15:10Z';
  return {
    incident: incident('inc-452d9cf477d0', seen, {
      title: 'Compromised pod payments/checkout-7d9f8b6c5-x2k4q used its cloud credentials from 198.51.100.23',
      severity: 'critical',
      confidence: 0.99,
      lastSeen: '2026-11-21T02:29:01Z',
      objectives: [
        { tactic: 'Execution (TA0002)', technique: 'T1059 Command and Scripting Interpreter' },
        { tactic: 'Credential Access (TA0006)', technique: 'T1552.005 Cloud Instance Metadata API' },
        { tactic: 'Impact (TA0040)', technique: 'T1496 Resource Hijacking' },
      ],
      workload: workload('payments', 'checkout-7d9f8b6c5-x2k4q', 'registry.example/checkout:2.14.0', 'sha256:3f9a1c0e5b7d'),
      identities: [role('checkout-irsa', ['198.51.100.23'])],
      signals: [
        signal('guardduty.finding', seen, { source: 'guardduty', title: 'GuardDuty Execution:Runtime/ReverseShell' }),
        signal('guardduty.finding', '2026-11-21T02:18:40Z', { source: 'guardduty', title: 'GuardDuty Impact:Runtime/CryptoMinerExecuted' }),
        signal('eks-audit.secrets-access', '2026-11-21T02:22:30Z', { title: 'Service account listed secrets in another namespace' }),
        signal('cloudtrail.credentials-outside-egress', '2026-11-21T02:29:01Z', { title: 'Workload credentials used outside the cluster' }),
      ],
      blastRadius: {
        rolePermissions: [{ roleArn: `arn:aws:iam::${ACCOUNT}:role/checkout-irsa`, policies: ['AmazonS3ReadOnlyAccess', 'checkout-secrets (inline)'] }],
        sameServiceAccountPods: ['payments/checkout-7d9f8b6c5-m8z2p'],
        sameImagePods: ['payments/checkout-7d9f8b6c5-m8z2p', 'staging/checkout-5c4b9d7f8-qq7rt'],
        podsOnNode: [],
        notes: [],
      },
      suppressedSignals: 2,
    }),
    response: response('inc-452d9cf477d0', open, {
      firstRecordReceivedAt: '2026-11-21T02:14:31Z',
      alerts: [opened(open, 'high'), { at: '2026-11-21T02:29:40Z', kind: 'escalated', severity: 'critical' }],
      status: 'resolved',
      actions: [
        action('inc-452d9cf477d0', 'capture-evidence', '2026-11-21T02:15:20Z', 'applied'),
        action('inc-452d9cf477d0', 'isolate-pod', '2026-11-21T02:15:25Z', 'applied'),
        action('inc-452d9cf477d0', 'revoke-role-sessions', '2026-11-21T02:15:30Z', 'applied'),
        action('inc-452d9cf477d0', 'restart-pod', '2026-11-21T02:41:00Z', 'applied'),
        action('inc-452d9cf477d0', 'scale-down', '2026-11-21T02:41:05Z', 'applied'),
      ],
      firstContainedAt: '2026-11-21T02:15:27Z',
      approval: {
        nonce: 'n-1',
        requestedAt: '2026-11-21T02:15:40Z',
        expiresAt: '2026-11-21T06:15:40Z',
        proposed: [
          { action: 'restart-pod', target: 'prod-east/payments/checkout-7d9f8b6c5-x2k4q', reason: 'replace the compromised container' },
          { action: 'scale-down', target: 'prod-east/payments/checkout', reason: 'stop the vulnerable image' },
        ],
        decision: 'approved',
        decidedAt: '2026-11-21T02:40:12Z',
        decidedBy: 'alice@example.com',
      },
      undone: [
        {
          action: 'isolate-pod',
          target: 'prod-east/payments/checkout-7d9f8b6c5-x2k4q',
          at: '2026-11-22T10:05:00Z',
          by: 'bob@example.com',
          result: 'undone',
          detail: 'quarantine label and policy removed',
        },
      ],
      history: [
        change('2026-11-21T02:15:27Z', 'pivotguard', 'open', 'contained', 'a containment step was applied'),
        change('2026-11-22T10:00:00Z', 'bob@example.com', 'contained', 'resolved', 'image patched to 2.14.1, role credentials rotated'),
      ],
    }),
  };
}

function exec(): Case {
  const seen = '2026-11-27T14:02:00Z';
  const open = '2026-11-27T14:03:10Z';
  return {
    incident: incident('inc-9b1e77a0c3f2', seen, {
      title: 'Interactive shell opened in a running pod: pod payments/ledger-6f5d8c7b9-h2j4k',
      severity: 'high',
      confidence: 0.75,
      objectives: [{ tactic: 'Execution (TA0002)', technique: 'T1609 Container Administration Command' }],
      workload: workload('payments', 'ledger-6f5d8c7b9-h2j4k', 'registry.example/ledger:5.2.0', 'sha256:77c0d2aa91e4'),
      identities: [role('ledger-irsa')],
      signals: [signal('eks-audit.exec-into-pod', seen, { title: 'Interactive shell opened in a running pod' })],
      blastRadius: {
        rolePermissions: [{ roleArn: `arn:aws:iam::${ACCOUNT}:role/ledger-irsa`, policies: ['ledger-dynamodb (inline)'] }],
        sameServiceAccountPods: [],
        sameImagePods: ['payments/ledger-6f5d8c7b9-p9q8r'],
        podsOnNode: [],
        notes: [],
      },
    }),
    response: response('inc-9b1e77a0c3f2', open, {
      firstRecordReceivedAt: '2026-11-27T14:02:50Z',
      alerts: [opened(open)],
      status: 'contained',
      actions: [
        action('inc-9b1e77a0c3f2', 'capture-evidence', '2026-11-27T14:03:20Z', 'applied'),
        action('inc-9b1e77a0c3f2', 'isolate-pod', '2026-11-27T14:03:25Z', 'applied'),
      ],
      firstContainedAt: '2026-11-27T14:03:27Z',
      approval: {
        nonce: 'n-2',
        requestedAt: '2026-11-27T14:03:40Z',
        expiresAt: '2026-12-04T14:03:40Z',
        proposed: [{ action: 'restart-pod', target: 'prod-east/payments/ledger-6f5d8c7b9-h2j4k', reason: 'discard whatever the shell changed' }],
      },
      history: [change('2026-11-27T14:03:27Z', 'pivotguard', 'open', 'contained', 'a containment step was applied')],
    }),
  };
}

function backupSecrets(id: string, seen: string, minutesToOpen: number, dismissedBy: string): Case {
  const open = after(seen, minutesToOpen * MINUTE);
  return {
    incident: incident(id, seen, {
      title: 'Secret or decrypted parameter read: role reports-irsa',
      severity: 'medium',
      confidence: 0.55,
      objectives: [{ tactic: 'Credential Access (TA0006)', technique: 'T1555.006 Cloud Secrets Management Stores' }],
      workload: workload('batch', 'reports-28861440-7xkqz', 'registry.example/reports:1.9.3'),
      identities: [role('reports-irsa')],
      signals: [
        signal('cloudtrail.secret-read', seen, { source: 'cloudtrail', title: 'Secret or decrypted parameter read', severity: 'low' }),
        signal('cloudtrail.access-denied', seen, { source: 'cloudtrail', title: 'Burst of access-denied calls', severity: 'medium' }),
      ],
      suppressedSignals: 5,
    }),
    response: response(id, open, {
      firstRecordReceivedAt: after(seen, (minutesToOpen - 1) * MINUTE),
      alerts: [opened(open, 'medium')],
      status: 'false-positive',
      history: [change(after(open, 35 * MINUTE), dismissedBy, 'open', 'false-positive', 'the nightly backup job reads every secret')],
      proposedSuppression: {
        rule: 'cloudtrail.secret-read',
        scope: { roleArn: `arn:aws:iam::${ACCOUNT}:role/reports-irsa` },
        expiresAt: after(open, 30 * DAY),
        accepted: { at: after(open, HOUR), by: 'dana@example.com' },
      },
    }),
  };
}

function privilegedPod(): Case {
  const seen = '2026-11-10T09:40:00Z';
  const open = '2026-11-10T09:41:30Z';
  return {
    incident: incident('inc-1c7f02b8e611', seen, {
      title: 'Privileged pod created: pod batch/etl-7c9d5-wq2lm',
      severity: 'high',
      confidence: 0.7,
      objectives: [{ tactic: 'Privilege Escalation (TA0004)', technique: 'T1611 Escape to Host' }],
      workload: workload('batch', 'etl-7c9d5-wq2lm', 'registry.example/etl:0.8.1'),
      signals: [signal('eks-audit.privileged-pod', seen, { title: 'Privileged pod created' })],
      blastRadius: {
        rolePermissions: [],
        sameServiceAccountPods: [],
        sameImagePods: [],
        podsOnNode: [
          { pod: 'payments/checkout-7d9f8b6c5-m8z2p', reason: 'same node' },
          { pod: 'batch/reports-28861440-7xkqz', reason: 'same node' },
        ],
        notes: [],
      },
    }),
    response: response('inc-1c7f02b8e611', open, {
      firstRecordReceivedAt: '2026-11-10T09:40:45Z',
      alerts: [opened(open)],
      status: 'resolved',
      actions: [
        action('inc-1c7f02b8e611', 'capture-evidence', '2026-11-10T09:41:40Z', 'applied'),
        action('inc-1c7f02b8e611', 'isolate-pod', '2026-11-10T09:41:45Z', 'dry-run'),
      ],
      history: [change('2026-11-10T14:41:30Z', 'erin@example.com', 'open', 'resolved', 'privileged flag removed from the ETL chart')],
    }),
  };
}

function adminBinding(): Case {
  const seen = '2026-11-30T21:50:00Z';
  const open = '2026-11-30T21:58:00Z';
  return {
    incident: incident('inc-e04a5b9d2c17', seen, {
      title: 'Cluster-admin granted to a service account: role binding ci-deployer-admin',
      severity: 'critical',
      confidence: 0.85,
      objectives: [{ tactic: 'Privilege Escalation (TA0004)', technique: 'T1098.006 Additional Container Cluster Roles' }],
      workload: { ...workload('ci', 'deployer-5b8f9-zt6xw', 'registry.example/deployer:3.1.0'), pod: null },
      signals: [signal('eks-audit.privileged-binding', seen, { title: 'Cluster-admin granted to a service account', severity: 'critical' })],
      blastRadius: {
        rolePermissions: [],
        sameServiceAccountPods: [],
        sameImagePods: [],
        podsOnNode: [],
        notes: ['Cluster-admin can read every secret in the cluster.'],
      },
    }),
    // Arrival was not recorded for this one: only time to detect, not its split.
    response: response('inc-e04a5b9d2c17', open, { alerts: [opened(open, 'critical')] }),
  };
}

function probing(): Case {
  const seen = '2026-11-04T16:20:00Z';
  const open = '2026-11-04T16:24:00Z';
  return {
    incident: incident('inc-5d2a90c4b8e3', seen, {
      title: 'Probing burst by system:serviceaccount:dev:ci-runner',
      severity: 'low',
      confidence: 0.35,
      objectives: [{ tactic: 'Discovery (TA0007)', technique: 'T1613 Container and Resource Discovery' }],
      workload: workload('dev', 'ci-runner-84c6b-f7g2d', 'registry.example/ci-runner:2024.11'),
      signals: [
        signal('eks-audit.forbidden-api-call', seen, { title: 'Forbidden Kubernetes API call', severity: 'low' }),
        signal('eks-audit.permission-enumeration', seen, { title: 'Permission enumeration', severity: 'low' }),
      ],
    }),
    response: response('inc-5d2a90c4b8e3', open, {
      firstRecordReceivedAt: '2026-11-04T16:22:10Z',
      alerts: [opened(open, 'low')],
      status: 'false-positive',
      history: [change('2026-11-04T17:00:00Z', 'carol@example.com', 'open', 'false-positive', 'CI runner checking its own permissions')],
    }),
  };
}

function october(): Case[] {
  return ['2026-10-06T11:00:00Z', '2026-10-14T03:30:00Z', '2026-10-22T19:10:00Z', '2026-10-29T08:00:00Z'].map((seen, index) => {
    const id = `inc-oct-${index}`;
    const open = after(seen, (8 + index * 4) * MINUTE);
    return {
      incident: incident(id, seen, {
        severity: index === 1 ? 'critical' : 'high',
        signals: [signal(index % 2 ? 'cloudtrail.secret-read' : 'eks-audit.exec-into-pod', seen)],
      }),
      response: response(id, open, {
        alerts: [opened(open)],
        status: index === 3 ? 'false-positive' : 'resolved',
        firstContainedAt: after(open, 6 * MINUTE),
        history: [change(after(open, (10 + index * 3) * HOUR), 'alice@example.com', 'open', index === 3 ? 'false-positive' : 'resolved')],
      }),
    };
  });
}

export function sampleMonth(): { incidents: Incident[]; responses: IncidentResponse[]; suppressions: Suppression[]; now: Date } {
  const cases = [
    pivot(),
    exec(),
    backupSecrets('inc-a83f61d0e2b9', '2026-11-02T01:00:00Z', 3, 'bob@example.com'),
    backupSecrets('inc-b2c4e6f80a13', '2026-11-16T01:00:00Z', 2, 'dave@example.com'),
    privilegedPod(),
    adminBinding(),
    probing(),
    ...october(),
  ];
  const now = SAMPLE_NOW.toISOString();
  return {
    incidents: cases.map((entry) => entry.incident),
    responses: cases.map((entry) => entry.response),
    suppressions: [
      suppression(after(now, 5 * DAY), {
        rule: 'cloudtrail.secret-read',
        roleArn: `arn:aws:iam::${ACCOUNT}:role/reports-irsa`,
        owner: 'dana@example.com',
        reason: 'Nightly backup job reads every secret',
      }),
      suppression(after(now, -2 * DAY), { rule: 'eks-audit.exec-into-pod', namespace: 'dev', owner: 'carol@example.com', reason: 'Developers debug in dev' }),
      suppression(after(now, 60 * DAY), {
        rule: undefined,
        image: 'registry.example/load-test:*',
        owner: 'erin@example.com',
        reason: 'Load tests look like probing',
      }),
    ],
    now: SAMPLE_NOW,
  };
}
