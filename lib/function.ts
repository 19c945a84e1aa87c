import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, type Duration, type ILocalBundling, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type BuildOptions, type Metafile, buildSync } from 'esbuild';
import { NODE_ESM_BUNDLE } from './node-esm-bundle.ts';

/** The repository root: handler entries are relative to it, and esbuild resolves from it. */
const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The Lambda runtime pivotguard's handlers are bundled for and tested on. */
const HANDLER_RUNTIME = lambda.Runtime.NODEJS_22_X;

/**
 * How esbuild bundles every handler. What every invocation needs is in index.mjs and the chunks
 * it imports; a module the handler loads with `await import()` (a client only some invocations
 * need, the SDK's own credential providers) is a chunk of its own, read when first imported.
 * What was tested is what runs: the AWS SDK is bundled rather than taken from the runtime.
 */
export const HANDLER_BUNDLE_OPTIONS = {
  ...NODE_ESM_BUNDLE,
  minify: true,
  entryNames: 'index',
  // Lambda's code folder has no package.json saying "type": "module": every file must be .mjs.
  outExtension: { '.js': '.mjs' },
  // Stack traces can be mapped to the TypeScript sources (see README, "Performance"); the sources stay in the repository.
  sourcemap: true,
  sourcesContent: false,
  alias: { zod: join(PROJECT_ROOT, 'lib/zod-without-locales/index.ts') },
  absWorkingDir: PROJECT_ROOT,
  logLevel: 'warning',
} as const satisfies BuildOptions;

/** Bundles one handler (`entry` relative to the repository root) into `outdir`; returns esbuild's metafile. */
export function bundleHandler(entry: string, outdir: string): Metafile {
  return buildSync({ ...HANDLER_BUNDLE_OPTIONS, entryPoints: [join(PROJECT_ROOT, entry)], outdir, metafile: true }).metafile;
}

/**
 * Bundles with the local esbuild, the project's devDependency: code splitting needs esbuild's
 * `outdir`, which NodejsFunction does not offer. The entry is a field so that CDK's bundling
 * cache, keyed by the bundling options, tells one handler from another.
 */
class LocalHandlerBundling implements ILocalBundling {
  constructor(readonly entry: string) {}

  tryBundle(outputDir: string): boolean {
    bundleHandler(this.entry, outputDir);
    return true;
  }
}

/**
 * `cdk deploy -c sourceMaps=true` has Node map stack traces to the TypeScript sources. Off by
 * default: Node then reads and parses every loaded file's map at each cold start, 15-50 % more
 * import time, for the rare stack trace; the maps ship either way.
 */
function sourceMapsOn(scope: Construct): boolean {
  const setting: unknown = scope.node.tryGetContext('sourceMaps');
  return setting === true || setting === 'true';
}

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
  readonly function: lambda.Function;
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

    this.function = new lambda.Function(this, 'Function', {
      code: lambda.Code.fromAsset(PROJECT_ROOT, {
        assetHashType: AssetHashType.OUTPUT,
        // The image is never run: local bundling always succeeds or throws.
        bundling: { image: HANDLER_RUNTIME.bundlingImage, local: new LocalHandlerBundling(props.entry) },
      }),
      handler: 'index.handler',
      description: props.description,
      runtime: HANDLER_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      timeout: props.timeout,
      memorySize: props.memorySize,
      role: this.role,
      logGroup: this.logGroup,
      tracing: lambda.Tracing.ACTIVE,
      environment: sourceMapsOn(this) ? { ...props.environment, NODE_OPTIONS: '--enable-source-maps' } : props.environment,
      deadLetterQueue: props.deadLetterQueue,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      vpc: props.vpc?.vpc,
      vpcSubnets: props.vpc?.subnets,
      securityGroups: props.vpc?.securityGroups,
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
