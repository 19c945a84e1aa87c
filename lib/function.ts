import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
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
}
