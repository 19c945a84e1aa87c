/**
 * The CloudTrail event sources the rule pack and the identity graph read. The deployed
 * EventBridge rule is narrowed to these, so that per-event cost follows what is used.
 * A test keeps this list in step with the rules.
 */
export const WATCHED_EVENT_SOURCES = [
  'access-analyzer.amazonaws.com',
  'account.amazonaws.com',
  'billingconsole.amazonaws.com',
  'cloudtrail.amazonaws.com',
  'config.amazonaws.com',
  'ec2-instance-connect.amazonaws.com',
  'ec2.amazonaws.com',
  'ecr.amazonaws.com',
  'eks-auth.amazonaws.com',
  'eks.amazonaws.com',
  'es.amazonaws.com',
  'events.amazonaws.com',
  'glacier.amazonaws.com',
  'guardduty.amazonaws.com',
  'iam.amazonaws.com',
  'kms.amazonaws.com',
  'lambda.amazonaws.com',
  'logs.amazonaws.com',
  'macie2.amazonaws.com',
  'organizations.amazonaws.com',
  'rds.amazonaws.com',
  'rolesanywhere.amazonaws.com',
  'route53resolver.amazonaws.com',
  's3.amazonaws.com',
  'secretsmanager.amazonaws.com',
  'securityhub.amazonaws.com',
  'ses.amazonaws.com',
  'signin.amazonaws.com',
  'ssm.amazonaws.com',
  'sts.amazonaws.com',
  'waf-regional.amazonaws.com',
  'wafv2.amazonaws.com',
] as const;
