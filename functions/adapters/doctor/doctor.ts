import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { EKSClient } from '@aws-sdk/client-eks';
import type { GuardDutyClient } from '@aws-sdk/client-guardduty';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { type CheckResult, runCheck, warn } from './check.ts';
import { checkCluster, listClusterNames } from './clusters.ts';
import { checkGuardDuty } from './guardduty.ts';
import { checkLambdaConcurrency } from './lambda-concurrency.ts';
import { checkGlobalEvents } from './regions.ts';
import { checkSecurityHub } from './security-hub.ts';
import { checkTrail } from './trail.ts';

/** One client per service, created once; all in pivotguard's region except `globalCloudFormation`. */
export interface DoctorClients {
  cloudTrail: CloudTrailClient;
  eks: EKSClient;
  logs: CloudWatchLogsClient;
  guardDuty: GuardDutyClient;
  /** A CloudFormation client in us-east-1, where the global-events forwarder stack lives. */
  globalCloudFormation: CloudFormationClient;
  securityHub: SecurityHubClient;
  lambda: LambdaClient;
}

export interface DoctorOptions {
  account: string;
  region: string;
  /** The clusters to check; empty means every cluster of the region. */
  clusters: string[];
  /** Whether incidents will be sent to Security Hub (-c securityHub=true). */
  securityHub: boolean;
  /** Whether the stack will reserve concurrency (not deployed with -c reservedConcurrency=false). */
  reservedConcurrency: boolean;
}

/** Every check, in the order they are printed; one failing AWS call never stops the others. */
export async function runDoctor(clients: DoctorClients, options: DoctorOptions): Promise<CheckResult[]> {
  const { account, region } = options;
  const [trail, clusters, guardDuty, globalEvents, concurrency, securityHub] = await Promise.all([
    runCheck('trail', () => checkTrail(clients.cloudTrail, region)),
    runCheck('clusters', () => checkClusters(clients, options)),
    runCheck('guardduty', () => checkGuardDuty(clients.guardDuty, region)),
    runCheck('global-events', () => checkGlobalEvents(clients.globalCloudFormation, region, account)),
    options.reservedConcurrency ? runCheck('lambda-concurrency', () => checkLambdaConcurrency(clients.lambda, region)) : [],
    options.securityHub ? runCheck('security-hub', () => checkSecurityHub(clients.securityHub, region)) : [],
  ]);
  return [...trail, ...clusters, ...guardDuty, ...globalEvents, ...concurrency, ...securityHub];
}

/** Whether a failing check stops the deploy or detection. */
export function isBlocked(results: readonly CheckResult[]): boolean {
  return results.some((result) => result.status === 'fail' && result.blocking);
}

async function checkClusters(clients: DoctorClients, { clusters, region }: DoctorOptions): Promise<CheckResult[]> {
  const names = clusters.length > 0 ? clusters : await listClusterNames(clients.eks);
  if (names.length === 0) return [warn('clusters', `no EKS cluster in ${region}: name the ones pivotguard should watch with --cluster, or pass --region`)];
  const results: CheckResult[] = [];
  // One cluster at a time: each already makes its calls in parallel, and EKS throttles describes.
  for (const name of names) results.push(...(await checkCluster(clients, name, region)));
  return results;
}
