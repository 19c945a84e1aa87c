import { z } from 'zod';
import { isIpAddress, isPublicAddress } from '#core/model/address';
import { parseRoleArn } from '#core/model/arn';
import type { AuditEvent, CloudTrailEvent, SecurityEvent } from '#core/model/event';
import { type Signal, severityRank } from '#core/model/signal';

/**
 * Well-known controllers whose routine work looks like an attack to a single-record rule:
 * kube-state-metrics listing every secret, ArgoCD writing ClusterRoles, Terraform changing IAM.
 * An entry names who the controller is and exactly which behaviours it is known for; a signal
 * it explains is kept, lowered to context and marked with the entry's name, never dropped.
 * Anything else the same identity does (reading one secret, calling from the internet, a call
 * the entry does not list) is judged like anyone's.
 */

const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

const behaviourSchema = z
  .object({
    /** The rule ids this behaviour explains. */
    rules: z.array(z.string().min(1)).min(1),
    /** Kubernetes verbs (list, watch, create...). */
    verbs: z.array(z.string().min(1)).min(1).optional(),
    /** Kubernetes resources, with their subresource as `pods/exec`. */
    resources: z.array(z.string().min(1)).min(1).optional(),
    /** Namespaces the request may name; `*` is any namespace; absent also admits cluster-wide requests. */
    namespaces: z.array(z.string().min(1)).min(1).optional(),
    /** AWS calls as `service:EventName` (`iam:PutRolePolicy`); `*` matches any run of characters. */
    calls: z
      .array(z.string().regex(/^[a-z0-9*-]+:[A-Za-z0-9*]+$/, 'expected service:EventName, e.g. iam:PutRolePolicy'))
      .min(1)
      .optional(),
    /** The most severe match this behaviour explains; a more severe one (an administrator grant) stays as it is. */
    upTo: z.enum(SEVERITIES).optional(),
  })
  .strict();

export const knownControllerSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected a lower-case name such as kube-state-metrics'),
    /** Why its behaviour is benign, for the person reading the signal. */
    why: z.string().min(1),
    /** Kubernetes service accounts as `namespace/name`: the namespace is part of who it is. */
    serviceAccounts: z
      .array(z.string().regex(/^[a-z0-9.-]+\/[a-z0-9.-]+$/, 'expected namespace/name'))
      .min(1)
      .optional(),
    /** Members of the configured platform administrators (`platformAdmins`). */
    platformAdmins: z.literal(true).optional(),
    /** User-agent prefixes the client must send (`Helm/`): which of an administrator's tools this is. */
    userAgents: z.array(z.string().min(1)).min(1).optional(),
    /** IAM role names of the AWS sessions; `*` matches any run of characters, case-insensitively as IAM compares names. */
    awsRoles: z.array(z.string().min(1)).min(1).optional(),
    behaviours: z.array(behaviourSchema).min(1),
  })
  .strict()
  .superRefine((entry, context) => {
    const identities = [entry.serviceAccounts, entry.platformAdmins, entry.awsRoles].filter((identity) => identity !== undefined).length;
    if (identities !== 1) context.addIssue({ code: 'custom', message: 'name exactly one of serviceAccounts, platformAdmins, awsRoles' });
    // Narrow by construction: a Kubernetes entry says which verbs on which resources, an AWS entry which calls.
    for (const behaviour of entry.behaviours) {
      const narrow = entry.awsRoles ? behaviour.calls !== undefined : behaviour.verbs !== undefined && behaviour.resources !== undefined;
      if (!narrow) {
        context.addIssue({
          code: 'custom',
          message: entry.awsRoles ? 'each behaviour of an AWS role names its calls' : 'each Kubernetes behaviour names its verbs and resources',
        });
      }
    }
  });

export type KnownController = z.infer<typeof knownControllerSchema>;

export const platformAdminsSchema = z
  .object({
    /** Kubernetes groups of the platform team (an access entry's kubernetesGroups, aws-auth groups). */
    groups: z.array(z.string().min(1)).default([]),
    /** Kubernetes usernames, e.g. an access entry's `arn:aws:sts::111122223333:assumed-role/PlatformAdmin/{{SessionName}}` as the audit log shows it. */
    users: z.array(z.string().min(1)).default([]),
  })
  .strict();

export type PlatformAdmins = z.infer<typeof platformAdminsSchema>;

const MAINTENANCE_VERBS = ['create', 'update', 'patch'];

