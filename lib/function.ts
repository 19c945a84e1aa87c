import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** The repository root: handler entries and the lock file esbuild bundles from. */
const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The Lambda runtime pivotguard's handlers are bundled for and tested on. */
const HANDLER_RUNTIME = lambda.Runtime.NODEJS_22_X;

// esbuild's ESM output has no `require`; CommonJS dependencies that require Node built-ins need one.
const ESM_REQUIRE_BANNER = "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);";

/** Runs a function inside a VPC, e.g. to reach EKS API servers that have only a private endpoint. */
export interface FunctionVpc {
  readonly vpc: ec2.IVpc;
  /** @default the VPC's private subnets */
  readonly subnets?: ec2.SubnetSelection;
  /** @default a new security group that allows all outbound traffic */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/** Lambda's network interface calls (those of AWSLambdaVPCAccessExecutionRole, without its logs part). */
const ENI_DESCRIBE_ACTIONS = ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'];
const ENI_MANAGE_ACTIONS = ['ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'];

export interface HandlerFunctionProps {
  /** Path of the handler module, relative to the repository root (e.g. `functions/handlers/analyzer.ts`). */
  readonly entry: string;
  readonly description: string;
  readonly timeout: Duration;
  readonly memorySize: number;
  readonly environment: Record<string, string>;
  /** Encrypts the function's log group. */
  readonly key: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** Where failed asynchronous invocations go (functions invoked by an event source do not need one). */
  readonly deadLetterQueue?: sqs.IQueue;
  /** The function's VPC; it then needs a NAT gateway or VPC endpoints for the AWS APIs it calls. */
  readonly vpc?: FunctionVpc;
  /** Caps the function's concurrency and keeps that much of the account's for it. @default none */
  readonly reservedConcurrentExecutions?: number;
}

/**
 * One pivotguard Lambda function, built the same way for every handler: Node.js 22 on arm64,
 * bundled by esbuild as an ES module with source maps, X-Ray tracing, and its own encrypted
 * log group. Its role starts empty (no AWS managed policy): writing to its own log group is the
 * only permission granted here; callers grant the rest.
 */
export class HandlerFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  /** In a VPC: the resource pattern (this account and region) its role manages network interfaces on. */
  readonly networkInterfaces: string | undefined;

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      encryptionKey: props.key,
      removalPolicy: props.removalPolicy,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the pivotguard ${id.toLowerCase()} function`,
    });
    this.logGroup.grantWrite(this.role);
    this.networkInterfaces = props.vpc ? this.allowNetworkInterfaces() : undefined;

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: HANDLER_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      timeout: props.timeout,
      memorySize: props.memorySize,
      role: this.role,
      logGroup: this.logGroup,
      tracing: lambda.Tracing.ACTIVE,
      // Stack traces point into the TypeScript sources rather than the minified bundle.
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
      deadLetterQueue: props.deadLetterQueue,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      vpc: props.vpc?.vpc,
      vpcSubnets: props.vpc?.subnets,
      securityGroups: props.vpc?.securityGroups,
      bundling: {
        format: nodejs.OutputFormat.ESM,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        target: 'node22',
        minify: true,
        sourceMap: true,
        // What was tested is what runs: the SDK is bundled rather than taken from the runtime.
        bundleAwsSDK: true,
        forceDockerBundling: false,
      },
    });
  }

  /**
   * A function given its own role gets no VPC permissions from CDK. Lambda checks these when it
   * creates the function; describing supports no resource scoping, the rest stays in this
   * account and region (Lambda's documented form for DeleteNetworkInterface).
   */
  private allowNetworkInterfaces(): string {
    const stack = Stack.of(this);
    const inThisRegion = `arn:${stack.partition}:ec2:${stack.region}:${stack.account}:*/*`;
    this.role.addToPolicy(new iam.PolicyStatement({ sid: 'DescribeNetworkInterfaces', actions: ENI_DESCRIBE_ACTIONS, resources: ['*'] }));
    this.role.addToPolicy(new iam.PolicyStatement({ sid: 'ManageNetworkInterfaces', actions: ENI_MANAGE_ACTIONS, resources: [inThisRegion] }));
    return inThisRegion;
  }
}
