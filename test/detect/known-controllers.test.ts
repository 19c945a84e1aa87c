import { describe, expect, it } from 'vitest';
import { configSchema } from '#core/config';
import { detect } from '#core/detect/index';
import { BUILT_IN_CONTROLLERS, knownControllersOf, markKnownControllers } from '#core/detect/known-controllers';
import { severityRank } from '#core/model/signal';
import { ACCOUNT, assumedRoleIdentity, auditEvent, cloudTrailRecord } from '../fixtures/records.ts';
import { incidentsOf } from '../fixtures/pipeline.ts';
import { normalized } from './detect-helpers.ts';

type Json = Record<string, unknown>;

const PLATFORM = { platformAdmins: { groups: ['platform-admins'] } };

/** The signals of one record as the pipeline keeps them: detected, then checked against the known controllers. */
function signalsOf(record: Json, config: Json = PLATFORM) {
  const event = normalized(record);
  return markKnownControllers(detect(event), event, knownControllersOf(configSchema.parse(config)));
}

function only(rule: string, record: Json, config?: Json) {
  const signals = signalsOf(record, config).filter((signal) => signal.rule === rule);
  expect(signals).toHaveLength(1);
  return signals[0]!;
}

function serviceAccount(namespace: string, name: string): Json {
  return {
    username: `system:serviceaccount:${namespace}:${name}`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
  };
}

const KSM = serviceAccount('kube-state-metrics', 'kube-state-metrics');
const KSM_POD_IP = '10.0.12.34';

function secretsRequest(user: Json, verb: string, options: { namespace?: string; name?: string; sourceIp?: string } = {}): Json {
  const path = `/api/v1${options.namespace ? `/namespaces/${options.namespace}` : ''}/secrets${options.name ? `/${options.name}` : ''}`;
  return auditEvent({
    verb,
    user,
    requestURI: verb === 'watch' ? `${path}?watch=true` : path,
    sourceIPs: [options.sourceIp ?? KSM_POD_IP],
    objectRef: { resource: 'secrets', namespace: options.namespace, name: options.name, apiVersion: 'v1' },
  });
}

const ARGOCD = serviceAccount('argocd', 'argocd-application-controller');

function rbacWrite(
  user: Json,
  verb: string,
  resource: 'clusterroles' | 'clusterrolebindings',
  body: Json,
  sourceIp = '10.0.21.9',
  userAgent = 'argocd-application-controller/v2.13.2',
): Json {
  const name = resource === 'clusterroles' ? 'platform-operator' : 'platform-admins';
  return auditEvent({
    level: 'RequestResponse',
    verb,
    user,
    userAgent,
    sourceIPs: [sourceIp],
    requestURI: `/apis/rbac.authorization.k8s.io/v1/${resource}/${name}`,
    objectRef: { resource, name, apiGroup: 'rbac.authorization.k8s.io', apiVersion: 'v1' },
    requestObject: { metadata: { name }, ...body },
    responseObject: { metadata: { name }, ...body },
  });
}

const ADMIN_BINDING = {
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
  subjects: [{ kind: 'Group', name: 'platform-admins' }],
};
const WILDCARD_ROLE = { rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['*'] }] };

// An EKS access entry for an IAM role: the username is the session ARN, the groups are the entry's kubernetesGroups.
const ADMIN = { username: `arn:aws:sts::${ACCOUNT}:assumed-role/PlatformAdmin/alice`, groups: ['platform-admins', 'system:authenticated'] };
const DEVELOPER = { username: 'dev-bob', groups: ['developers', 'system:authenticated'] };

function kubeSystemCreate(user: Json, resource: string, userAgent = 'Helm/3.16.2'): Json {
  return auditEvent({
    level: 'RequestResponse',
    verb: 'create',
    user,
    userAgent,
    sourceIPs: ['198.51.100.30'],
    requestURI: `/apis/apps/v1/namespaces/kube-system/${resource}`,
    objectRef: { resource, namespace: 'kube-system', name: 'metrics-server', apiGroup: 'apps', apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 201 },
  });
}