/** The built-in list; `knownControllers.disable` removes entries by name, `knownControllers.add` adds more. */
export const BUILT_IN_CONTROLLERS: readonly KnownController[] = [
  {
    name: 'kube-state-metrics',
    why: 'exports a metric per Kubernetes object, secrets included, so it lists and watches secrets in every namespace',
    serviceAccounts: ['kube-state-metrics/kube-state-metrics'],
    behaviours: [{ rules: ['eks-audit.secrets-access'], verbs: ['list', 'watch'], resources: ['secrets'] }],
  },
  {
    name: 'cert-manager',
    why: 'keeps issued certificates in secrets and watches every namespace for the ones it manages',
    serviceAccounts: ['cert-manager/cert-manager', 'cert-manager/cert-manager-cainjector'],
    behaviours: [{ rules: ['eks-audit.secrets-access'], verbs: ['list', 'watch'], resources: ['secrets'] }],
  },
  {
    name: 'argocd-application-controller',
    why: 'syncs the RBAC kept in Git, ClusterRoles and their bindings included',
    serviceAccounts: ['argocd/argocd-application-controller'],
    behaviours: [
      {
        rules: ['eks-audit.risky-role', 'eks-audit.privileged-binding'],
        verbs: MAINTENANCE_VERBS,
        resources: ['clusterroles', 'clusterrolebindings', 'roles', 'rolebindings'],
      },
    ],
  },
  {
    name: 'helm-by-platform-admins',
    why: 'platform administrators install and upgrade add-ons with Helm, which keeps its releases in secrets of the release namespace',
    platformAdmins: true,
    userAgents: ['Helm/'],
    behaviours: [
      {
        rules: ['eks-audit.kube-system-workload'],
        verbs: ['create'],
        resources: ['deployments', 'daemonsets', 'serviceaccounts'],
        namespaces: ['kube-system'],
      },
      { rules: ['eks-audit.risky-role'], verbs: MAINTENANCE_VERBS, resources: ['clusterroles', 'roles'] },
      { rules: ['eks-audit.secrets-access'], verbs: ['list'], resources: ['secrets'], namespaces: ['*'] },
    ],
  },
  {
    name: 'terraform',
    why: 'applies the IAM kept in infrastructure code: roles, their trust and their policies',
    awsRoles: ['*terraform*'],
    behaviours: [
      {
        rules: ['cloudtrail.iam-privilege-change'],
        calls: [
          'iam:CreateRole',
          'iam:UpdateAssumeRolePolicy',
          'iam:PutRolePolicy',
          'iam:AttachRolePolicy',
          'iam:CreatePolicyVersion',
          'iam:SetDefaultPolicyVersion',
        ],
        // Granting administrator rights is high even from Terraform: that change deserves a person's look.
        upTo: 'medium',
      },
      { rules: ['cloudtrail.discovery'], calls: ['sts:GetCallerIdentity', 'iam:List*'] },
    ],
  },
  {
    name: 'prowler',
    why: 'the compliance scan reads the configuration of every service with read-only calls, and is refused some',
    awsRoles: ['ProwlerScan*'],
    behaviours: [{ rules: ['cloudtrail.discovery', 'cloudtrail.access-denied'], calls: ['*:List*', '*:Describe*', '*:Get*'] }],
  },
];

export const knownControllersConfigSchema = z
  .object({
    /** Built-in entries to turn off, by name. */
    disable: z
      .array(
        z.string().refine((name) => BUILT_IN_CONTROLLERS.some((entry) => entry.name === name), {
          message: `not a built-in known controller; built-in: ${BUILT_IN_CONTROLLERS.map((entry) => entry.name).join(', ')}`,
        }),
      )
      .default([]),
    /** Entries of your own, in the built-in shape. */
    add: z
      .array(knownControllerSchema)
      .default([])
      .superRefine((entries, context) => {
        const names = new Set(BUILT_IN_CONTROLLERS.map((entry) => entry.name));
        for (const entry of entries) {
          if (names.has(entry.name))
            context.addIssue({ code: 'custom', message: `known controller "${entry.name}" is already listed: disable it or pick another name` });
          names.add(entry.name);
        }
      }),
  })
  .strict();

export type KnownControllersConfig = z.infer<typeof knownControllersConfigSchema>;

/** The effective list and who counts as a platform administrator: what the pipeline checks signals against. */
export interface KnownControllers {
  entries: readonly KnownController[];
  platformAdmins: PlatformAdmins;
}

