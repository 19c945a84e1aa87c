import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EKSClient } from '@aws-sdk/client-eks';
import { GuardDutyClient } from '@aws-sdk/client-guardduty';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type CheckResult, ok } from '#adapters/doctor/check';
import { type DoctorClients, isBlocked, runDoctor } from '#adapters/doctor/doctor';
import { GLOBAL_EVENTS_REGION } from '#adapters/doctor/regions';
import { plural } from '#core/view/words';
import { parseCommand } from './backend.ts';
import { type Printable, printLines } from './terminal.ts';
import { COMMANDS } from './usage.ts';
import { UsageError } from './usage-error.ts';

const USAGE = COMMANDS.doctor.usage;

const MARKS = { ok: '✔', fail: '✘', warn: '!' } as const;

const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** Read-only checks of the account, region and clusters pivotguard is deployed to. */
export async function doctorCommand(args: string[], out: NodeJS.WritableStream): Promise<number> {
  const { values, positionals } = parseCommand(args, USAGE, {
    cluster: { type: 'string', multiple: true, default: [] },
    'security-hub': { type: 'boolean', default: false },
    'no-reserved-concurrency': { type: 'boolean', default: false },
    region: { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"; usage: ${USAGE}`);
  if (values.region !== undefined && !AWS_REGION.test(values.region))
    throw new UsageError(`--region ${values.region} is not an AWS region name (e.g. eu-west-1)`);

  const sts = new STSClient({ region: values.region });
  const { account, arn, region } = await whoAndWhere(sts);
  // The other clients reuse STS's credentials: one resolution, one prompt for MFA or SSO.
  const shared = { region, credentials: sts.config.credentials };
  const clients: DoctorClients = {
    cloudTrail: new CloudTrailClient(shared),
    eks: new EKSClient(shared),
    logs: new CloudWatchLogsClient(shared),
    guardDuty: new GuardDutyClient(shared),
    globalCloudFormation: new CloudFormationClient({ ...shared, region: GLOBAL_EVENTS_REGION }),
    securityHub: new SecurityHubClient(shared),
    lambda: new LambdaClient(shared),
  };
  const checks = [
    ok('identity', `account ${account} as ${arn}, region ${region}`),
    ...(await runDoctor(clients, {
      account,
      region,
      clusters: clusterNames(values.cluster),
      securityHub: values['security-hub'],
      reservedConcurrency: !values['no-reserved-concurrency'],
    })),
  ];
  const blocked = isBlocked(checks);
  if (values.json) out.write(`${JSON.stringify({ checks, blocked })}\n`);
  else printLines(out, renderChecks(checks, blocked));
  return blocked ? 1 : 0;
}

/** The caller's account and ARN, and the region; without them nothing can be checked (exit 2). */
async function whoAndWhere(sts: STSClient): Promise<{ account: string; arn: string; region: string }> {
  let region: string;
  try {
    region = await sts.config.region();
  } catch {
    throw new UsageError('no AWS region: pass --region, or set AWS_REGION (or a profile with a region)');
  }
  try {
    const { Account, Arn } = await sts.send(new GetCallerIdentityCommand({}));
    if (Account && Arn) return { account: Account, arn: Arn, region };
  } catch (error) {
    throw new UsageError(
      `cannot tell who you are on AWS (${(error as Error).name}: ${(error as Error).message}): set AWS credentials (AWS_PROFILE, aws sso login, or access keys)`,
    );
  }
  throw new UsageError('AWS did not say who you are (sts:GetCallerIdentity answered without an account)');
}

/** --cluster repeated, or a comma-separated list as in `cdk deploy -c clusters=a,b` (EKS names have no commas). */
function clusterNames(options: string[]): string[] {
  return [
    ...new Set(
      options
        .flatMap((option) => option.split(','))
        .map((name) => name.trim())
        .filter(Boolean),
    ),
  ];
}

function renderChecks(checks: readonly CheckResult[], blocked: boolean): Printable[] {
  const lines: Printable[] = checks.flatMap(({ id, status, blocking, summary, fix }) => [
    { text: `${MARKS[status]} ${id}${blocking ? ' (blocking)' : ''}: ${summary}`, hang: 2 },
    // Fix commands are meant to be copied: never wrapped.
    ...(fix ? fix.split('\n').map((command, index) => ({ text: `    ${index === 0 ? 'fix: ' : '     '}${command}`, verbatim: true })) : []),
  ]);
  const blocking = checks.filter((check) => check.status === 'fail' && check.blocking).length;
  const other = checks.filter((check) => check.status !== 'ok').length - blocking;
  lines.push(
    blocked
      ? `${plural(blocking, 'problem blocks', 'problems block')} the deploy or detection${other ? `; ${plural(other, 'other line')} to look at` : ''}`
      : `Nothing blocks the deploy or detection${other ? `; ${plural(other, 'line')} to look at` : ''}`,
  );
  return lines;
}
