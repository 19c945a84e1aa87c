import { ACCOUNT_ID, REGION, newAccessKeyId, newSessionToken } from './aws-account.ts';
import { MICROS_PER_HOUR, awsExpiration, isoSeconds } from './clock.ts';
import { cloudTrailLine } from './cloudtrail.ts';
import type { Prng } from './prng.ts';
import type { World } from './world.ts';

/**
 * The platform's own AWS principals in CloudTrail: a nightly Prowler compliance scan reading
 * the configuration of every service from Prowler Cloud, and Terraform applying IAM changes
 * from CI (GitHub Actions federates into a CI role, which assumes the Terraform role). Both
 * call from outside the cluster's NAT gateways, as they do in an account.
 */

/** Prowler Cloud's scanner and the CI runners: public addresses the cluster never uses. */
export const PROWLER_SCANNER_IP = '192.0.2.80';
export const PROWLER_ACCOUNT_ID = '232136659152';
const PROWLER_ROLE = 'ProwlerScan';
const PROWLER_AGENT =
  'Boto3/1.35.66 md/Botocore#1.35.66 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.12.8 md/pyimpl#CPython cfg/retry-mode#standard Botocore/1.35.66 APN_1826889';
const CI_RUNNER_IP = '192.0.2.44';
const CI_ROLE = 'github-actions-ci';
const TERRAFORM_ROLE = 'terraform-apply';
const GITHUB_OIDC = `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com`;
const GITHUB_SUBJECT = 'repo:acme/platform-infra:ref:refs/heads/main';
const TERRAFORM_AGENT =
  'APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.74.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.3 ua/2.1 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64';

interface Session {
  roleName: string;
  sessionName: string;
  accessKeyId: string;
  issuedMicros: number;
}

/** A nightly scan at 02:00-03:00 UTC; Terraform applies twice on working days. */
export function schedulePlatformAws(world: World, start: number, rng: Prng): void {
  scheduleDaily(world, rng, start, 2, 3, (now) => prowlerScan(world, rng, now));
  scheduleDaily(world, rng, start, 14, 17, (now) => terraformApply(world, rng, now));
  scheduleDaily(world, rng, start, 18, 21, (now) => terraformApply(world, rng, now));
}

function scheduleDaily(world: World, rng: Prng, after: number, fromHour: number, toHour: number, run: (now: number) => string): void {
  const day = 24 * MICROS_PER_HOUR;
  let at = after - (after % day) + Math.floor(rng.between(fromHour, toHour) * MICROS_PER_HOUR);
  if (at <= after) at += day;
  world.aws.schedule(at, (now) => {
    scheduleDaily(world, rng, now + MICROS_PER_HOUR, fromHour, toHour, run);
    return run(now);
  });
}

function sessionIdentity(world: World, session: Session): unknown {
  const roleId = world.account.roleId(session.roleName);
  return {
    type: 'AssumedRole',
    principalId: `${roleId}:${session.sessionName}`,
    arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/${session.roleName}/${session.sessionName}`,
    accountId: ACCOUNT_ID,
    accessKeyId: session.accessKeyId,
    sessionContext: {
      sessionIssuer: { type: 'Role', principalId: roleId, arn: world.account.roleArn(session.roleName), accountId: ACCOUNT_ID, userName: session.roleName },
      attributes: { creationDate: isoSeconds(session.issuedMicros), mfaAuthenticated: 'false' },
    },
  };
}

function assumeRole(world: World, rng: Prng, now: number, caller: unknown, session: Session, sourceIp: string, userAgent: string): string {
  const roleArn = world.account.roleArn(session.roleName);
  return cloudTrailLine(rng, now, {
    eventVersion: '1.08',
    userIdentity: caller,
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRole',
    sourceIp,
    userAgent,
    requestParameters: { roleArn, roleSessionName: session.sessionName, durationSeconds: 3600 },
    responseElements: {
      credentials: { accessKeyId: session.accessKeyId, sessionToken: newSessionToken(rng), expiration: awsExpiration(now + MICROS_PER_HOUR) },
      assumedRoleUser: {
        assumedRoleId: `${world.account.roleId(session.roleName)}:${session.sessionName}`,
        arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/${session.roleName}/${session.sessionName}`,
      },
    },
    readOnly: true,
    resources: [{ accountId: ACCOUNT_ID, type: 'AWS::IAM::Role', ARN: roleArn }],
    host: `sts.${REGION}.amazonaws.com`,
  });
}

