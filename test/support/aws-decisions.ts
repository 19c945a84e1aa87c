/**
 * What AWS would decide about a request to a synthesized stack: the template's intrinsic
 * functions are resolved for one account and region, the policies that apply to the request are
 * gathered (the principal's identity policies, the resource's policy: queue, topic, key, bus,
 * function permissions), and IAM's evaluation logic decides, through the IAM policy simulator
 * @cloud-copilot/iam-simulate (AGPL: a test-only devDependency, never bundled).
 */
import { createValidatedPolicy, validateIdentityPolicy, validateResourcePolicy } from '@cloud-copilot/iam-policy';
import { runSimulation, runUnsafeSimulation } from '@cloud-copilot/iam-simulate';
import type { Template } from 'aws-cdk-lib/assertions';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';
export const OTHER_ACCOUNT = '444455556666';

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

interface Resource {
  Type: string;
  Properties?: Record<string, unknown>;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A template with every reference resolved to the names and ARNs CloudFormation would give it here. */
export class DeployedTemplate {
  readonly resources: Record<string, Resource>;

  constructor(
    template: Template | Record<string, unknown>,
    readonly region = REGION,
  ) {
    const json = ('toJSON' in template && typeof template.toJSON === 'function' ? template.toJSON() : template) as { Resources: Record<string, Resource> };
    this.resources = json.Resources;
  }

  /** The physical name CloudFormation gives a resource: its explicit name, else its logical id. */
  nameOf(logicalId: string): string {
    const resource = this.resource(logicalId);
    const properties = resource.Properties ?? {};
    const explicit = {
      'AWS::IAM::Role': properties.RoleName,
      'AWS::Events::Rule': properties.Name,
      'AWS::Events::EventBus': properties.Name,
      'AWS::StepFunctions::StateMachine': properties.StateMachineName,
      'AWS::Lambda::Function': properties.FunctionName,
      'AWS::SQS::Queue': properties.QueueName,
      'AWS::SNS::Topic': properties.TopicName,
      'AWS::SSM::Parameter': properties.Name,
      'AWS::Logs::LogGroup': properties.LogGroupName,
      'AWS::DynamoDB::Table': properties.TableName,
      'AWS::S3::Bucket': properties.BucketName,
    }[resource.Type];
    return typeof explicit === 'string' ? explicit : logicalId.toLowerCase();
  }