function iamCall(roleName: string, eventName: string, requestParameters: Json, sourceIPAddress = '192.0.2.44'): Json {
  return cloudTrailRecord({
    userIdentity: assumedRoleIdentity(roleName, 'terraform-21902077', 'ASIAEXAMPLEKEY000042'),
    eventSource: 'iam.amazonaws.com',
    eventName,
    sourceIPAddress,
    readOnly: false,
    requestParameters,
  });
}

const SQS_POLICY = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' }] });

function prowlerCall(eventSource: string, eventName: string, errorCode?: string): Json {
  return cloudTrailRecord({
    userIdentity: assumedRoleIdentity('ProwlerScan', 'ProwlerAssessmentSession-2764af35', 'ASIAEXAMPLEKEY000077'),
    eventSource,
    eventName,
    sourceIPAddress: '192.0.2.80',
    ...(errorCode ? { errorCode, errorMessage: 'not authorized' } : {}),
  });
}

const ROUTINE: Record<string, { rule: string; record: Json }[]> = {
  'kube-state-metrics': [
    { rule: 'eks-audit.secrets-access', record: secretsRequest(KSM, 'list') },
    { rule: 'eks-audit.secrets-access', record: secretsRequest(KSM, 'watch') },
  ],
  'cert-manager': [
    { rule: 'eks-audit.secrets-access', record: secretsRequest(serviceAccount('cert-manager', 'cert-manager'), 'watch', { sourceIp: '10.0.40.7' }) },
  ],
  'argocd-application-controller': [
    { rule: 'eks-audit.risky-role', record: rbacWrite(ARGOCD, 'patch', 'clusterroles', WILDCARD_ROLE) },
    { rule: 'eks-audit.privileged-binding', record: rbacWrite(ARGOCD, 'patch', 'clusterrolebindings', ADMIN_BINDING) },
  ],
  'helm-by-platform-admins': [
    { rule: 'eks-audit.kube-system-workload', record: kubeSystemCreate(ADMIN, 'deployments') },
    {
      rule: 'eks-audit.secrets-access',
      record: { ...secretsRequest(ADMIN, 'list', { namespace: 'kube-system', sourceIp: '198.51.100.30' }), userAgent: 'Helm/3.16.2' },
    },
  ],
  terraform: [
    {
      rule: 'cloudtrail.iam-privilege-change',
      record: iamCall('terraform-apply', 'PutRolePolicy', { roleName: 'checkout-irsa', policyName: 'q', policyDocument: SQS_POLICY }),
    },
    { rule: 'cloudtrail.iam-privilege-change', record: iamCall('terraform-apply', 'CreateRole', { roleName: 'checkout-worker-irsa' }) },
  ],
  prowler: [
    { rule: 'cloudtrail.discovery', record: prowlerCall('iam.amazonaws.com', 'ListRoles') },
    { rule: 'cloudtrail.access-denied', record: prowlerCall('securityhub.amazonaws.com', 'GetEnabledStandards', 'AccessDenied') },
  ],
};

describe('built-in known controllers: routine work is context, named', () => {
  it('has an entry for every controller the benign day runs, and a reason for each', () => {
    expect(BUILT_IN_CONTROLLERS.map((entry) => entry.name).sort()).toEqual(Object.keys(ROUTINE).sort());
    for (const entry of BUILT_IN_CONTROLLERS) expect(entry.why.length).toBeGreaterThan(0);
  });

  for (const [name, cases] of Object.entries(ROUTINE)) {
    it(`${name}: each routine record gives a low signal marked with its name`, () => {
      for (const { rule, record } of cases) {
        const signal = only(rule, record);
        expect(signal.knownController).toBe(name);
        expect(signal.severity).toBe('low');
        expect(signal.summary).toContain(`known controller ${name}`);
      }
    });

    it(`${name}: its routine opens no incident`, async () => {
      const incidents = await incidentsOf(
        cases.map(({ record }) => record),
        PLATFORM,
      );
      expect(incidents.map((incident) => incident.severity)).toEqual([]);
    });
  }

  it('without the allowlist the same routine is loud: the allowlist, not the rules, makes it quiet', async () => {
    const all = Object.values(ROUTINE).flatMap((cases) => cases.map(({ record }) => record));
    const disabled = { ...PLATFORM, knownControllers: { disable: BUILT_IN_CONTROLLERS.map((entry) => entry.name) } };
    const incidents = await incidentsOf(all, disabled);
    expect(incidents.some((incident) => severityRank[incident.severity] >= severityRank.high)).toBe(true);
    for (const signal of all.flatMap((record) => signalsOf(record, disabled))) expect(signal.knownController).toBeUndefined();
  });
});