export function knownControllersOf(settings: { knownControllers: KnownControllersConfig; platformAdmins: PlatformAdmins }): KnownControllers {
  const disabled = new Set(settings.knownControllers.disable);
  return {
    entries: [...BUILT_IN_CONTROLLERS.filter((entry) => !disabled.has(entry.name)), ...settings.knownControllers.add],
    platformAdmins: settings.platformAdmins,
  };
}

/**
 * Lowers each signal a known controller's routine explains to context, naming the controller
 * in the signal and its summary; every other signal is returned as it is.
 */
export function markKnownControllers(signals: Signal[], event: SecurityEvent, known: KnownControllers): Signal[] {
  if (signals.length === 0 || event.source === 'guardduty') return signals;
  for (const signal of signals) {
    const entry = known.entries.find((candidate) => explains(candidate, signal, event, known.platformAdmins));
    if (!entry) continue;
    signal.knownController = entry.name;
    signal.severity = 'low';
    signal.summary = `${signal.summary} (known controller ${entry.name}: ${entry.why})`;
  }
  return signals;
}

/** Whether the entry is who acted and lists what the signal saw. */
function explains(entry: KnownController, signal: Pick<Signal, 'rule' | 'severity'>, event: SecurityEvent, admins: PlatformAdmins): boolean {
  if (event.source === 'eks-audit')
    return isKubernetesActor(entry, event, admins) && entry.behaviours.some((behaviour) => auditBehaviour(behaviour, signal, event));
  if (event.source === 'cloudtrail') return isAwsActor(entry, event) && entry.behaviours.some((behaviour) => cloudTrailBehaviour(behaviour, signal, event));
  return false;
}

type Behaviour = KnownController['behaviours'][number];

function isKubernetesActor(entry: KnownController, event: AuditEvent, admins: PlatformAdmins): boolean {
  // Impersonating the controller is someone else acting: the impersonation rule judges it.
  if (event.impersonatedBy) return false;
  if (entry.userAgents && !entry.userAgents.some((prefix) => event.userAgent?.startsWith(prefix))) return false;
  if (entry.serviceAccounts) {
    // A controller runs in the cluster: its token used from the internet is stolen.
    if (event.sourceIps.length === 0 || !event.sourceIps.every((ip) => isIpAddress(ip) && !isPublicAddress(ip))) return false;
    return entry.serviceAccounts.some((account) => event.username === `system:serviceaccount:${account.replace('/', ':')}`);
  }
  if (entry.platformAdmins) return admins.users.includes(event.username) || event.groups.some((group) => admins.groups.includes(group));
  return false;
}

function isAwsActor(entry: KnownController, event: CloudTrailEvent): boolean {
  const roleName = event.identity.roleArn ? parseRoleArn(event.identity.roleArn)?.roleName : undefined;
  return roleName !== undefined && (entry.awsRoles ?? []).some((pattern) => globMatches(pattern, roleName, 'i'));
}

function auditBehaviour(behaviour: Behaviour, signal: Pick<Signal, 'rule' | 'severity'>, event: AuditEvent): boolean {
  if (!admits(behaviour, signal) || behaviour.calls) return false;
  const ref = event.objectRef;
  const resource = ref?.subresource ? `${ref.resource}/${ref.subresource}` : ref?.resource;
  if (!resource || !behaviour.resources?.includes(resource) || !behaviour.verbs?.includes(event.verb)) return false;
  if (!behaviour.namespaces) return true;
  if (!ref?.namespace) return false;
  return behaviour.namespaces.includes('*') || behaviour.namespaces.includes(ref.namespace);
}

function cloudTrailBehaviour(behaviour: Behaviour, signal: Pick<Signal, 'rule' | 'severity'>, event: CloudTrailEvent): boolean {
  if (!admits(behaviour, signal) || !behaviour.calls) return false;
  const call = `${event.eventSource.replace(/\.amazonaws\.com$/, '')}:${event.eventName}`;
  return behaviour.calls.some((pattern) => globMatches(pattern, call));
}

function admits(behaviour: Behaviour, signal: Pick<Signal, 'rule' | 'severity'>): boolean {
  return behaviour.rules.includes(signal.rule) && (!behaviour.upTo || severityRank[signal.severity] <= severityRank[behaviour.upTo]);
}

const globs = new Map<string, RegExp>();

function globMatches(pattern: string, text: string, flags = ''): boolean {
  const key = `${flags}|${pattern}`;
  let regex = globs.get(key);
  if (!regex) {
    regex = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`, flags);
    globs.set(key, regex);
  }
  return regex.test(text);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
