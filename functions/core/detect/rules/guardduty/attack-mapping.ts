import type { Objective } from '#core/model/signal';
import { ATTACK_SEQUENCE_TACTIC, GUARDDUTY_FINDING_TYPES, TACTIC } from './finding-types.ts';

const UNMAPPED = 'Unmapped';

const OBJECTIVE_BY_TYPE = new Map<string, Objective>(GUARDDUTY_FINDING_TYPES.map(({ type, tactic, technique }) => [type, { tactic, technique }]));

/**
 * For a type missing from the table (new, retired, or another service's): GuardDuty types read
 * ThreatPurpose:ResourceType/ThreatFamily, and the purpose names the tactic. A technique is given
 * only where the purpose alone implies one. Policy (a best-practice gap) names no attacker objective.
 */
const OBJECTIVE_BY_PURPOSE = new Map<string, Objective>([
  ['Backdoor', { tactic: TACTIC.commandAndControl, technique: 'T1071 Application Layer Protocol' }],
  ['Behavior', { tactic: TACTIC.commandAndControl, technique: UNMAPPED }],
  ['CredentialAccess', { tactic: TACTIC.credentialAccess, technique: UNMAPPED }],
  ['CryptoCurrency', { tactic: TACTIC.impact, technique: 'T1496 Resource Hijacking' }],
  ['DefenseEvasion', { tactic: TACTIC.defenseEvasion, technique: UNMAPPED }],
  ['Discovery', { tactic: TACTIC.discovery, technique: UNMAPPED }],
  ['Execution', { tactic: TACTIC.execution, technique: UNMAPPED }],
  ['Exfiltration', { tactic: TACTIC.exfiltration, technique: UNMAPPED }],
  ['Impact', { tactic: TACTIC.impact, technique: UNMAPPED }],
  ['InitialAccess', { tactic: TACTIC.initialAccess, technique: UNMAPPED }],
  ['PenTest', { tactic: TACTIC.initialAccess, technique: UNMAPPED }],
  ['Persistence', { tactic: TACTIC.persistence, technique: UNMAPPED }],
  ['PrivilegeEscalation', { tactic: TACTIC.privilegeEscalation, technique: UNMAPPED }],
  ['Recon', { tactic: TACTIC.reconnaissance, technique: UNMAPPED }],
  ['ResourceConsumption', { tactic: TACTIC.impact, technique: 'T1496 Resource Hijacking' }],
  ['Stealth', { tactic: TACTIC.defenseEvasion, technique: UNMAPPED }],
  ['Trojan', { tactic: TACTIC.commandAndControl, technique: UNMAPPED }],
  ['UnauthorizedAccess', { tactic: TACTIC.initialAccess, technique: UNMAPPED }],
]);

export function attackMappingFor(findingType: string, description: string): Objective {
  const purpose = findingType.split(':', 1)[0]!;
  if (purpose === 'AttackSequence') {
    // Attack sequences list the techniques they saw; the first is the one GuardDuty leads with.
    const listed = /\b(T\d{4}(?:\.\d{3})?) - ([^,\n]+)/.exec(description);
    return {
      tactic: ATTACK_SEQUENCE_TACTIC,
      technique: listed ? `${listed[1]} ${listed[2]!.trim()}` : (OBJECTIVE_BY_TYPE.get(findingType)?.technique ?? 'Multiple techniques'),
    };
  }
  return { ...(OBJECTIVE_BY_TYPE.get(findingType) ?? OBJECTIVE_BY_PURPOSE.get(purpose) ?? { tactic: UNMAPPED, technique: UNMAPPED }) };
}