describe("an attacker with a known controller's identity is not allowlisted", () => {
  it("kube-state-metrics' token reading one secret (get), which it never does", () => {
    const signal = only('eks-audit.secrets-access', secretsRequest(KSM, 'get', { namespace: 'payments', name: 'stripe-key' }));
    expect(signal.knownController).toBeUndefined();
  });

  it("kube-state-metrics' token listing secrets from a public address", async () => {
    const record = secretsRequest(KSM, 'list', { sourceIp: '203.0.113.99' });
    const signal = only('eks-audit.secrets-access', record);
    expect(signal.knownController).toBeUndefined();
    expect(signal.severity).toBe('high');
    const [incident] = await incidentsOf([record], PLATFORM);
    expect(severityRank[incident!.severity]).toBeGreaterThanOrEqual(severityRank.high);
  });

  it('a private address forwarded in front of a public one does not make the request in-cluster', () => {
    const record = { ...secretsRequest(KSM, 'list'), sourceIPs: ['10.0.12.34', '203.0.113.99'] };
    expect(only('eks-audit.secrets-access', record).knownController).toBeUndefined();
  });

  it('a kube-state-metrics service account in another namespace is not the controller', () => {
    const signal = only('eks-audit.secrets-access', secretsRequest(serviceAccount('attacker', 'kube-state-metrics'), 'list'));
    expect(signal.knownController).toBeUndefined();
    expect(signal.severity).toBe('high');
  });

  it("kube-state-metrics' token binding someone to cluster-admin, which its entry does not list", () => {
    const signal = only('eks-audit.privileged-binding', rbacWrite(KSM, 'create', 'clusterrolebindings', ADMIN_BINDING, KSM_POD_IP));
    expect(signal.knownController).toBeUndefined();
    expect(signal.severity).toBe('high');
  });

  it('someone impersonating kube-state-metrics', () => {
    const record = {
      ...secretsRequest(KSM, 'list'),
      user: DEVELOPER,
      impersonatedUser: { username: KSM.username, groups: KSM.groups },
    };
    const signal = only('eks-audit.secrets-access', record);
    expect(signal.subject.actor).toBe(KSM.username);
    expect(signal.knownController).toBeUndefined();
  });

  it("ArgoCD's token reading a secret", () => {
    const signal = only('eks-audit.secrets-access', secretsRequest(ARGOCD, 'list', { sourceIp: '10.0.21.9' }));
    expect(signal.knownController).toBeUndefined();
    expect(signal.severity).toBe('high');
  });

  it('Helm run by someone who is not a platform administrator', () => {
    const signal = only('eks-audit.kube-system-workload', kubeSystemCreate(DEVELOPER, 'daemonsets'));
    expect(signal.knownController).toBeUndefined();
    expect(signal.severity).toBe('high');
  });

  it('a platform administrator planting a DaemonSet by hand, not with Helm', () => {
    const signal = only('eks-audit.kube-system-workload', kubeSystemCreate(ADMIN, 'daemonsets', 'kubectl/v1.31.2 (darwin/arm64) kubernetes/5864a46'));
    expect(signal.knownController).toBeUndefined();
  });

  it('Helm by an administrator while no platform administrators are configured', () => {
    const signal = only('eks-audit.kube-system-workload', kubeSystemCreate(ADMIN, 'daemonsets'), {});
    expect(signal.knownController).toBeUndefined();
    expect(signal.severity).toBe('high');
  });

  it("Terraform's role granting administrator rights stays high", () => {
    const record = iamCall('terraform-apply', 'AttachRolePolicy', { roleName: 'checkout-irsa', policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' });
    const signal = only('cloudtrail.iam-privilege-change', record);
    expect(signal.knownController).toBeUndefined();
    expect(signal.severity).toBe('high');
  });

  it("Terraform's role creating an access key for a user, which its entry does not list", () => {
    const signal = only('cloudtrail.iam-privilege-change', iamCall('terraform-apply', 'CreateAccessKey', { userName: 'backup' }));
    expect(signal.knownController).toBeUndefined();
    expect(signal.severity).toBe('medium');
  });

  it("the scanner's role reading a secret's value", () => {
    for (const signal of signalsOf(prowlerCall('secretsmanager.amazonaws.com', 'GetSecretValue'))) expect(signal.knownController).toBeUndefined();
  });

  it('a role merely named like the scanner in a call its entry does not list', () => {
    const signal = only(
      'cloudtrail.iam-privilege-change',
      iamCall('ProwlerScan', 'PutRolePolicy', { roleName: 'x', policyName: 'p', policyDocument: SQS_POLICY }),
    );
    expect(signal.knownController).toBeUndefined();
  });
});

describe('knownControllers configuration', () => {
  it('a disabled entry gives its signal back', () => {
    const signal = only('eks-audit.secrets-access', secretsRequest(KSM, 'watch'), { knownControllers: { disable: ['kube-state-metrics'] } });
    expect(signal.knownController).toBeUndefined();
    expect(signal.severity).toBe('high');
    // The other built-in entries still hold.
    expect(
      only('eks-audit.secrets-access', secretsRequest(serviceAccount('cert-manager', 'cert-manager'), 'watch'), {
        knownControllers: { disable: ['kube-state-metrics'] },
      }).knownController,
    ).toBe('cert-manager');
  });

  it('an added entry is allowlisted, exactly as narrowly as written', () => {
    const velero = {
      name: 'velero',
      why: 'backs up every namespace, secrets included, each night',
      serviceAccounts: ['velero/velero'],
      behaviours: [{ rules: ['eks-audit.secrets-access'], verbs: ['list'], resources: ['secrets'] }],
    };
    const config = { knownControllers: { add: [velero] } };
    const user = serviceAccount('velero', 'velero');
    expect(only('eks-audit.secrets-access', secretsRequest(user, 'list'), config).knownController).toBe('velero');
    expect(only('eks-audit.secrets-access', secretsRequest(user, 'watch'), config).knownController).toBeUndefined();
    expect(only('eks-audit.secrets-access', secretsRequest(user, 'list'), {}).knownController).toBeUndefined();
  });

  it('platform administrators may be named by user as well as by group', () => {
    const config = { platformAdmins: { users: [ADMIN.username] } };
    const signal = only('eks-audit.kube-system-workload', kubeSystemCreate({ ...ADMIN, groups: ['system:authenticated'] }, 'deployments'), config);
    expect(signal.knownController).toBe('helm-by-platform-admins');
  });

  it.each([
    ['an unknown built-in name to disable', { disable: ['kube-state-metric'] }, /not a built-in known controller/],
    ['an added entry named like a built-in one', { add: [{ ...BUILT_IN_CONTROLLERS[0] }] }, /already listed/],
    [
      'an entry naming two kinds of identity',
      {
        add: [
          {
            name: 'x',
            why: 'y',
            serviceAccounts: ['a/b'],
            awsRoles: ['r'],
            behaviours: [{ rules: ['r'], verbs: ['list'], resources: ['secrets'], calls: ['iam:X'] }],
          },
        ],
      },
      /exactly one of/,
    ],
    [
      'a Kubernetes behaviour without verbs',
      { add: [{ name: 'x', why: 'y', serviceAccounts: ['a/b'], behaviours: [{ rules: ['r'], resources: ['secrets'] }] }] },
      /verbs and resources/,
    ],
    ['an AWS behaviour without calls', { add: [{ name: 'x', why: 'y', awsRoles: ['ci-*'], behaviours: [{ rules: ['r'] }] }] }, /names its calls/],
    [
      'a service account without its namespace',
      { add: [{ name: 'x', why: 'y', serviceAccounts: ['velero'], behaviours: [{ rules: ['r'], verbs: ['list'], resources: ['secrets'] }] }] },
      /namespace\/name/,
    ],
    ['an unknown field', { disable: [], allow: ['everything'] }, /unrecognized/i],
  ])('refuses %s', (_, knownControllers, message) => {
    const result = configSchema.safeParse({ knownControllers });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message).join('\n')).toMatch(message);
  });
});