  arnOf(logicalId: string): string {
    const { Type, Properties = {} } = this.resource(logicalId);
    const name = this.nameOf(logicalId);
    const at = `${this.region}:${ACCOUNT}`;
    switch (Type) {
      case 'AWS::IAM::Role':
        return `arn:aws:iam::${ACCOUNT}:role/${name}`;
      case 'AWS::Events::Rule': {
        const bus = Properties.EventBusName === undefined ? undefined : this.resolve(Properties.EventBusName as Json);
        return `arn:aws:events:${at}:rule/${bus === undefined || bus === 'default' ? '' : `${String(bus)}/`}${name}`;
      }
      case 'AWS::Events::EventBus':
        return `arn:aws:events:${at}:event-bus/${name}`;
      case 'AWS::StepFunctions::StateMachine':
        return `arn:aws:states:${at}:stateMachine:${name}`;
      case 'AWS::Lambda::Function':
        return `arn:aws:lambda:${at}:function:${name}`;
      case 'AWS::SQS::Queue':
        return `arn:aws:sqs:${at}:${name}`;
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${at}:${name}`;
      case 'AWS::KMS::Key':
        return `arn:aws:kms:${at}:key/${logicalId.toLowerCase()}`;
      case 'AWS::DynamoDB::Table':
        return `arn:aws:dynamodb:${at}:table/${name}`;
      case 'AWS::S3::Bucket':
        return `arn:aws:s3:::${name}`;
      case 'AWS::SecretsManager::Secret':
        return `arn:aws:secretsmanager:${at}:secret:${name}-AbCdEf`;
      case 'AWS::SSM::Parameter':
        return `arn:aws:ssm:${at}:parameter/${name.replace(/^\//, '')}`;
      case 'AWS::Logs::LogGroup':
        return `arn:aws:logs:${at}:log-group:${name}:*`;
      default:
        throw new Error(`no ARN rule for ${Type} (${logicalId})`);
    }
  }

  /** `Ref` as CloudFormation documents it per resource type. */
  private refOf(logicalId: string): string {
    const pseudo: Record<string, string> = {
      'AWS::AccountId': ACCOUNT,
      'AWS::Region': this.region,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': 'PivotGuard',
    };
    if (pseudo[logicalId] !== undefined) return pseudo[logicalId]!;
    const { Type } = this.resource(logicalId);
    if (['AWS::SNS::Topic', 'AWS::StepFunctions::StateMachine', 'AWS::SecretsManager::Secret'].includes(Type)) return this.arnOf(logicalId);
    if (Type === 'AWS::SQS::Queue') return `https://sqs.${this.region}.amazonaws.com/${ACCOUNT}/${this.nameOf(logicalId)}`;
    if (Type === 'AWS::KMS::Key') return logicalId.toLowerCase();
    return this.nameOf(logicalId);
  }

  private attributeOf(logicalId: string, attribute: string): string {
    if (attribute === 'Arn') return this.arnOf(logicalId);
    if (attribute === 'QueueName' || attribute === 'Name') return this.nameOf(logicalId);
    if (attribute === 'QueueUrl') return this.refOf(logicalId);
    throw new Error(`no rule for Fn::GetAtt ${logicalId}.${attribute}`);
  }

  /** Resolves Ref, Fn::GetAtt, Fn::Join, Fn::Select, Fn::Split and Fn::Sub (without variables maps). */
  resolve(value: Json): Json {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if (value === null || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [key] = keys as [string];
      const argument = value[key] as Json;
      switch (key) {
        case 'Ref':
          return this.refOf(argument as string);
        case 'Fn::GetAtt': {
          const [id, attribute] = argument as [string, string];
          return this.attributeOf(id, attribute);
        }
        case 'Fn::Join': {
          const [separator, parts] = argument as [string, Json[]];
          return parts.map((part) => String(this.resolve(part))).join(separator);
        }
        case 'Fn::Select': {
          const [index, list] = argument as [number, Json];
          return (this.resolve(list) as Json[])[Number(index)] as Json;
        }
        case 'Fn::Split': {
          const [separator, text] = argument as [string, Json];
          return String(this.resolve(text)).split(separator);
        }
        case 'Fn::Sub':
          return String(argument).replace(/\$\{([^}]+)\}/g, (_match, name: string) =>
            name.includes('.') ? this.attributeOf(name.split('.')[0]!, name.split('.')[1]!) : this.refOf(name),
          );
      }
    }
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, this.resolve(inner as Json)]));
  }

  /** Every identity policy (standalone or inline) attached to a role. */
  identityPoliciesOf(roleLogicalId: string): { name: string; policy: Json }[] {
    const policies: { name: string; policy: Json }[] = [];
    for (const [id, resource] of Object.entries(this.resources)) {
      if (resource.Type !== 'AWS::IAM::Policy') continue;
      const roles = (resource.Properties?.Roles ?? []) as { Ref?: string }[];
      if (roles.some((role) => role.Ref === roleLogicalId)) policies.push({ name: id, policy: this.resolve(resource.Properties!.PolicyDocument as Json) });
    }
    const inline = (this.resource(roleLogicalId).Properties?.Policies ?? []) as { PolicyName: string; PolicyDocument: Json }[];
    for (const { PolicyName, PolicyDocument } of inline) policies.push({ name: PolicyName, policy: this.resolve(PolicyDocument) });
    return policies;
  }

  /** The resource policy a resource carries, from whichever resource type holds it. */
  resourcePolicyOf(logicalId: string): Json | undefined {
    const { Type, Properties = {} } = this.resource(logicalId);
    if (Type === 'AWS::KMS::Key') return this.resolve(Properties.KeyPolicy as Json);
    const holders: Record<string, [string, string]> = {
      'AWS::SQS::Queue': ['AWS::SQS::QueuePolicy', 'Queues'],
      'AWS::SNS::Topic': ['AWS::SNS::TopicPolicy', 'Topics'],
    };
    if (holders[Type]) {
      const [policyType, listKey] = holders[Type]!;
      const statements = Object.values(this.resources)
        .filter(
          (resource) => resource.Type === policyType && ((resource.Properties?.[listKey] ?? []) as { Ref?: string }[]).some((ref) => ref.Ref === logicalId),
        )
        .flatMap((resource) => (this.resolve(resource.Properties!.PolicyDocument as Json) as { Statement: Json[] }).Statement);
      return statements.length ? { Version: '2012-10-17', Statement: statements } : undefined;
    }
    if (Type === 'AWS::Events::EventBus') {
      const statements = Object.values(this.resources)
        .filter(
          (resource) => resource.Type === 'AWS::Events::EventBusPolicy' && this.resolve(resource.Properties?.EventBusName as Json) === this.nameOf(logicalId),
        )
        .map((resource) => this.resolve(resource.Properties!.Statement as Json));
      return statements.length ? { Version: '2012-10-17', Statement: statements } : undefined;
    }
    if (Type === 'AWS::Lambda::Function') {
      const statements = Object.values(this.resources)
        .filter((resource) => resource.Type === 'AWS::Lambda::Permission' && this.resolve(resource.Properties?.FunctionName as Json) === this.arnOf(logicalId))
        .map((resource) => lambdaPermissionStatement(this.resolve(resource.Properties as Json) as Record<string, string>, this.arnOf(logicalId)));
      return statements.length ? { Version: '2012-10-17', Statement: statements } : undefined;
    }
    return undefined;
  }

  logicalIdsOf(type: string): string[] {
    return Object.entries(this.resources)
      .filter(([, resource]) => resource.Type === type)
      .map(([id]) => id);
  }

  private resource(logicalId: string): Resource {
    const resource = this.resources[logicalId];
    if (!resource) throw new Error(`no resource ${logicalId} in the template`);
    return resource;
  }
}

