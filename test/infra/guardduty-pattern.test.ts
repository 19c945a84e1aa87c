import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { describe, expect, it } from 'vitest';
import { GUARDDUTY_FINDINGS_PATTERN } from '../../lib/guardduty-pattern.ts';
import { GUARDDUTY_FINDING_TYPES } from '#core/detect/rules/guardduty/finding-types';
import { matchesPattern } from '../support/event-pattern.ts';
import { cloudTrailRecord, eventBridge } from '../fixtures/records.ts';
import {
  MANAGED_NODE_TAGS,
  UNTAGGED_INSTANCE_TAGS,
  attackSequenceFinding,
  clusterFinding,
  findingFor,
  guardDutyEvent,
  nodeFinding,
  podFinding,
  rdsFinding,
  roleSessionFinding,
  s3Finding,
} from '../fixtures/guardduty-finding-shapes.ts';

/** The pattern as CloudFormation receives it (`detailType` rendered as `detail-type`). */
function renderedPattern(): Record<string, unknown> {
  const stack = new Stack(new App(), 'Pattern');
  new events.Rule(stack, 'Findings', { eventPattern: GUARDDUTY_FINDINGS_PATTERN });
  const [rule] = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule'));
  return rule!.Properties.EventPattern as Record<string, unknown>;
}

const pattern = renderedPattern();
const delivered = (event: unknown) => matchesPattern(pattern, event);

describe('the GuardDuty findings rule', () => {
  it.each([
    ['a Kubernetes audit finding on an EKS cluster', clusterFinding('Discovery:Kubernetes/SuccessfulAnonymousAccess')],
    ['an anomalous exec in a pod', podFinding('Execution:Kubernetes/AnomalousBehavior.ExecInPod', 'eks-audit')],
    ['a Runtime finding on a pod', podFinding('Execution:Runtime/ReverseShell', 'runtime')],
    ['a Runtime finding on a node', nodeFinding('DefenseEvasion:Runtime/KernelModuleLoaded', { family: 'runtime' })],
    ['a Runtime type the table does not know yet, on a pod', podFinding('Execution:Runtime/SomethingNew', 'runtime')],
    ['stolen node-role credentials used outside AWS', roleSessionFinding('UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS')],
    ['stolen node-role credentials used from another account', roleSessionFinding('UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.InsideAWS')],
    ['anomalous credential access by an assumed role', roleSessionFinding('CredentialAccess:IAMUser/AnomalousBehavior')],
    ['an API call from Tor with a role session', roleSessionFinding('UnauthorizedAccess:IAMUser/TorIPCaller')],
    ['an EC2 finding on a node tagged eks:cluster-name', nodeFinding('CryptoCurrency:EC2/BitcoinTool.B!DNS', { family: 'ec2' })],
    [
      'an EC2 finding on a node tagged aws:eks:cluster-name',
      nodeFinding('Backdoor:EC2/C&CActivity.B', { family: 'ec2', tags: [{ key: 'aws:eks:cluster-name', value: 'prod-east' }] }),
    ],
    [
      'an EC2 finding on a Karpenter node (eks:eks-cluster-name)',
      nodeFinding('UnauthorizedAccess:EC2/MetadataDNSRebind', { family: 'ec2', tags: [{ key: 'eks:eks-cluster-name', value: 'prod-east' }] }),
    ],
    ['a malware finding on a node', nodeFinding('Execution:EC2/MaliciousFile', { family: 'malware' })],
    ['a malware finding on a pod', podFinding('Execution:Kubernetes/MaliciousFile', 'malware')],
    ['an attack sequence on an EKS cluster', attackSequenceFinding('AttackSequence:EKS/CompromisedCluster')],
    ['an attack sequence of compromised credentials', attackSequenceFinding('AttackSequence:IAM/CompromisedCredentials')],
  ])('delivers %s', (_case, detail) => {
    expect(delivered(guardDutyEvent(detail))).toBe(true);
  });

  it.each([
    ['an EC2 finding on an instance without EKS tags', nodeFinding('CryptoCurrency:EC2/BitcoinTool.B!DNS', { family: 'ec2', tags: UNTAGGED_INSTANCE_TAGS })],
    ['a malware finding on an instance without EKS tags', nodeFinding('Execution:EC2/MaliciousFile', { family: 'malware', tags: [] })],
    ['an IAM finding on an IAM user key', roleSessionFinding('CredentialAccess:IAMUser/AnomalousBehavior', 'IAMUser')],
    ['an IAM finding on the root user', roleSessionFinding('UnauthorizedAccess:IAMUser/MaliciousIPCaller', 'Root')],
    ['a console sign-in finding on a role session', roleSessionFinding('UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B')],
    ['Lambda credentials used outside AWS', roleSessionFinding('UnauthorizedAccess:IAMUser/ResourceCredentialExfiltration.OutsideAWS')],
    ['an S3 finding, even on a role session', s3Finding()],
    ['an RDS finding', rdsFinding()],
    ['an attack sequence on an ECS cluster', attackSequenceFinding('AttackSequence:ECS/CompromisedCluster')],
  ])('leaves out %s', (_case, detail) => {
    expect(delivered(guardDutyEvent(detail))).toBe(false);
  });

  it('leaves out events that are not GuardDuty findings', () => {
    const podOnNode = podFinding('Execution:Runtime/ReverseShell', 'runtime');
    const configuredGuardDuty = cloudTrailRecord({ eventSource: 'guardduty.amazonaws.com', eventName: 'UpdateDetector' });
    expect(delivered(eventBridge('AWS API Call via CloudTrail', 'aws.guardduty', configuredGuardDuty, '2026-11-21T02:14:24Z'))).toBe(false);
    expect(delivered(eventBridge('Security Hub Findings - Imported', 'aws.securityhub', { findings: [podOnNode] }, '2026-11-21T02:14:24Z'))).toBe(false);
    expect(
      delivered(
        eventBridge(
          'EC2 Instance State-change Notification',
          'aws.ec2',
          { 'instance-id': 'i-0a1b2c3d4e5f60718', state: 'running', tags: MANAGED_NODE_TAGS },
          '2026-11-21T02:14:24Z',
        ),
      ),
    ).toBe(false);
    expect(delivered({ ...guardDutyEvent(podOnNode), source: 'custom.guardduty' })).toBe(false);
  });

  it('delivers every finding type of the table on the resource it names', () => {
    const refused = GUARDDUTY_FINDING_TYPES.filter((entry) => !delivered(guardDutyEvent(findingFor(entry)))).map((entry) => entry.type);
    expect(refused).toEqual([]);
  });

  it('fits in the 2048 characters EventBridge allows a pattern by default', () => {
    expect(JSON.stringify(pattern).length).toBeLessThan(2048);
  });
});
