import { App, Stack } from 'aws-cdk-lib';
import { DeploymentConfigError, loadConfigFile } from './config-file.ts';
import { addNagChecks } from './nag.ts';
import { PivotGuard } from './pivot-guard.ts';
import { forwarderStackName } from '../functions/core/deployment.ts';
import { RegionForwarderStack } from './region-forwarder.ts';
import { MemberStackSet, memberStack } from './organization-stackset.ts';
import { AuditLogRegionStack, auditLogRegionStackName } from './organization-audit-region.ts';
import type { OrganizationMemberStack } from './organization-member.ts';

export interface PivotGuardApp {
  readonly app: App;
  readonly stack: Stack;
  readonly pivotGuard: PivotGuard;
  /** One per `forwardRegions` entry. */
  readonly forwarders: RegionForwarderStack[];
  /** The member template and its StackSet, in organization mode (`-c organizationId=o-…`). */
  readonly members?: MemberStackSet;
  /** In organization mode, the audit log destination of each member region besides the hub's. */
  readonly auditLogRegions: AuditLogRegionStack[];
}

export interface MemberApp {
  readonly app: App;
  readonly member: OrganizationMemberStack;
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

const STACK_NAME = 'PivotGuard';
/** The StackSet waits for every region's audit log destination, which waits for the hub's stream: a stack of its own. */
const MEMBERS_STACK_NAME = 'PivotGuard-Members';
/** The member template deployed by hand in one account (`-c memberOf=…`). */
export const MEMBER_STACK_NAME = 'PivotGuard-Member';
const ACCOUNT_ID = /^\d{12}$/;

/**
 * The deployable app, as `cdk deploy -c clusters=NAME[,NAME] -c alertEmail=ADDR[,ADDR]
 * [-c config=pivotguard.yaml] [-c securityHub=true] [-c containment=false]
 * [-c clusterAccess=NAME[,NAME]] [-c forwardRegions=REGION[,REGION]] [-c reservedConcurrency=false]
 * [-c containableRoles=tagged|ARN_PATTERN[,ARN_PATTERN]] [-c protectedRoles=ARN_PATTERN[,ARN_PATTERN]]` builds it;
 * `-c organizationId=o-… -c memberRegions=REGION[,REGION] -c memberOrganizationalUnits=r-…|ou-…[,…] [-c stackSetCallAs=SELF]`
 * makes it the hub of an organization, with the StackSet that deploys the member template. `context` is
 * added to what the CDK CLI passes (tests pass everything here); a missing or bad setting throws
 * a DeploymentConfigError naming it. `env` is the process environment (the CDK CLI sets
 * CDK_DEFAULT_REGION and CDK_DEFAULT_ACCOUNT from the caller's profile).
 */
export function buildApp(context: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = process.env): PivotGuardApp {
  const app = new App({ context });
  const clusters = listSetting(app.node.tryGetContext('clusters'));
  if (clusters.length === 0) {
    throw new DeploymentConfigError('missing context "clusters": deploy with -c clusters=CLUSTER_NAME[,CLUSTER_NAME...]');
  }
  const alertEmails = listSetting(app.node.tryGetContext('alertEmail'));
  const configPath = app.node.tryGetContext('config') as unknown;
  if (configPath !== undefined && typeof configPath !== 'string') {
    throw new DeploymentConfigError('context "config" must be the path of a pivotguard YAML or JSON file');
  }
  const config = configPath ? loadConfigFile(configPath) : undefined;
  const securityHub = booleanSetting(app.node.tryGetContext('securityHub'), 'securityHub');
  const containment = booleanSetting(app.node.tryGetContext('containment'), 'containment');
  const clusterAccess = listSetting(app.node.tryGetContext('clusterAccess'));
  const reserveConcurrency = booleanSetting(app.node.tryGetContext('reservedConcurrency'), 'reservedConcurrency');
  const forwardRegions = listSetting(app.node.tryGetContext('forwardRegions'));
  // `tagged`: every role of the account tagged pivotguard:containable=true; otherwise ARN patterns (default: every role).
  const containableRoles = listSetting(app.node.tryGetContext('containableRoles'));
  const containTaggedRolesOnly = containableRoles.length === 1 && containableRoles[0] === 'tagged';
  const protectedRoles = listSetting(app.node.tryGetContext('protectedRoles'));

  const organization = app.node.tryGetContext('organizationId') !== undefined;
  // The hub names its region in the member template, so it is deployed to the region of the caller's profile.
  const hubEnv = organization ? { account: env.CDK_DEFAULT_ACCOUNT, region: env.CDK_DEFAULT_REGION } : undefined;
  const stack = new Stack(app, STACK_NAME, { description: 'pivotguard: cloud workload protection for Amazon EKS', env: hubEnv });
  const pivotGuard = new PivotGuard(stack, 'PivotGuard', {
    clusters,
    alertEmails,
    config,
    securityHub,
    containment,
    clusterAccess,
    reserveConcurrency,
    containTaggedRolesOnly,
    containableRoleArns: containTaggedRolesOnly || containableRoles.length === 0 ? undefined : containableRoles,
    protectedRoleArns: protectedRoles.length === 0 ? undefined : protectedRoles,
    organizationId: organizationSetting(app),
  });
  const forwarders = forwardRegions.length > 0 ? regionForwarders(app, forwardRegions, env) : [];
  const organizationStacks = pivotGuard.organizationHub
    ? memberStackSet(app, stack, pivotGuard, env, { clusters, clusterAccess, containTaggedRolesOnly, protectedRoles })
    : undefined;
  addNagChecks(app);
  return { app, stack, pivotGuard, forwarders, members: organizationStacks?.members, auditLogRegions: organizationStacks?.auditLogRegions ?? [] };
}

/** The app `cdk deploy` runs: the member stack alone with `-c memberOf=…`, pivotguard otherwise. */
export function buildCdkApp(context: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = process.env): App {
  const probe = new App({ context });
  return probe.node.tryGetContext('memberOf') !== undefined ? buildMemberApp(context, env).app : buildApp(context, env).app;
}

/**
 * The member template for the current account, as `cdk deploy -c memberOf=HUB_ACCOUNT:HUB_REGION
 * -c hubContainmentRoleArn=ARN -c hubUndoRoleArn=ARN -c hubAnalyzerRoleArn=ARN [-c clusters=NAME[,NAME]]
 * [-c clusterAccess=NAME[,NAME]] [-c containableRoles=…] [-c protectedRoles=…] PivotGuard-Member` builds it (the three
 * ARNs are outputs of the hub's PivotGuard-Members stack): an account of the organization outside the StackSet's targets,
 * onboarded by hand, in the hub's region first (the account-wide roles are made there). The hub's values are the parameters' defaults.
 */
export function buildMemberApp(context: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = process.env): MemberApp {
  const app = new App({ context });
  const memberOf = app.node.tryGetContext('memberOf') as unknown;
  const [hubAccount, hubRegion, ...rest] = typeof memberOf === 'string' ? memberOf.split(':') : [];
  if (!hubAccount || !ACCOUNT_ID.test(hubAccount) || !hubRegion || !REGION.test(hubRegion) || rest.length > 0) {
    throw new DeploymentConfigError('context "memberOf" must be the hub as HUB_ACCOUNT_ID:HUB_REGION (for example 111122223333:eu-west-1)');
  }
  const hubRole = (name: string): string => {
    const arn = app.node.tryGetContext(name) as unknown;
    if (typeof arn !== 'string' || !new RegExp(`^arn:aws[a-z-]*:iam::${hubAccount}:role/[\\w+=,.@/-]+$`).test(arn)) {
      throw new DeploymentConfigError(`context "${name}" must be the role ARN the hub stack outputs, in account ${hubAccount}`);
    }
    return arn;
  };
  const containmentRoleArn = hubRole('hubContainmentRoleArn');
  const undoRoleArn = hubRole('hubUndoRoleArn');
  const analyzerRoleArn = hubRole('hubAnalyzerRoleArn');
  const partition = containmentRoleArn.split(':')[1]!;
  const containableRoles = listSetting(app.node.tryGetContext('containableRoles'));
  const member = memberStack(app, MEMBER_STACK_NAME, {
    env: { account: env.CDK_DEFAULT_ACCOUNT, region: env.CDK_DEFAULT_REGION },
    clusters: listSetting(app.node.tryGetContext('clusters')),
    clusterAccess: listSetting(app.node.tryGetContext('clusterAccess')),
    containTaggedRolesOnly: containableRoles.length === 1 && containableRoles[0] === 'tagged',
    protectedRoleArns: listSetting(app.node.tryGetContext('protectedRoles')),
    hub: {
      account: hubAccount,
      region: hubRegion,
      eventBusArn: `arn:${partition}:events:${hubRegion}:${hubAccount}:event-bus/pivotguard`,
      containmentRoleArn,
      undoRoleArn,
      analyzerRoleArn,
    },
  });
  addNagChecks(app);
  return { app, member };
}

function organizationSetting(app: App): string | undefined {
  const organizationId = app.node.tryGetContext('organizationId') as unknown;
  if (organizationId === undefined) return undefined;
  if (typeof organizationId !== 'string') throw new DeploymentConfigError('context "organizationId" must be an AWS Organizations ID (o-…)');
  return organizationId;
}

/** The hub needs its region by name: the StackSet deploys it first and the member template names it. */
function memberStackSet(
  app: App,
  stack: Stack,
  pivotGuard: PivotGuard,
  env: NodeJS.ProcessEnv,
  member: { clusters: string[]; clusterAccess: string[]; containTaggedRolesOnly: boolean; protectedRoles: string[] },
): { members: MemberStackSet; auditLogRegions: AuditLogRegionStack[] } {
  const regions = [...new Set(listSetting(app.node.tryGetContext('memberRegions')))];
  if (regions.length === 0) throw new DeploymentConfigError('organization mode needs memberRegions: deploy with -c memberRegions=REGION[,REGION...]');
  const bad = regions.find((region) => !REGION.test(region));
  if (bad !== undefined) throw new DeploymentConfigError(`memberRegions: "${bad}" is not an AWS region name`);
  if (!env.CDK_DEFAULT_REGION) throw new DeploymentConfigError("organization mode needs the hub's region: deploy with a profile or AWS_REGION that names it");
  const callAs = app.node.tryGetContext('stackSetCallAs') as unknown;
  if (callAs !== undefined && callAs !== 'SELF' && callAs !== 'DELEGATED_ADMIN') {
    throw new DeploymentConfigError('context "stackSetCallAs" must be SELF (management account) or DELEGATED_ADMIN');
  }
  const organizationId = organizationSetting(app)!;
  const hubRegion = env.CDK_DEFAULT_REGION;
  pivotGuard.organizationHub!.deployMembersIn(regions);
  const auditLogRegions = regions
    .filter((region) => region !== hubRegion)
    .map((region) => {
      pivotGuard.organizationHub!.acceptDestinationRegion(region);
      const regional = new AuditLogRegionStack(app, auditLogRegionStackName(region), {
        env: { account: env.CDK_DEFAULT_ACCOUNT, region },
        organizationId,
        hubRegion,
        description: `pivotguard: the audit log destination of ${region}, for the organization's clusters there, onto the hub's stream in ${hubRegion}`,
      });
      regional.addDependency(stack, "the destination puts on the hub's stream through its logs role");
      return regional;
    });
  const membersStack = new Stack(app, MEMBERS_STACK_NAME, {
    env: { account: env.CDK_DEFAULT_ACCOUNT, region: hubRegion },
    description: "pivotguard: the StackSet that deploys the member template to the organization's accounts",
  });
  for (const regional of auditLogRegions) membersStack.addDependency(regional, "member clusters there subscribe to the region's destination");
  const members = new MemberStackSet(membersStack, 'MemberStackSet', {
    pivotGuard,
    regions,
    organizationalUnits: listSetting(app.node.tryGetContext('memberOrganizationalUnits')),
    callAs,
    member: {
      clusters: member.clusters,
      clusterAccess: member.clusterAccess,
      containTaggedRolesOnly: member.containTaggedRolesOnly,
      protectedRoleArns: member.protectedRoles,
    },
  });
  return { members, auditLogRegions };
}

/** Forwarders need pivotguard's region by name: the stack that builds their target ARN is in another region. */
function regionForwarders(app: App, regions: string[], env: NodeJS.ProcessEnv): RegionForwarderStack[] {
  const home = env.CDK_DEFAULT_REGION;
  if (!home) throw new DeploymentConfigError("forwardRegions needs pivotguard's region: deploy with a profile or AWS_REGION that names it");
  const bad = regions.find((region) => !REGION.test(region));
  if (bad !== undefined) throw new DeploymentConfigError(`forwardRegions: "${bad}" is not an AWS region name`);
  if (regions.includes(home)) throw new DeploymentConfigError(`forwardRegions: ${home} is pivotguard's own region; list only the others`);
  return [...new Set(regions)].map(
    (region) =>
      new RegionForwarderStack(app, forwarderStackName(region), {
        env: { account: env.CDK_DEFAULT_ACCOUNT, region },
        pivotGuardRegion: home,
        description: `pivotguard: forwards the CloudTrail and GuardDuty events of ${region} to pivotguard in ${home}`,
      }),
  );
}

/** `-c name=a,b` arrives as a string; cdk.json may hold a list. */
function listSetting(value: unknown): string[] {
  const items = Array.isArray(value) ? value.map(String) : typeof value === 'string' ? value.split(',') : [];
  return items.map((item) => item.trim()).filter(Boolean);
}

/** `-c name=true` arrives as text; cdk.json may hold a boolean. Absent means the construct's default. */
function booleanSetting(value: unknown, name: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new DeploymentConfigError(`context "${name}" must be true or false, got ${JSON.stringify(value)}`);
}
