import type { Objective } from '#core/model/signal';

// GuardDuty finding types read ThreatPurpose:ResourceType/ThreatFamily; the purpose gives the tactic.
const TACTIC_BY_PURPOSE: Record<string, string> = {
  Backdoor: 'Command and Control (TA0011)',
  Behavior: 'Discovery (TA0007)',
  CredentialAccess: 'Credential Access (TA0006)',
  CryptoCurrency: 'Impact (TA0040)',
  DefenseEvasion: 'Defense Evasion (TA0005)',
  Discovery: 'Discovery (TA0007)',
  Execution: 'Execution (TA0002)',
  Exfiltration: 'Exfiltration (TA0010)',
  Impact: 'Impact (TA0040)',
  InitialAccess: 'Initial Access (TA0001)',
  Pentest: 'Discovery (TA0007)',
  Persistence: 'Persistence (TA0003)',
  Policy: 'Privilege Escalation (TA0004)',
  PrivilegeEscalation: 'Privilege Escalation (TA0004)',
  Recon: 'Reconnaissance (TA0043)',
  Stealth: 'Defense Evasion (TA0005)',
  Trojan: 'Command and Control (TA0011)',
  UnauthorizedAccess: 'Initial Access (TA0001)',
};

// First match wins: specific families before broad resource types.
const TECHNIQUE_BY_TYPE: [RegExp, string, string?][] = [
  [/InstanceCredentialExfiltration|MetadataDNSRebind/, 'T1552.005 Cloud Instance Metadata API', 'Credential Access (TA0006)'],
  [/ReverseShell/, 'T1059 Command and Scripting Interpreter'],
  [/CryptoCurrency|BitcoinTool|CryptoMinerExecuted/, 'T1496 Resource Hijacking', 'Impact (TA0040)'],
  [/ContainerMountsHostDirectory|PrivilegedContainer|DockerSocketAccessed|CGroupsReleaseAgent|RuncContainerEscape|ContainerEscape/, 'T1611 Escape to Host'],
  [/ElevationToRoot|SetuidBinary/, 'T1548 Abuse Elevation Control Mechanism'],
  [/NewBinaryExecuted|NewLibraryLoaded|ModifiedBinary|MaliciousFileExecuted|SuspiciousTool/, 'T1105 Ingress Tool Transfer'],
  [/ExecInKubeSystemPod|SuspiciousCommand/, 'T1609 Container Administration Command'],
  [/Anonymous/, 'T1078.001 Valid Accounts: Default Accounts'],
  [/Kubernetes\/.*(Secret|ServiceAccountToken)|CredentialAccess:Kubernetes/, 'T1552.007 Container API', 'Credential Access (TA0006)'],
  [/Discovery:Kubernetes|PermissionChecks/, 'T1613 Container and Resource Discovery'],
  [/CloudTrailLoggingDisabled|LoggingConfigurationModified|Stealth|DefenseEvasion/, 'T1562.008 Impair Defenses: Disable or Modify Cloud Logs'],
  [/Backdoor|C&C|Trojan|DGADomain|BlackholeTraffic|DropPoint/, 'T1071 Application Layer Protocol'],
  [/PortProbe|PortScan|Recon/, 'T1595 Active Scanning'],
  [/Exfiltration/, 'T1537 Transfer Data to Cloud Account'],
  [/Persistence:IAMUser|PrivilegeEscalation:IAMUser/, 'T1098 Account Manipulation'],
  [/IAMUser|TorIPCaller|MaliciousIPCaller|AnomalousBehavior/, 'T1078.004 Valid Accounts: Cloud Accounts'],
  [/PrivilegeEscalation:Kubernetes/, 'T1611 Escape to Host'],
];

export function attackMappingFor(findingType: string, description: string): Objective {
  const purpose = findingType.slice(0, findingType.indexOf(':'));
  if (purpose === 'AttackSequence') {
    // Attack sequences list the techniques they saw; the first is the one GuardDuty leads with.
    const technique = /\b(T\d{4}(?:\.\d{3})?) - ([^,\n]+)/.exec(description);
    return {
      tactic: 'Multiple tactics (attack sequence)',
      technique: technique ? `${technique[1]} ${technique[2]!.trim()}` : 'Multiple techniques',
    };
  }
  for (const [pattern, technique, tactic] of TECHNIQUE_BY_TYPE) {
    if (pattern.test(findingType)) return { tactic: tactic ?? TACTIC_BY_PURPOSE[purpose] ?? 'Unmapped', technique };
  }
  return { tactic: TACTIC_BY_PURPOSE[purpose] ?? 'Unmapped', technique: 'Unmapped' };
}
