import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { ACTION_NAMES, actionsByDefault } from '#core/actions/registry';
import { knownControllersConfigSchema, platformAdminsSchema } from '#core/detect/known-controllers';
import type { ReadNetwork } from '#core/model/read-network';
import { clusterAccountOf, clusterNameOf } from '#core/model/cluster-id';

const criticality = z.enum(['critical', 'high', 'standard', 'low']);
export type Criticality = z.infer<typeof criticality>;

const action = z.enum(ACTION_NAMES);

const cidr = z.string().refine((text) => (text.includes('/') ? isValidCidr(text) : ipaddr.isValid(text)), 'expected an IP address or CIDR');

function isValidCidr(text: string): boolean {
  try {
    ipaddr.parseCIDR(text);
    return true;
  } catch {
    return false;
  }
}

const suppression = z
  .object({
    rule: z.string().optional(),
    namespace: z.string().optional(),
    serviceAccount: z.string().optional(),
    image: z.string().optional(),
    roleArn: z.string().optional(),
    reason: z.string().min(1),
    owner: z.string().min(1),
    expires: z.coerce.date(),
  })
  .refine((value) => value.rule || value.namespace || value.serviceAccount || value.image || value.roleArn, {
    message: 'a suppression must name at least one of rule, namespace, serviceAccount, image, roleArn',
  });

export const configSchema = z
  .object({
    /** Signals on the same workload or identity within this many hours form one incident. */
    windowHours: z
      .number()
      .positive()
      .max(24 * 14)
      .default(24),
    /** How long the identity graph remembers an entity not seen again. */
    graphRetentionHours: z
      .number()
      .positive()
      .default(24 * 7),
    namespaces: z.record(z.string(), criticality).default({}),
    protectedNamespaces: z.array(z.string()).default(['kube-system']),
    clusters: z
      .record(
        z.string(),
        z.object({
          egressCidrs: z.array(cidr).default([]),
          /** The cluster's VPC(s): requests through their endpoints count as the cluster's when a role is fenced. */
          vpcIds: z.array(z.string().regex(/^vpc-[0-9a-f]{8,17}$/, 'expected a VPC id such as vpc-0a1b2c3d')).default([]),
          /** The cluster VPC's interface endpoints: calls through them are the cluster's; through any other endpoint, not. */
          vpcEndpointIds: z.array(z.string().regex(/^vpce-[0-9a-f]{8,17}$/, 'expected a VPC endpoint id such as vpce-0a1b2c3d')).default([]),
          /** Organization mode: the account the cluster runs in, when not the hub's; containment reaches it through the member role. */
          accountId: z
            .string()
            .regex(/^\d{12}$/, 'expected a 12-digit AWS account id')
            .optional(),
          /** The region the cluster runs in, when not the hub's. */
          region: z
            .string()
            .regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'expected an AWS region such as eu-west-1')
            .optional(),
        }),
      )
      .default({}),
    /** Egress addresses or ranges for every cluster, e.g. the NAT gateways' public IPs. */
    egressCidrs: z.array(cidr).default([]),
    suppressions: z.array(suppression).default([]),
    /** Names people know accounts by, e.g. `{"111122223333": "prod"}`: every incident names the account and its alias. */
    accountAliases: z.record(z.string().regex(/^\d{12}$/, 'expected a 12-digit AWS account id'), z.string().trim().min(1).max(64)).default({}),
    /** Built-in well-known controllers to turn off, and entries of your own (detect/known-controllers.ts). */
    knownControllers: knownControllersConfigSchema.prefault({}),
    /** Who administers the platform: their Helm installs into kube-system are a known controller's routine. */
    platformAdmins: platformAdminsSchema.prefault({}),
    actions: z
      .object({
        automatic: z.array(action).default(actionsByDefault('automatic')),
        approval: z.array(action).default(actionsByDefault('approval')),
        /** true: every action only records what it would do; a list: only those actions. */
        dryRun: z.union([z.boolean(), z.array(action)]).default(false),
        /** Incidents at or above this severity start the containment workflow; the rest are alerts only. */
        containFrom: z.enum(['low', 'medium', 'high', 'critical']).default('high'),
      })
      .prefault({}),
  })
  .strict();

export type Config = z.infer<typeof configSchema> & {
  /** Deployed only: the clusters' networks as read from EC2 and EKS at run time, never from the YAML (core/deployment-network.ts). */
  readonly readNetwork?: ReadNetwork;
};
export type Suppression = Config['suppressions'][number];

export const defaultConfig: Config = configSchema.parse({});

/** kube-system runs the cluster itself: treated as critical unless configured otherwise. */
export function namespaceCriticality(config: Config, namespace: string | undefined | null): Criticality {
  if (!namespace) return 'standard';
  return config.namespaces[namespace] ?? (config.protectedNamespaces.includes(namespace) ? 'critical' : 'standard');
}

export function isProtectedNamespace(config: Config, namespace: string | undefined | null): boolean {
  return namespace !== undefined && namespace !== null && config.protectedNamespaces.includes(namespace);
}

/** The cluster the configuration names, when it names exactly one: raw audit events without their log group belong to it. */
export function onlyConfiguredCluster(config: Config): string | undefined {
  const names = Object.keys(config.clusters);
  return names.length === 1 ? names[0] : undefined;
}

export type ClusterSettings = Config['clusters'][string];

/**
 * The configuration's key for a cluster id (model/cluster-id.ts): the id itself, else for
 * NAME@ACCOUNT the entry `NAME` whose accountId is that account. A cluster never takes the
 * settings of a same-named cluster of another account, either way round.
 */
export function configuredClusterKey(config: Config, clusterId: string): string | undefined {
  const account = clusterAccountOf(clusterId);
  if (Object.hasOwn(config.clusters, clusterId)) {
    // An entry under a plain name with an accountId is that account's cluster, not the hub's cluster of the same name.
    return account || config.clusters[clusterId]!.accountId === undefined ? clusterId : undefined;
  }
  const name = clusterNameOf(clusterId);
  return account && config.clusters[name]?.accountId === account ? name : undefined;
}

/** The configured settings of a cluster id, if any (configuredClusterKey). */
export function clusterSettingsOf(config: Config, clusterId: string): ClusterSettings | undefined {
  const key = configuredClusterKey(config, clusterId);
  return key === undefined ? undefined : config.clusters[key];
}