interface Call {
  service: string;
  name: string;
  parameters?: Record<string, unknown> | null;
  errorCode?: string;
  readOnly?: boolean;
}

function sessionCall(world: World, rng: Prng, now: number, session: Session, sourceIp: string, userAgent: string, call: Call): string {
  const global = call.service === 'iam';
  const line = cloudTrailLine(rng, now, {
    eventVersion: '1.09',
    userIdentity: sessionIdentity(world, session),
    eventSource: `${call.service}.amazonaws.com`,
    eventName: call.name,
    sourceIp,
    userAgent,
    requestParameters: call.parameters ?? null,
    responseElements: null,
    readOnly: call.readOnly ?? true,
    host: global ? 'iam.amazonaws.com' : `${call.service}.${REGION}.amazonaws.com`,
  });
  if (!call.errorCode) return line;
  // A refused call carries CloudTrail's errorCode and errorMessage after the response.
  const record = JSON.parse(line) as Record<string, unknown>;
  return JSON.stringify({ ...record, errorCode: call.errorCode, errorMessage: `User is not authorized to perform: ${call.service}:${call.name}` });
}

/** Spreads a run's calls a little apart after its first; the timeline emits them in order. */
function scheduleCalls(world: World, rng: Prng, from: number, lines: ((t: number) => string)[], gapMillis: [number, number]): void {
  let t = from;
  for (const line of lines) {
    t += rng.intBetween(gapMillis[0], gapMillis[1]) * 1000;
    world.aws.schedule(t, line);
  }
}

// ---- Prowler ------------------------------------------------------------------------------------

const SCANNED_ROLES = ['checkout-irsa', 'payments-irsa', 'busy-1-node-role', 'cluster-autoscaler', 'terraform-apply', 'github-actions-ci', 'PlatformAdmin'];

function prowlerCalls(rng: Prng): Call[] {
  const calls: Call[] = [
    { service: 'sts', name: 'GetCallerIdentity' },
    { service: 'iam', name: 'GetAccountPasswordPolicy' },
    { service: 'iam', name: 'GetAccountAuthorizationDetails' },
    { service: 'iam', name: 'ListUsers' },
    { service: 'iam', name: 'ListRoles' },
    { service: 'iam', name: 'ListPolicies', parameters: { scope: 'Local', onlyAttached: false } },
    { service: 's3', name: 'ListBuckets' },
    { service: 'ec2', name: 'DescribeInstances' },
    { service: 'ec2', name: 'DescribeSecurityGroups' },
    { service: 'ec2', name: 'DescribeVpcs' },
    { service: 'ec2', name: 'DescribeFlowLogs' },
    { service: 'ec2', name: 'DescribeSnapshots', parameters: { ownersSet: { items: [{ owner: 'self' }] } } },
    { service: 'eks', name: 'ListClusters' },
    { service: 'eks', name: 'DescribeCluster', parameters: { name: 'busy-1' } },
    { service: 'cloudtrail', name: 'DescribeTrails' },
    { service: 'cloudtrail', name: 'GetTrailStatus', parameters: { name: 'management-events' } },
    { service: 'kms', name: 'ListKeys' },
    { service: 'secretsmanager', name: 'ListSecrets' },
    { service: 'ssm', name: 'DescribeParameters' },
    { service: 'guardduty', name: 'ListDetectors' },
    // The scan role lacks a few services' permissions: refused, as every scan is.
    { service: 'securityhub', name: 'GetEnabledStandards', errorCode: 'AccessDenied' },
    { service: 'macie2', name: 'GetMacieSession', errorCode: 'AccessDeniedException' },
  ];
  for (const roleName of SCANNED_ROLES) {
    calls.push({ service: 'iam', name: 'ListAttachedRolePolicies', parameters: { roleName } });
    calls.push({ service: 'iam', name: 'ListRolePolicies', parameters: { roleName } });
  }
  // Shuffled so each night's order differs, as a scan's worker threads interleave.
  for (let i = calls.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [calls[i], calls[j]] = [calls[j] as Call, calls[i] as Call];
  }
  return calls;
}

function prowlerScan(world: World, rng: Prng, now: number): string {
  const session: Session = {
    roleName: PROWLER_ROLE,
    sessionName: `ProwlerAssessmentSession-${rng.hex(8)}`,
    accessKeyId: newAccessKeyId(rng),
    issuedMicros: now,
  };
  const caller = { type: 'AWSAccount', principalId: `AROA${rng.hex(8).toUpperCase()}:prowler-scan`, accountId: PROWLER_ACCOUNT_ID };
  const lines = prowlerCalls(rng).map((call) => (t: number) => sessionCall(world, rng, t, session, PROWLER_SCANNER_IP, PROWLER_AGENT, call));
  scheduleCalls(world, rng, now, lines, [300, 6000]);
  return assumeRole(world, rng, now, caller, session, PROWLER_SCANNER_IP, PROWLER_AGENT);
}

