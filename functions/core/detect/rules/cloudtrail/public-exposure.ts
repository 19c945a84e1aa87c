import { defineRule } from '../../rule.ts';
import { sanitize } from '../../actors.ts';
import { asArray, asObject, parseJsonDocument, str, textOf } from '#core/model/json';
import type { CloudTrailEvent } from '#core/model/event';
import { callName, cloudTrailSubject, describeCaller, tookEffect } from './subject.ts';

export interface Exposure {
  what: string;
  /** Opened to everyone, or shared with named accounts. */
  to: 'world' | 'account';
}

/** What the call opens to the world or to another account, if it does: read from its request parameters. */
export function exposureOf(event: CloudTrailEvent): Exposure | undefined {
  const parameters = event.requestParameters ?? {};
  // Only three of the calls search the parameters as text.
  const text = () => JSON.stringify(parameters);
  const world = (what: string): Exposure => ({ what, to: 'world' });
  switch (`${event.eventSource}:${event.eventName}`) {
    case 's3.amazonaws.com:DeleteBucketPublicAccessBlock':
    case 's3.amazonaws.com:DeleteAccountPublicAccessBlock':
      return world(`public access block removed from ${sanitize(str(parameters.bucketName) ?? 'the account', 60)}`);
    case 's3.amazonaws.com:PutBucketPolicy':
      return allowsAnyone(parameters.bucketPolicy) ? world(`bucket ${sanitize(str(parameters.bucketName), 60)} policy allows anyone`) : undefined;
    case 's3.amazonaws.com:PutBucketAcl':
      return /AllUsers|AuthenticatedUsers/.test(text()) ? world(`bucket ${sanitize(str(parameters.bucketName), 60)} ACL grants everyone`) : undefined;
    case 'ec2.amazonaws.com:ModifySnapshotAttribute':
      return sharedWith(asObject(parameters.createVolumePermission), 'EBS snapshot');
    case 'ec2.amazonaws.com:ModifyImageAttribute':
      return str(parameters.attributeType) === 'launchPermission' ? sharedWith(asObject(parameters.launchPermission), 'AMI') : undefined;
    case 'rds.amazonaws.com:ModifyDBSnapshotAttribute':
    case 'rds.amazonaws.com:ModifyDBClusterSnapshotAttribute': {
      const accounts = (Array.isArray(parameters.valuesToAdd) ? parameters.valuesToAdd : []).map(textOf);
      if (accounts.includes('all')) return world('RDS snapshot made public');
      return accounts.length > 0 ? { what: `RDS snapshot shared with account ${sanitize(accounts.join(', '), 60)}`, to: 'account' } : undefined;
    }
    case 'rds.amazonaws.com:ModifyDBInstance':
    case 'rds.amazonaws.com:ModifyDBCluster':
      return parameters.publiclyAccessible === true ? world('RDS instance made publicly accessible') : undefined;
    case 'rds.amazonaws.com:RestoreDBInstanceFromDBSnapshot':
    case 'rds.amazonaws.com:RestoreDBInstanceToPointInTime':
    case 'rds.amazonaws.com:RestoreDBInstanceFromS3': {
      // Restored data under a master password the caller just chose; left out of the request, RDS
      // decides by the subnet group and says so in its response.
      const reachable = parameters.publiclyAccessible ?? event.responseElements?.publiclyAccessible;
      return reachable === true ? world(`RDS data restored to publicly accessible instance ${sanitize(str(parameters.dBInstanceIdentifier), 60)}`) : undefined;
    }
    case 'sqs.amazonaws.com:SetQueueAttributes':
      return allowsAnyone(asObject(parameters.attributes)?.Policy) ? world('SQS queue policy allows anyone') : undefined;
    case 'sns.amazonaws.com:SetTopicAttributes':
      return str(parameters.attributeName) === 'Policy' && allowsAnyone(parameters.attributeValue) ? world('SNS topic policy allows anyone') : undefined;
    case 'ec2.amazonaws.com:AuthorizeSecurityGroupIngress':
      return WHOLE_INTERNET.test(text())
        ? world(`security group ${sanitize(str(parameters.groupId) ?? str(asObject(parameters.groupSet)?.groupId), 40)} opened to the internet`)
        : undefined;
    case 'ec2.amazonaws.com:CreateNetworkAclEntry':
    case 'ec2.amazonaws.com:ReplaceNetworkAclEntry':
      return parameters.egress !== true && str(parameters.ruleAction) !== 'deny' && WHOLE_INTERNET.test(text())
        ? world(`network ACL ${sanitize(str(parameters.networkAclId), 40)} allows inbound traffic from the internet`)
        : undefined;
    default: {
      const policy = RESOURCE_POLICIES[`${event.eventSource}:${event.eventName}`];
      return policy && allowsAnyone(parameters[policy.field]) ? world(`${policy.what} policy allows anyone`) : undefined;
    }
  }
}

