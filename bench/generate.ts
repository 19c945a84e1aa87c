import { ACCOUNT_ID, AwsAccount } from './generate/aws-account.ts';
import { initialCredentials, awsBackground } from './generate/aws-activity.ts';
import { type RateSegment, SlotClock } from './generate/clock.ts';
import { ClusterModel } from './generate/cluster-model.ts';
import { PortProbeFinding } from './generate/guardduty.ts';
import { k8sBackground } from './generate/k8s-background.ts';
import { buildActors } from './generate/k8s-actors.ts';
import { scheduleNodeChurn } from './generate/node-churn.ts';
import { schedulePlatformAws } from './generate/platform-aws.ts';
import { schedulePlatformControllers } from './generate/platform-controllers.ts';
import { Prng } from './generate/prng.ts';
import { scheduleRollouts } from './generate/rollouts.ts';
import { Timeline } from './generate/timeline.ts';
import type { World } from './generate/world.ts';

/**
 * Synthetic JSON Lines of a busy, entirely benign EKS production cluster: raw audit
 * events (~80%), bare CloudTrail records (~20%) and, on request, a rare low-severity
 * GuardDuty finding. Its platform tools do what single-record rules look twice at: informers
 * watching every secret, ArgoCD syncing RBAC, Helm into kube-system, a nightly compliance scan
 * and Terraform changing IAM. Deterministic for given options; memory is bounded by the live
 * cluster (pods, nodes, pending steps), not by the number of records.
 */

export interface GenerateOptions {
  records: number;
  seed?: number;
  /** ISO instant of the first record; default 2026-11-16T00:00:00Z. */
  start?: string;
  /** Default 4200, i.e. ~100k records per simulated day. */
  recordsPerHour?: number;
  /** Rates that change over time (busy hours among quiet days); replaces recordsPerHour. */
  schedule?: readonly RateSegment[];
  cluster?: string;
  /** The 12-digit AWS account the cluster runs in; default 111122223333. */
  accountId?: string;
  /** Emit ~1 in 20,000 lines as a GuardDuty Recon:EC2/PortProbeUnprotectedPort finding; default false. */
  includeFindings?: boolean;
}

export const DEFAULT_SEED = 1;
export const DEFAULT_START = '2026-11-16T00:00:00Z';
export const DEFAULT_RECORDS_PER_HOUR = 4200;
export const DEFAULT_CLUSTER = 'busy-1';

/** Share of lines that are CloudTrail records; the rest are audit events. */
export const CLOUDTRAIL_SHARE = 0.2;
export const FINDING_RATE = 1 / 20_000;

export function* generateBusyCluster(options: GenerateOptions): Generator<string> {
  const records = options.records;
  if (!Number.isInteger(records) || records < 0) throw new Error('records must be a non-negative integer');
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isInteger(seed)) throw new Error('seed must be an integer');
  const cluster = options.cluster ?? DEFAULT_CLUSTER;
  const inAccount = accountRewriter(options.accountId);
  const clock = new SlotClock(options.start ?? DEFAULT_START, options.schedule ?? options.recordsPerHour ?? DEFAULT_RECORDS_PER_HOUR);

  const rng = new Prng(seed);
  const account = new AwsAccount(seed, cluster);
  const world: World = {
    rng,
    account,
    model: new ClusterModel(rng, cluster, clock.start),
    actors: buildActors(rng, account),
    k8s: new Timeline(),
    aws: new Timeline(),
  };
  initialCredentials(world, clock.start);
  scheduleRollouts(world, clock.start);
  scheduleNodeChurn(world, clock.start);
  // The platform's own tools (kube-state-metrics, cert-manager, ArgoCD, Helm, Prowler, Terraform) draw from their own stream.
  const platformRng = new Prng(seed ^ 0x91a7f0);
  schedulePlatformControllers(world, clock.start, platformRng);
  schedulePlatformAws(world, clock.start, platformRng);
  const finding = options.includeFindings ? new PortProbeFinding(new Prng(seed ^ 0x5eed)) : undefined;

  for (let i = 0; i < records; i++) {
    const now = clock.slot(i, rng.next());
    const roll = rng.next();
    if (finding && roll < FINDING_RATE) {
      yield inAccount(finding.line(now));
    } else if (roll < CLOUDTRAIL_SHARE) {
      yield inAccount(world.aws.runDue(now) ?? awsBackground(world, now));
    } else {
      yield inAccount(world.k8s.runDue(now) ?? k8sBackground(world, now));
    }
  }
}

/**
 * The simulation writes its one account's id wherever AWS would (ARNs, recipientAccountId, the ECR
 * registry, aws-iam-authenticator uids); another account's lines are the same lines with its id,
 * so the default output stays what it always was.
 */
function accountRewriter(accountId: string | undefined): (line: string) => string {
  if (accountId === undefined || accountId === ACCOUNT_ID) return (line) => line;
  if (!/^\d{12}$/.test(accountId)) throw new Error('accountId must be 12 digits');
  return (line) => line.replaceAll(ACCOUNT_ID, accountId);
}