// ---- Terraform -----------------------------------------------------------------------------------

function terraformApply(world: World, rng: Prng, now: number): string {
  const run = rng.intBetween(10_000_000, 99_999_999);
  const ci: Session = { roleName: CI_ROLE, sessionName: `GitHubActions-${run}`, accessKeyId: newAccessKeyId(rng), issuedMicros: now };
  const terraform: Session = { roleName: TERRAFORM_ROLE, sessionName: `terraform-${run}`, accessKeyId: newAccessKeyId(rng), issuedMicros: now };
  const app = rng.pick(['checkout', 'payments', 'catalog', 'search']);
  const role = `${app}-irsa`;
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['sqs:SendMessage', 'sqs:ReceiveMessage'], Resource: `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:${app}-*` }],
  });
  const calls: Call[] = [
    { service: 'sts', name: 'GetCallerIdentity' },
    { service: 'iam', name: 'GetRole', parameters: { roleName: role } },
    { service: 'iam', name: 'ListRolePolicies', parameters: { roleName: role } },
    { service: 'iam', name: 'ListAttachedRolePolicies', parameters: { roleName: role } },
    { service: 'iam', name: 'PutRolePolicy', parameters: { roleName: role, policyName: `${app}-queues`, policyDocument: policy }, readOnly: false },
  ];
  if (rng.chance(0.3)) {
    const worker = `${app}-worker-irsa`;
    calls.push(
      {
        service: 'iam',
        name: 'CreateRole',
        parameters: { roleName: worker, path: '/', assumeRolePolicyDocument: webIdentityTrust(world, app) },
        readOnly: false,
      },
      {
        service: 'iam',
        name: 'AttachRolePolicy',
        parameters: { roleName: worker, policyArn: 'arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess' },
        readOnly: false,
      },
    );
  }
  const webIdentity = {
    type: 'WebIdentityUser',
    principalId: `${GITHUB_OIDC}:sts.amazonaws.com:${GITHUB_SUBJECT}`,
    userName: GITHUB_SUBJECT,
    identityProvider: GITHUB_OIDC,
  };
  const lines: ((t: number) => string)[] = [
    (t) => assumeRole(world, rng, t, sessionIdentity(world, ci), terraform, CI_RUNNER_IP, TERRAFORM_AGENT),
    ...calls.map((call) => (t: number) => sessionCall(world, rng, t, terraform, CI_RUNNER_IP, TERRAFORM_AGENT, call)),
  ];
  scheduleCalls(world, rng, now, lines, [200, 3000]);
  return cloudTrailLine(rng, now, {
    eventVersion: '1.08',
    userIdentity: webIdentity,
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRoleWithWebIdentity',
    sourceIp: CI_RUNNER_IP,
    userAgent: 'aws-actions/configure-aws-credentials',
    requestParameters: { roleArn: world.account.roleArn(CI_ROLE), roleSessionName: ci.sessionName },
    responseElements: {
      credentials: { accessKeyId: ci.accessKeyId, sessionToken: newSessionToken(rng), expiration: awsExpiration(now + MICROS_PER_HOUR) },
      subjectFromWebIdentityToken: GITHUB_SUBJECT,
      assumedRoleUser: {
        assumedRoleId: `${world.account.roleId(CI_ROLE)}:${ci.sessionName}`,
        arn: `arn:aws:sts::${ACCOUNT_ID}:assumed-role/${CI_ROLE}/${ci.sessionName}`,
      },
      provider: GITHUB_OIDC,
      audience: 'sts.amazonaws.com',
    },
    readOnly: true,
    resources: [{ accountId: ACCOUNT_ID, type: 'AWS::IAM::Role', ARN: world.account.roleArn(CI_ROLE) }],
    host: `sts.${REGION}.amazonaws.com`,
  });
}

/** An IRSA trust policy: only the app's service account, through the cluster's OIDC provider. */
function webIdentityTrust(world: World, app: string): string {
  const issuer = world.account.oidcProviderArn.split(':oidc-provider/')[1];
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: world.account.oidcProviderArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { [`${issuer}:sub`]: `system:serviceaccount:${app}:${app}` } },
      },
    ],
  });
}
