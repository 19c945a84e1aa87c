import { describe, expect, it } from 'vitest';
import { attackMappingFor } from '#core/detect/rules/guardduty/attack-mapping';
import { ATTACK_SEQUENCE_TACTIC, GUARDDUTY_FINDING_TYPES } from '#core/detect/rules/guardduty/finding-types';
import {
  NODE_INSTANCE_ID,
  POD,
  ROLE_SESSION_KEY,
  findingFor,
  guardDutyEvent,
  nodeFinding,
  podFinding,
  roleSessionFinding,
} from '../fixtures/guardduty-finding-shapes.ts';
import { signalsOf } from './detect-helpers.ts';

const TYPE_FORMAT = /^[A-Za-z]+:[A-Za-z0-9]+\/[A-Za-z0-9.&!]+$/;
const TACTIC_FORMAT = /\(TA\d{4}\)$/;
const TECHNIQUE_FORMAT = /^T\d{4}(\.\d{3})? \S/;

const byType = (type: string) => GUARDDUTY_FINDING_TYPES.find((entry) => entry.type === type)!;

describe('the table of GuardDuty finding types', () => {
  it('names every type as ThreatPurpose:ResourceType/ThreatFamily, once', () => {
    const types = GUARDDUTY_FINDING_TYPES.map((entry) => entry.type);
    expect(types.filter((type) => !TYPE_FORMAT.test(type))).toEqual([]);
    expect(new Set(types).size).toBe(types.length);
  });

  it('gives every type an ATT&CK tactic and technique; attack sequences span several tactics', () => {
    for (const { type, family, tactic, technique } of GUARDDUTY_FINDING_TYPES) {
      expect(technique, type).toMatch(TECHNIQUE_FORMAT);
      if (family === 'attack-sequence') expect(tactic, type).toBe(ATTACK_SEQUENCE_TACTIC);
      else expect(tactic, type).toMatch(TACTIC_FORMAT);
    }
  });

  it('files each type under the feature its resource segment belongs to', () => {
    const segments = new Map<string, Set<string>>();
    for (const { type, family } of GUARDDUTY_FINDING_TYPES) {
      const segment = type.startsWith('AttackSequence:') ? 'AttackSequence' : type.slice(type.indexOf(':') + 1, type.indexOf('/'));
      segments.set(family, new Set([...(segments.get(family) ?? []), segment]));
    }
    expect(Object.fromEntries([...segments].map(([family, found]) => [family, [...found].sort()]))).toEqual({
      'eks-audit': ['Kubernetes'],
      runtime: ['Runtime'],
      iam: ['IAMUser'],
      ec2: ['EC2'],
      malware: ['Container', 'EC2', 'Kubernetes'],
      'attack-sequence': ['AttackSequence'],
    });
  });

  it('covers the findings an EKS user receives, and no S3, RDS, Lambda or ECS ones', () => {
    const types = new Set(GUARDDUTY_FINDING_TYPES.map((entry) => entry.type));
    for (const type of [
      'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
      'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.InsideAWS',
      'CredentialAccess:IAMUser/AnomalousBehavior',
      'Discovery:IAMUser/AnomalousBehavior',
      'UnauthorizedAccess:IAMUser/TorIPCaller',
      'UnauthorizedAccess:IAMUser/MaliciousIPCaller',
      'CryptoCurrency:EC2/BitcoinTool.B!DNS',
      'Backdoor:EC2/C&CActivity.B',
      'UnauthorizedAccess:EC2/MetadataDNSRebind',
      'Execution:EC2/MaliciousFile',
      'Execution:Kubernetes/MaliciousFile',
      'Execution:Container/MaliciousFile',
      'AttackSequence:EKS/CompromisedCluster',
      'AttackSequence:IAM/CompromisedCredentials',
      'AttackSequence:EC2/CompromisedInstanceGroup',
    ]) {
      expect(types.has(type), type).toBe(true);
    }
    expect([...types].filter((type) => /:(S3|RDS|Lambda|ECS)\//.test(type))).toEqual(['AttackSequence:S3/CompromisedData']);
  });
});

describe('attackMappingFor', () => {
  it('answers the table’s mapping for every type it lists', () => {
    for (const { type, tactic, technique } of GUARDDUTY_FINDING_TYPES) {
      expect(attackMappingFor(type, ''), type).toEqual({ tactic, technique });
    }
  });

  it('maps what GuardDuty describes', () => {
    expect(attackMappingFor('Execution:Kubernetes/ExecInKubeSystemPod', '')).toEqual({
      tactic: 'Execution (TA0002)',
      technique: 'T1609 Container Administration Command',
    });
    expect(attackMappingFor('Execution:Kubernetes/AnomalousBehavior.ExecInPod', '').technique).toBe('T1609 Container Administration Command');
    expect(attackMappingFor('UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS', '')).toEqual({
      tactic: 'Credential Access (TA0006)',
      technique: 'T1552.005 Cloud Instance Metadata API',
    });
    expect(attackMappingFor('UnauthorizedAccess:EC2/MetadataDNSRebind', '').technique).toBe('T1552.005 Cloud Instance Metadata API');
    for (const miner of ['CryptoCurrency:EC2/BitcoinTool.B!DNS', 'CryptoCurrency:Runtime/BitcoinTool.B', 'Impact:Runtime/CryptoMinerExecuted']) {
      expect(attackMappingFor(miner, ''), miner).toEqual({ tactic: 'Impact (TA0040)', technique: 'T1496 Resource Hijacking' });
    }
    expect(attackMappingFor('DefenseEvasion:Runtime/ProcessInjection.Ptrace', '')).toEqual({
      tactic: 'Defense Evasion (TA0005)',
      technique: 'T1055.008 Process Injection: Ptrace System Calls',
    });
    expect(attackMappingFor('PrivilegeEscalation:Runtime/RuncContainerEscape', '').technique).toBe('T1611 Escape to Host');
    expect(attackMappingFor('Discovery:Kubernetes/SuccessfulAnonymousAccess', '')).toEqual({
      tactic: 'Discovery (TA0007)',
      technique: 'T1613 Container and Resource Discovery',
    });
    expect(attackMappingFor('CredentialAccess:Kubernetes/AnomalousBehavior.SecretsAccessed', '').technique).toBe('T1552.007 Container API');
    expect(attackMappingFor('PenTest:IAMUser/KaliLinux', '').tactic).toBe('Initial Access (TA0001)');
  });

  it('falls back on the threat purpose for a type it does not list', () => {
    expect(attackMappingFor('CryptoCurrency:Runtime/SomethingNew', '')).toEqual({ tactic: 'Impact (TA0040)', technique: 'T1496 Resource Hijacking' });
    expect(attackMappingFor('Discovery:Kubernetes/SomethingNew', '')).toEqual({ tactic: 'Discovery (TA0007)', technique: 'Unmapped' });
    expect(attackMappingFor('PrivilegeEscalation:IAMUser/AdministrativePermissions', '').tactic).toBe('Privilege Escalation (TA0004)');
    expect(attackMappingFor('PenTest:S3/KaliLinux', '').tactic).toBe('Initial Access (TA0001)');
    expect(attackMappingFor('Policy:S3/BucketBlockPublicAccessDisabled', '')).toEqual({ tactic: 'Unmapped', technique: 'Unmapped' });
    expect(attackMappingFor('constructor', '')).toEqual({ tactic: 'Unmapped', technique: 'Unmapped' });
  });

  it('takes an attack sequence’s technique from its description, else the table’s', () => {
    const description = 'techniques observed: T1562.008 - Impair Defenses: Disable or Modify Cloud Logs, T1098 - Account Manipulation';
    expect(attackMappingFor('AttackSequence:IAM/CompromisedCredentials', description)).toEqual({
      tactic: ATTACK_SEQUENCE_TACTIC,
      technique: 'T1562.008 Impair Defenses: Disable or Modify Cloud Logs',
    });
    expect(attackMappingFor('AttackSequence:EKS/CompromisedCluster', '')).toEqual({
      tactic: ATTACK_SEQUENCE_TACTIC,
      technique: byType('AttackSequence:EKS/CompromisedCluster').technique,
    });
    expect(attackMappingFor('AttackSequence:Lambda/SomethingNew', '').tactic).toBe(ATTACK_SEQUENCE_TACTIC);
  });
});

describe('guardduty.finding on each finding shape', () => {
  it('turns every finding type of the table, on the resource it names, into one signal with the table’s mapping', () => {
    for (const entry of GUARDDUTY_FINDING_TYPES) {
      const signals = signalsOf('guardduty.finding', guardDutyEvent(findingFor(entry)));
      expect(signals, entry.type).toHaveLength(1);
      if (entry.family !== 'attack-sequence') expect(signals[0]!.objective, entry.type).toEqual({ tactic: entry.tactic, technique: entry.technique });
    }
  });

  it('ties a finding on a pod to its namespace, pod and node', () => {
    const [signal] = signalsOf('guardduty.finding', guardDutyEvent(podFinding('Execution:Runtime/ReverseShell', 'runtime')));
    expect(signal!.subject).toMatchObject({ cluster: 'prod-east', namespace: POD.namespace, pod: POD.name, instanceId: NODE_INSTANCE_ID });
  });

  it('ties EC2 and malware findings on a worker node to its instance', () => {
    for (const detail of [
      nodeFinding('CryptoCurrency:EC2/BitcoinTool.B!DNS', { family: 'ec2' }),
      nodeFinding('Execution:EC2/MaliciousFile', { family: 'malware' }),
    ]) {
      const [signal] = signalsOf('guardduty.finding', guardDutyEvent(detail));
      expect(signal!.subject.instanceId).toBe(NODE_INSTANCE_ID);
    }
  });

  it('ties an IAM finding to the role session’s access key', () => {
    const [signal] = signalsOf('guardduty.finding', guardDutyEvent(roleSessionFinding('UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS')));
    expect(signal!.subject).toMatchObject({ accessKeyId: ROLE_SESSION_KEY, sourceIp: '198.51.100.23' });
    expect(signal!.objective.technique).toBe('T1552.005 Cloud Instance Metadata API');
  });
});
