import { describe, expect, it } from 'vitest';
import { guardDutyFinding } from '../fixtures/records.ts';
import { signalsOf } from './detect-helpers.ts';
import { attackMappingFor } from '#core/detect/rules/guardduty/attack-mapping';

describe('guardduty.finding', () => {
  it('turns a runtime finding into a signal on its pod with an ATT&CK mapping', () => {
    const [signal] = signalsOf('guardduty.finding', guardDutyFinding());
    expect(signal).toMatchObject({
      title: 'GuardDuty Execution:Runtime/ReverseShell',
      severity: 'high',
      objective: { tactic: 'Execution (TA0002)', technique: 'T1059 Command and Scripting Interpreter' },
      subject: { cluster: 'prod-east', namespace: 'payments', pod: 'checkout-1', instanceId: 'i-0a1b2c3d4e5f60718' },
    });
    expect(signal!.summary).toMatch(/process \/bin\/sh/);
  });

  it('keeps the same signal id as the finding is updated, with a higher revision', () => {
    const first = signalsOf('guardduty.finding', guardDutyFinding())[0]!;
    const update = signalsOf(
      'guardduty.finding',
      guardDutyFinding({ updatedAt: '2026-11-21T02:40:00.000Z', service: { ...(guardDutyFinding().service as object), count: 3 } }),
    )[0]!;
    expect(update.id).toBe(first.id);
    expect(update.revision).toBeGreaterThan(first.revision!);
    expect(update.summary).toMatch(/seen 3 times/);
  });

  it('keeps archived and sample findings as low context rather than dropping them', () => {
    const archived = guardDutyFinding({ service: { ...(guardDutyFinding().service as object), archived: true } });
    expect(signalsOf('guardduty.finding', archived)[0]).toMatchObject({ severity: 'low', summary: expect.stringMatching(/archived in GuardDuty/) });
  });

  it('maps finding families to tactics and techniques', () => {
    expect(attackMappingFor('CryptoCurrency:Runtime/BitcoinTool.B!DNS', '')).toEqual({ tactic: 'Impact (TA0040)', technique: 'T1496 Resource Hijacking' });
    expect(attackMappingFor('UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS', '').technique).toBe(
      'T1552.005 Cloud Instance Metadata API',
    );
    expect(attackMappingFor('PrivilegeEscalation:Kubernetes/PrivilegedContainer', '').tactic).toBe('Privilege Escalation (TA0004)');
    expect(
      attackMappingFor('AttackSequence:IAM/CompromisedCredentials', 'techniques observed: T1562.008 - Impair Defenses: Disable or Modify Cloud Logs, T1098 - X')
        .technique,
    ).toBe('T1562.008 Impair Defenses: Disable or Modify Cloud Logs');
  });
});
