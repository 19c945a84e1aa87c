import { GUARDDUTY_FINDING_TYPES, type FindingResource, type GuardDutyFindingType } from '#core/detect/rules/guardduty/finding-types';

/**
 * The corpus holds nine GuardDuty findings of four types. The pack claims every type in the
 * finding-type table, so the eval also scores one finding of each type, built the way GuardDuty
 * exports it (camelCase, as in the EventBridge detail) around the resource the table ties it to,
 * and two copies that must not alert: the same finding as a GuardDuty sample
 * (CreateSampleFindings marks `service.additionalInfo.sample`) and archived (`service.archived`,
 * set when a person or a suppression rule archives it). Each is at GuardDuty's medium severity (5):
 * the question is whether the type is read, not how GuardDuty grades it.
 */
export type TableVariant = 'finding' | 'sample' | 'archived';

export interface TableFinding {
  entry: GuardDutyFindingType;
  variant: TableVariant;
  record: Record<string, unknown>;
}

const ACCOUNT = '111122223333';
const CLUSTER = 'corpus';
const SEEN = '2024-06-01T00:00:00.000Z';

const RESOURCES: Record<FindingResource, Record<string, unknown>> = {
  pod: {
    resourceType: 'EKSCluster',
    eksClusterDetails: { name: CLUSTER },
    kubernetesDetails: {
      kubernetesUserDetails: { username: 'system:serviceaccount:shop:web' },
      kubernetesWorkloadDetails: {
        name: 'web-7d9c5',
        type: 'pods',
        uid: '0b8a3c1e-5d2f-4a7b-9c6e-1f2a3b4c5d6e',
        namespace: 'shop',
        containers: [{ name: 'app', image: 'registry.example/web:1.4' }],
      },
    },
  },
  cluster: {
    resourceType: 'EKSCluster',
    eksClusterDetails: { name: CLUSTER },
    kubernetesDetails: { kubernetesUserDetails: { username: 'system:anonymous' } },
  },
  node: {
    resourceType: 'Instance',
    instanceDetails: { instanceId: 'i-0a1b2c3d4e5f60718', tags: [{ key: 'eks:cluster-name', value: CLUSTER }] },
  },
  role: {
    resourceType: 'AccessKey',
    accessKeyDetails: { accessKeyId: 'ASIAEXAMPLEEVALKEY01', principalId: 'AROAEXAMPLEEVALROLE:web', userName: 'web-role', userType: 'AssumedRole' },
  },
  sequence: { resourceType: 'AttackSequence' },
};

const ADDITIONAL_INFO: Record<TableVariant, Record<string, unknown>> = {
  finding: {},
  sample: { sample: true, type: 'default', value: '{"sample":true}' },
  archived: {},
};

export function tableFindings(): TableFinding[] {
  return GUARDDUTY_FINDING_TYPES.flatMap((entry, index) =>
    (['finding', 'sample', 'archived'] as const).map((variant) => ({ entry, variant, record: findingOf(entry, variant, index) })),
  );
}

function findingOf(entry: GuardDutyFindingType, variant: TableVariant, index: number): Record<string, unknown> {
  const id = `eval${String(index).padStart(4, '0')}${variant}`;
  return {
    schemaVersion: '2.0',
    accountId: ACCOUNT,
    region: 'us-east-1',
    partition: 'aws',
    id,
    arn: `arn:aws:guardduty:us-east-1:${ACCOUNT}:detector/eval/finding/${id}`,
    type: entry.type,
    title: `${entry.type} (eval)`,
    description: `A ${entry.type} finding built by the eval from the finding-type table.`,
    severity: 5,
    createdAt: SEEN,
    updatedAt: SEEN,
    resource: RESOURCES[entry.resource],
    service: {
      serviceName: 'guardduty',
      archived: variant === 'archived',
      count: 1,
      eventFirstSeen: SEEN,
      eventLastSeen: SEEN,
      additionalInfo: ADDITIONAL_INFO[variant],
    },
  };
}