/** Calls that set a resource policy, and the request field that carries it. */
const RESOURCE_POLICIES: Record<string, { field: string; what: string }> = {
  'ecr.amazonaws.com:SetRepositoryPolicy': { field: 'policyText', what: 'container repository' },
  'kms.amazonaws.com:PutKeyPolicy': { field: 'policy', what: 'KMS key' },
  'kms.amazonaws.com:CreateKey': { field: 'policy', what: 'KMS key' },
  'secretsmanager.amazonaws.com:PutResourcePolicy': { field: 'resourcePolicy', what: 'secret' },
  'es.amazonaws.com:CreateElasticsearchDomain': { field: 'accessPolicies', what: 'search domain' },
  'es.amazonaws.com:UpdateElasticsearchDomainConfig': { field: 'accessPolicies', what: 'search domain' },
  'es.amazonaws.com:CreateDomain': { field: 'accessPolicies', what: 'search domain' },
  'es.amazonaws.com:UpdateDomainConfig': { field: 'accessPolicies', what: 'search domain' },
  'glacier.amazonaws.com:SetVaultAccessPolicy': { field: 'policy', what: 'Glacier vault' },
  's3.amazonaws.com:PutAccessPointPolicy': { field: 'policy', what: 'S3 access point' },
};

/** Every call exposureOf reads. */
export const EXPOSING_CALLS = [
  's3.amazonaws.com:DeleteBucketPublicAccessBlock',
  's3.amazonaws.com:DeleteAccountPublicAccessBlock',
  's3.amazonaws.com:PutBucketPolicy',
  's3.amazonaws.com:PutBucketAcl',
  'ec2.amazonaws.com:ModifySnapshotAttribute',
  'ec2.amazonaws.com:ModifyImageAttribute',
  'rds.amazonaws.com:ModifyDBSnapshotAttribute',
  'rds.amazonaws.com:ModifyDBClusterSnapshotAttribute',
  'rds.amazonaws.com:ModifyDBInstance',
  'rds.amazonaws.com:ModifyDBCluster',
  'rds.amazonaws.com:RestoreDBInstanceFromDBSnapshot',
  'rds.amazonaws.com:RestoreDBInstanceToPointInTime',
  'rds.amazonaws.com:RestoreDBInstanceFromS3',
  'sqs.amazonaws.com:SetQueueAttributes',
  'sns.amazonaws.com:SetTopicAttributes',
  'ec2.amazonaws.com:AuthorizeSecurityGroupIngress',
  'ec2.amazonaws.com:CreateNetworkAclEntry',
  'ec2.amazonaws.com:ReplaceNetworkAclEntry',
  ...Object.keys(RESOURCE_POLICIES),
];

// Condition keys that tie a "Principal": "*" statement to the owner's organization, network or accounts.
const RESTRICTING_KEYS = /^aws:(PrincipalOrgID|PrincipalOrgPaths|PrincipalAccount|SourceAccount|SourceArn|SourceOrgID|SourceVpce?|SourceIp|VpcSourceIp)$/i;

/** A policy with an Allow statement for any principal that no condition narrows to the owner's own. */
function allowsAnyone(policy: unknown): boolean {
  let document: unknown = policy;
  if (typeof policy === 'string') {
    document = parseJsonDocument(policy);
    // Not JSON, or nested too deep to walk: the text itself still says whether it names anyone.
    if (document === undefined) return /"Principal":\s*(\{\s*"AWS":\s*)?"\*"/.test(policy);
  }
  const statements = ([] as unknown[]).concat(asObject(document)?.Statement ?? []).map(asObject);
  return statements.some((statement) => {
    if (statement?.Effect !== 'Allow') return false;
    const principal = statement.Principal;
    const everyone =
      principal === '*' ||
      asObject(principal)?.AWS === '*' ||
      (asArray(asObject(principal)?.AWS).length === 0 && JSON.stringify(asObject(principal)?.AWS ?? '').includes('"*"'));
    if (!everyone) return false;
    const keys = Object.values(asObject(statement.Condition) ?? {}).flatMap((test) => Object.keys(asObject(test) ?? {}));
    return !keys.some((key) => RESTRICTING_KEYS.test(key));
  });
}

// Any range with prefix length 0 (0.0.0.0/0, ::/0, or an anonymized x.y.z.w/0) is the whole internet.
const WHOLE_INTERNET = /"[0-9a-fA-F:.]+\/0"/;

/** An EC2 permission `add` list: group "all" makes it public, a userId shares it with an account. */
function sharedWith(permission: Record<string, unknown> | undefined, what: string): Exposure | undefined {
  const added = asArray(asObject(permission?.add)?.items);
  if (added.some((item) => item.group === 'all')) return { what: `${what} made public`, to: 'world' };
  const accounts = added.map((item) => str(item.userId)).filter((account) => account !== undefined);
  return accounts.length > 0 ? { what: `${what} shared with account ${sanitize(accounts.join(', '), 60)}`, to: 'account' } : undefined;
}

export const publicExposure = defineRule<'cloudtrail'>({
  id: 'cloudtrail.public-exposure',
  title: 'Data or network opened to the world',
  description: 'Public buckets, snapshots and images, and internet-open security groups or network ACLs are how data leaves and attackers come back.',
  source: 'cloudtrail',
  objective: { tactic: 'Exfiltration (TA0010)', technique: 'T1537 Transfer Data to Cloud Account' },
  severity: 'high',
  watches: { calls: EXPOSING_CALLS },
  canMatch: (call) => EXPOSING_CALLS.includes(call),
  match(event) {
    if (!tookEffect(event)) return undefined;
    const exposure = exposureOf(event);
    if (exposure?.to !== 'world') return undefined;
    return {
      summary: `${describeCaller(event)} called ${callName(event)}: ${exposure.what}`,
      subject: cloudTrailSubject(event),
    };
  },
});