/** A Lambda permission as the statement of the function's resource policy Lambda builds from it. */
function lambdaPermissionStatement(permission: Record<string, string>, functionArn: string): Json {
  const principal = permission.Principal!;
  const conditions: Record<string, Record<string, string>> = {};
  if (permission.SourceArn) conditions.ArnLike = { 'aws:SourceArn': permission.SourceArn };
  if (permission.SourceAccount) conditions.StringEquals = { 'aws:SourceAccount': permission.SourceAccount };
  if (permission.FunctionUrlAuthType) conditions.StringEquals = { ...conditions.StringEquals, 'lambda:FunctionUrlAuthType': permission.FunctionUrlAuthType };
  return {
    Effect: 'Allow',
    Principal: principal === '*' ? '*' : principal.includes('.amazonaws.com') ? { Service: principal } : { AWS: principal },
    Action: permission.Action!,
    Resource: functionArn,
    ...(Object.keys(conditions).length ? { Condition: conditions } : {}),
  };
}

export interface Request {
  /** An IAM role's logical id in the template, a role or user ARN, or a service principal such as `events.amazonaws.com`. */
  principal: string;
  action: string;
  /** The resource's logical id in the template, or an ARN. */
  resource: string;
  context?: Record<string, string | string[]>;
  /** A resource policy to use instead of the template's (e.g. one AWS attaches outside it). */
  resourcePolicy?: Json;
  /** The principal's identity policies when they live in another template (another stack). */
  identityPolicies?: { name: string; policy: Json }[];
}

/** Whether AWS would allow the request, with everything the template says about it. */
export async function decide(template: DeployedTemplate, request: Request): Promise<Decision> {
  const isLogicalId = (value: string) => value in template.resources;
  const principalArn = isLogicalId(request.principal) ? template.arnOf(request.principal) : request.principal;
  const resourceArn = isLogicalId(request.resource) ? template.arnOf(request.resource) : request.resource;
  const identityPolicies = request.identityPolicies ?? (isLogicalId(request.principal) ? template.identityPoliciesOf(request.principal) : []);
  const resourcePolicy = request.resourcePolicy ?? (isLogicalId(request.resource) ? template.resourcePolicyOf(request.resource) : undefined);
  const principalAccount = /^arn:aws:(iam|sts)::(\d{12}):/.exec(principalArn)?.[2];
  const context: Record<string, string | string[]> = {
    'aws:SecureTransport': 'true',
    ...(principalAccount ? { 'aws:PrincipalAccount': principalAccount, 'aws:PrincipalArn': principalArn } : {}),
    ...request.context,
  };
  const simulation = {
    request: { principal: principalArn, action: request.action, resource: { resource: resourceArn, accountId: ACCOUNT }, contextVariables: context },
    identityPolicies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy,
  };
  // The validating entry point only knows variable keys of the form `prefix/name` and silently
  // drops `kms:EncryptionContext:<key>` and an OIDC provider's `<issuer>:sub`: such requests go
  // through the entry point that takes the context as given, with the policies validated here instead.
  if (Object.keys(context).some((name) => /^kms:EncryptionContext:/i.test(name) || /\/id\/[^:]+:(sub|aud|amr)$/.test(name))) {
    const validated = (document: Json, validate: (policy: unknown) => unknown[], name: string) => {
      const policy = createValidatedPolicy(document, validate as never, { name });
      if (policy.errors.length) throw new Error(`policy ${name} is invalid: ${JSON.stringify(policy.errors).slice(0, 400)}`);
      return policy;
    };
    return runUnsafeSimulation(
      {
        ...simulation,
        identityPolicies: identityPolicies.map(({ name, policy }) => ({ name, policy: validated(policy, validateIdentityPolicy, name) })),
        resourcePolicy: resourcePolicy === undefined ? undefined : validated(resourcePolicy, validateResourcePolicy, 'resource policy'),
      },
      {},
    );
  }
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') throw new Error(`the simulator refused the request: ${JSON.stringify(result.errors).slice(0, 600)}`);
  return result.overallResult as Decision;
}
