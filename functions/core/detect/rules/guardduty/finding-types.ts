/**
 * Every GuardDuty finding type an Amazon EKS user receives, with the ATT&CK objective pivotguard
 * reads it as and the resource that ties it to the identity graph. The EventBridge rule that lets
 * findings in (lib/guardduty-pattern.ts) is derived from this table, so what the rules understand
 * is what the rule admits.
 *
 * Sources: the GuardDuty User Guide pages "EKS Protection finding types", "Runtime Monitoring
 * finding types", "IAM finding types", "EC2 finding types", "Malware Protection for EC2 finding
 * types", "Attack sequence finding types" and "Retired finding types".
 */

/** The GuardDuty feature that produces a finding type. */
export type FindingFamily = 'eks-audit' | 'runtime' | 'iam' | 'ec2' | 'malware' | 'attack-sequence';

/**
 * How a finding is tied to the graph: a pod (kubernetesWorkloadDetails), the EKS cluster alone,
 * a node (instanceDetails), a role session (accessKeyDetails), or an attack sequence.
 */
export type FindingResource = 'pod' | 'cluster' | 'node' | 'role' | 'sequence';

export interface GuardDutyFindingType {
  readonly type: string;
  readonly family: FindingFamily;
  readonly resource: FindingResource;
  readonly tactic: string;
  readonly technique: string;
}

export const TACTIC = {
  reconnaissance: 'Reconnaissance (TA0043)',
  initialAccess: 'Initial Access (TA0001)',
  execution: 'Execution (TA0002)',
  persistence: 'Persistence (TA0003)',
  privilegeEscalation: 'Privilege Escalation (TA0004)',
  defenseEvasion: 'Defense Evasion (TA0005)',
  credentialAccess: 'Credential Access (TA0006)',
  discovery: 'Discovery (TA0007)',
  commandAndControl: 'Command and Control (TA0011)',
  exfiltration: 'Exfiltration (TA0010)',
  impact: 'Impact (TA0040)',
} as const;

/** Attack sequences chain findings of several tactics; their technique comes from the description. */
export const ATTACK_SEQUENCE_TACTIC = 'Multiple tactics (attack sequence)';

const {
  reconnaissance,
  initialAccess,
  execution,
  persistence,
  privilegeEscalation,
  defenseEvasion,
  credentialAccess,
  discovery,
  commandAndControl,
  exfiltration,
  impact,
} = TACTIC;

// Spelled as the other rules spell them, so one technique seen by two sources is one objective.
const CONTAINER_API = 'T1552.007 Container API';
const INSTANCE_METADATA = 'T1552.005 Cloud Instance Metadata API';
const CLUSTER_ROLES = 'T1098.006 Account Manipulation: Additional Container Cluster Roles';
const CLOUD_ACCOUNTS = 'T1078.004 Valid Accounts: Cloud Accounts';
const CLOUD_LOGS = 'T1562.008 Impair Defenses: Disable or Modify Cloud Logs';
const CLOUD_DISCOVERY = 'T1580 Cloud Infrastructure Discovery';
const CONTAINER_DISCOVERY = 'T1613 Container and Resource Discovery';
const DATA_DESTRUCTION = 'T1485 Data Destruction';
const ESCAPE_TO_HOST = 'T1611 Escape to Host';
const RESOURCE_HIJACKING = 'T1496 Resource Hijacking';
const APPLICATION_PROTOCOL = 'T1071 Application Layer Protocol';
const DNS_PROTOCOL = 'T1071.004 Application Layer Protocol: DNS';
const DGA = 'T1568.002 Dynamic Resolution: Domain Generation Algorithms';
const MULTI_HOP_PROXY = 'T1090.003 Proxy: Multi-hop Proxy';
const EXFILTRATION_OVER_C2 = 'T1041 Exfiltration Over C2 Channel';
const MALICIOUS_FILE = 'T1204.002 User Execution: Malicious File';
const SCRIPTING_INTERPRETER = 'T1059 Command and Scripting Interpreter';
const INGRESS_TOOL_TRANSFER = 'T1105 Ingress Tool Transfer';
const NETWORK_SERVICE_DISCOVERY = 'T1046 Network Service Discovery';
const BRUTE_FORCE = 'T1110 Brute Force';
const NETWORK_DOS = 'T1498 Network Denial of Service';

export const GUARDDUTY_FINDING_TYPES: readonly GuardDutyFindingType[] = [
  // EKS Protection: Kubernetes audit log monitoring. Resource type EKSCluster.
  { type: 'CredentialAccess:Kubernetes/MaliciousIPCaller', family: 'eks-audit', resource: 'cluster', tactic: credentialAccess, technique: CONTAINER_API },
  {
    type: 'CredentialAccess:Kubernetes/MaliciousIPCaller.Custom',
    family: 'eks-audit',
    resource: 'cluster',
    tactic: credentialAccess,
    technique: CONTAINER_API,
  },
  {
    type: 'CredentialAccess:Kubernetes/SuccessfulAnonymousAccess',
    family: 'eks-audit',
    resource: 'cluster',
    tactic: credentialAccess,
    technique: CONTAINER_API,
  },
  { type: 'CredentialAccess:Kubernetes/TorIPCaller', family: 'eks-audit', resource: 'cluster', tactic: credentialAccess, technique: CONTAINER_API },
  {
    type: 'CredentialAccess:Kubernetes/AnomalousBehavior.SecretsAccessed',
    family: 'eks-audit',
    resource: 'cluster',
    tactic: credentialAccess,
    technique: CONTAINER_API,
  },
  // "APIs commonly used to evade defensive measures": hiding the attacker's actions in the cluster.
  {
    type: 'DefenseEvasion:Kubernetes/MaliciousIPCaller',
    family: 'eks-audit',
    resource: 'cluster',
    tactic: defenseEvasion,
    technique: 'T1070 Indicator Removal',
  },
  {
    type: 'DefenseEvasion:Kubernetes/MaliciousIPCaller.Custom',
    family: 'eks-audit',
    resource: 'cluster',
    tactic: defenseEvasion,
    technique: 'T1070 Indicator Removal',
  },
  {
    type: 'DefenseEvasion:Kubernetes/SuccessfulAnonymousAccess',
    family: 'eks-audit',
    resource: 'cluster',
    tactic: defenseEvasion,
    technique: 'T1070 Indicator Removal',
  },
  { type: 'DefenseEvasion:Kubernetes/TorIPCaller', family: 'eks-audit', resource: 'cluster', tactic: defenseEvasion, technique: 'T1070 Indicator Removal' },
  { type: 'Discovery:Kubernetes/MaliciousIPCaller', family: 'eks-audit', resource: 'cluster', tactic: discovery, technique: CONTAINER_DISCOVERY },
  { type: 'Discovery:Kubernetes/MaliciousIPCaller.Custom', family: 'eks-audit', resource: 'cluster', tactic: discovery, technique: CONTAINER_DISCOVERY },
  { type: 'Discovery:Kubernetes/SuccessfulAnonymousAccess', family: 'eks-audit', resource: 'cluster', tactic: discovery, technique: CONTAINER_DISCOVERY },
  { type: 'Discovery:Kubernetes/TorIPCaller', family: 'eks-audit', resource: 'cluster', tactic: discovery, technique: CONTAINER_DISCOVERY },
  // `kubectl auth can-i` for powerful permissions.
  {
    type: 'Discovery:Kubernetes/AnomalousBehavior.PermissionChecked',
    family: 'eks-audit',
    resource: 'cluster',
    tactic: discovery,
    technique: 'T1069 Permission Groups Discovery',
  },
  { type: 'Impact:Kubernetes/MaliciousIPCaller', family: 'eks-audit', resource: 'cluster', tactic: impact, technique: DATA_DESTRUCTION },
  { type: 'Impact:Kubernetes/MaliciousIPCaller.Custom', family: 'eks-audit', resource: 'cluster', tactic: impact, technique: DATA_DESTRUCTION },
  { type: 'Impact:Kubernetes/SuccessfulAnonymousAccess', family: 'eks-audit', resource: 'cluster', tactic: impact, technique: DATA_DESTRUCTION },
  { type: 'Impact:Kubernetes/TorIPCaller', family: 'eks-audit', resource: 'cluster', tactic: impact, technique: DATA_DESTRUCTION },
  // "APIs commonly used to obtain persistent access / high-level permissions" to the cluster.
  { type: 'Persistence:Kubernetes/MaliciousIPCaller', family: 'eks-audit', resource: 'cluster', tactic: persistence, technique: CLUSTER_ROLES },
  { type: 'Persistence:Kubernetes/MaliciousIPCaller.Custom', family: 'eks-audit', resource: 'cluster', tactic: persistence, technique: CLUSTER_ROLES },
  { type: 'Persistence:Kubernetes/SuccessfulAnonymousAccess', family: 'eks-audit', resource: 'cluster', tactic: persistence, technique: CLUSTER_ROLES },
  { type: 'Persistence:Kubernetes/TorIPCaller', family: 'eks-audit', resource: 'cluster', tactic: persistence, technique: CLUSTER_ROLES },
  {
    type: 'Policy:Kubernetes/AdminAccessToDefaultServiceAccount',
    family: 'eks-audit',
    resource: 'cluster',
    tactic: privilegeEscalation,
    technique: CLUSTER_ROLES,
  },
  // A binding for system:anonymous is a door left open for later, unauthenticated visits.
  { type: 'Policy:Kubernetes/AnonymousAccessGranted', family: 'eks-audit', resource: 'cluster', tactic: persistence, technique: CLUSTER_ROLES },
  { type: 'Policy:Kubernetes/ExposedDashboard', family: 'eks-audit', resource: 'cluster', tactic: initialAccess, technique: 'T1133 External Remote Services' },
  {
    type: 'Policy:Kubernetes/KubeflowDashboardExposed',
    family: 'eks-audit',
    resource: 'cluster',
    tactic: initialAccess,
    technique: 'T1133 External Remote Services',
  },
  {
    type: 'PrivilegeEscalation:Kubernetes/AnomalousBehavior.RoleBindingCreated',
    family: 'eks-audit',
    resource: 'cluster',
    tactic: privilegeEscalation,
    technique: CLUSTER_ROLES,
  },
  {
    type: 'PrivilegeEscalation:Kubernetes/AnomalousBehavior.RoleCreated',
    family: 'eks-audit',
    resource: 'cluster',
    tactic: privilegeEscalation,
    technique: CLUSTER_ROLES,
  },
  {
    type: 'Execution:Kubernetes/ExecInKubeSystemPod',
    family: 'eks-audit',
    resource: 'pod',
    tactic: execution,
    technique: 'T1609 Container Administration Command',
  },
  {
    type: 'Execution:Kubernetes/AnomalousBehavior.ExecInPod',
    family: 'eks-audit',
    resource: 'pod',
    tactic: execution,
    technique: 'T1609 Container Administration Command',
  },
  {
    type: 'Execution:Kubernetes/AnomalousBehavior.WorkloadDeployed',
    family: 'eks-audit',
    resource: 'pod',
    tactic: execution,
    technique: 'T1610 Deploy Container',
  },
  {
    type: 'PrivilegeEscalation:Kubernetes/AnomalousBehavior.WorkloadDeployed!PrivilegedContainer',
    family: 'eks-audit',
    resource: 'pod',
    tactic: privilegeEscalation,
    technique: ESCAPE_TO_HOST,
  },
  // A writable sensitive host path is a way onto the host, whatever GuardDuty's purpose label says.
  {
    type: 'PrivilegeEscalation:Kubernetes/AnomalousBehavior.WorkloadDeployed!ContainerWithSensitiveMount',
    family: 'eks-audit',
    resource: 'pod',
    tactic: privilegeEscalation,
    technique: ESCAPE_TO_HOST,
  },
  {
    type: 'Persistence:Kubernetes/AnomalousBehavior.WorkloadDeployed!ContainerWithSensitiveMount',
    family: 'eks-audit',
    resource: 'pod',
    tactic: privilegeEscalation,
    technique: ESCAPE_TO_HOST,
  },
  // Retired by GuardDuty, still present in exported findings.
  { type: 'PrivilegeEscalation:Kubernetes/PrivilegedContainer', family: 'eks-audit', resource: 'pod', tactic: privilegeEscalation, technique: ESCAPE_TO_HOST },
  { type: 'Persistence:Kubernetes/ContainerWithSensitiveMount', family: 'eks-audit', resource: 'pod', tactic: privilegeEscalation, technique: ESCAPE_TO_HOST },

  // Runtime Monitoring: the GuardDuty agent on the node, seeing a pod's container or the host.
  { type: 'Backdoor:Runtime/C&CActivity.B', family: 'runtime', resource: 'pod', tactic: commandAndControl, technique: APPLICATION_PROTOCOL },
  { type: 'Backdoor:Runtime/C&CActivity.B!DNS', family: 'runtime', resource: 'pod', tactic: commandAndControl, technique: DNS_PROTOCOL },
  { type: 'CryptoCurrency:Runtime/BitcoinTool.B', family: 'runtime', resource: 'pod', tactic: impact, technique: RESOURCE_HIJACKING },
  { type: 'CryptoCurrency:Runtime/BitcoinTool.B!DNS', family: 'runtime', resource: 'pod', tactic: impact, technique: RESOURCE_HIJACKING },
  // Code run from memory (memfd, /dev/shm) leaves no file to find.
  { type: 'DefenseEvasion:Runtime/FilelessExecution', family: 'runtime', resource: 'pod', tactic: defenseEvasion, technique: 'T1620 Reflective Code Loading' },
  {
    type: 'DefenseEvasion:Runtime/KernelModuleLoaded',
    family: 'runtime',
    resource: 'node',
    tactic: persistence,
    technique: 'T1547.006 Boot or Logon Autostart Execution: Kernel Modules and Extensions',
  },
  {
    type: 'DefenseEvasion:Runtime/ProcessInjection.Proc',
    family: 'runtime',
    resource: 'pod',
    tactic: defenseEvasion,
    technique: 'T1055.009 Process Injection: Proc Memory',
  },
  {
    type: 'DefenseEvasion:Runtime/ProcessInjection.Ptrace',
    family: 'runtime',
    resource: 'pod',
    tactic: defenseEvasion,
    technique: 'T1055.008 Process Injection: Ptrace System Calls',
  },
  {
    type: 'DefenseEvasion:Runtime/ProcessInjection.VirtualMemoryWrite',
    family: 'runtime',
    resource: 'pod',
    tactic: defenseEvasion,
    technique: 'T1055 Process Injection',
  },
  { type: 'DefenseEvasion:Runtime/PtraceAntiDebugging', family: 'runtime', resource: 'pod', tactic: defenseEvasion, technique: 'T1622 Debugger Evasion' },
  // System logs, audit configuration and shell history rewritten or removed.
  {
    type: 'DefenseEvasion:Runtime/SensitiveFileModified',
    family: 'runtime',
    resource: 'pod',
    tactic: defenseEvasion,
    technique: 'T1070.002 Indicator Removal: Clear Linux or Mac System Logs',
  },
  // Firewall rules, iptables, security services or LD_PRELOAD tampered with.
  { type: 'DefenseEvasion:Runtime/SuspiciousCommand', family: 'runtime', resource: 'pod', tactic: defenseEvasion, technique: 'T1562 Impair Defenses' },
  { type: 'Discovery:Runtime/SuspiciousCommand', family: 'runtime', resource: 'pod', tactic: discovery, technique: 'T1082 System Information Discovery' },
  { type: 'Execution:Runtime/MaliciousFileExecuted', family: 'runtime', resource: 'pod', tactic: execution, technique: MALICIOUS_FILE },
  { type: 'Execution:Runtime/MaliciousFileExecuted.Custom', family: 'runtime', resource: 'pod', tactic: execution, technique: MALICIOUS_FILE },
  // Container drift: a binary or library that was not in the image was brought in and run.
  { type: 'Execution:Runtime/NewBinaryExecuted', family: 'runtime', resource: 'pod', tactic: commandAndControl, technique: INGRESS_TOOL_TRANSFER },
  { type: 'Execution:Runtime/NewLibraryLoaded', family: 'runtime', resource: 'pod', tactic: commandAndControl, technique: INGRESS_TOOL_TRANSFER },
  { type: 'Execution:Runtime/ReverseShell', family: 'runtime', resource: 'pod', tactic: execution, technique: SCRIPTING_INTERPRETER },
  { type: 'Execution:Runtime/SuspiciousCommand', family: 'runtime', resource: 'pod', tactic: execution, technique: SCRIPTING_INTERPRETER },
  { type: 'Execution:Runtime/SuspiciousShellCreated', family: 'runtime', resource: 'pod', tactic: execution, technique: SCRIPTING_INTERPRETER },
  { type: 'Execution:Runtime/SuspiciousTool', family: 'runtime', resource: 'pod', tactic: execution, technique: SCRIPTING_INTERPRETER },
  { type: 'Impact:Runtime/AbusedDomainRequest.Reputation', family: 'runtime', resource: 'pod', tactic: commandAndControl, technique: DNS_PROTOCOL },
  { type: 'Impact:Runtime/BitcoinDomainRequest.Reputation', family: 'runtime', resource: 'pod', tactic: impact, technique: RESOURCE_HIJACKING },
  { type: 'Impact:Runtime/CryptoMinerExecuted', family: 'runtime', resource: 'pod', tactic: impact, technique: RESOURCE_HIJACKING },
  { type: 'Impact:Runtime/MaliciousDomainRequest.Reputation', family: 'runtime', resource: 'pod', tactic: commandAndControl, technique: DNS_PROTOCOL },
  { type: 'Impact:Runtime/SuspiciousDomainRequest.Reputation', family: 'runtime', resource: 'pod', tactic: commandAndControl, technique: DNS_PROTOCOL },
  // GuardDuty's leading example: a new authorized_keys entry.
  {
    type: 'Persistence:Runtime/SensitiveFileModified',
    family: 'runtime',
    resource: 'pod',
    tactic: persistence,
    technique: 'T1098.004 Account Manipulation: SSH Authorized Keys',
  },
  // A system service installed or changed, crontab modified, a user added.
  {
    type: 'Persistence:Runtime/SuspiciousCommand',
    family: 'runtime',
    resource: 'pod',
    tactic: persistence,
    technique: 'T1543 Create or Modify System Process',
  },
  {
    type: 'PrivilegeEscalation:Runtime/CGroupsReleaseAgentModified',
    family: 'runtime',
    resource: 'pod',
    tactic: privilegeEscalation,
    technique: ESCAPE_TO_HOST,
  },
  {
    type: 'PrivilegeEscalation:Runtime/ContainerMountsHostDirectory',
    family: 'runtime',
    resource: 'pod',
    tactic: privilegeEscalation,
    technique: ESCAPE_TO_HOST,
  },
  { type: 'PrivilegeEscalation:Runtime/DockerSocketAccessed', family: 'runtime', resource: 'pod', tactic: privilegeEscalation, technique: ESCAPE_TO_HOST },
  // Root gained through an unusual setuid binary.
  {
    type: 'PrivilegeEscalation:Runtime/ElevationToRoot',
    family: 'runtime',
    resource: 'pod',
    tactic: privilegeEscalation,
    technique: 'T1548.001 Abuse Elevation Control Mechanism: Setuid and Setgid',
  },
  { type: 'PrivilegeEscalation:Runtime/RuncContainerEscape', family: 'runtime', resource: 'pod', tactic: privilegeEscalation, technique: ESCAPE_TO_HOST },
  // sudoers, PAM and authentication files changed.
  {
    type: 'PrivilegeEscalation:Runtime/SensitiveFileModified',
    family: 'runtime',
    resource: 'pod',
    tactic: privilegeEscalation,
    technique: 'T1548.003 Abuse Elevation Control Mechanism: Sudo and Sudo Caching',
  },
  {
    type: 'PrivilegeEscalation:Runtime/SuspiciousCommand',
    family: 'runtime',
    resource: 'pod',
    tactic: privilegeEscalation,
    technique: 'T1548 Abuse Elevation Control Mechanism',
  },
  // userfaultfd widens kernel race windows, a common step of kernel exploits.
  {
    type: 'PrivilegeEscalation:Runtime/UserfaultfdUsage',
    family: 'runtime',
    resource: 'pod',
    tactic: privilegeEscalation,
    technique: 'T1068 Exploitation for Privilege Escalation',
  },
  { type: 'Trojan:Runtime/BlackholeTraffic', family: 'runtime', resource: 'pod', tactic: commandAndControl, technique: APPLICATION_PROTOCOL },
  { type: 'Trojan:Runtime/BlackholeTraffic!DNS', family: 'runtime', resource: 'pod', tactic: commandAndControl, technique: DNS_PROTOCOL },
  { type: 'Trojan:Runtime/DGADomainRequest.C!DNS', family: 'runtime', resource: 'pod', tactic: commandAndControl, technique: DGA },
  { type: 'Trojan:Runtime/DriveBySourceTraffic!DNS', family: 'runtime', resource: 'pod', tactic: initialAccess, technique: 'T1189 Drive-by Compromise' },
  // Drop points hold credentials and data stolen by malware.
  { type: 'Trojan:Runtime/DropPoint', family: 'runtime', resource: 'pod', tactic: exfiltration, technique: EXFILTRATION_OVER_C2 },
  { type: 'Trojan:Runtime/DropPoint!DNS', family: 'runtime', resource: 'pod', tactic: exfiltration, technique: EXFILTRATION_OVER_C2 },
  { type: 'Trojan:Runtime/PhishingDomainRequest!DNS', family: 'runtime', resource: 'pod', tactic: initialAccess, technique: 'T1566 Phishing' },
  { type: 'UnauthorizedAccess:Runtime/MetadataDNSRebind', family: 'runtime', resource: 'pod', tactic: credentialAccess, technique: INSTANCE_METADATA },
  { type: 'UnauthorizedAccess:Runtime/TorClient', family: 'runtime', resource: 'pod', tactic: commandAndControl, technique: MULTI_HOP_PROXY },
  { type: 'UnauthorizedAccess:Runtime/TorRelay', family: 'runtime', resource: 'pod', tactic: commandAndControl, technique: MULTI_HOP_PROXY },

  // IAM findings that fire on role sessions: a pod's IRSA or Pod Identity role, or a node's role.
  // GetSecretValue, BatchGetSecretValue, GetPasswordData, GenerateDbAuthToken.
  {
    type: 'CredentialAccess:IAMUser/AnomalousBehavior',
    family: 'iam',
    resource: 'role',
    tactic: credentialAccess,
    technique: 'T1555.006 Cloud Secrets Management Stores',
  },
  // StopLogging, DeleteFlowLogs, DisableAlarmActions.
  { type: 'DefenseEvasion:IAMUser/AnomalousBehavior', family: 'iam', resource: 'role', tactic: defenseEvasion, technique: CLOUD_LOGS },
  { type: 'DefenseEvasion:IAMUser/BedrockLoggingDisabled', family: 'iam', resource: 'role', tactic: defenseEvasion, technique: CLOUD_LOGS },
  { type: 'Discovery:IAMUser/AnomalousBehavior', family: 'iam', resource: 'role', tactic: discovery, technique: CLOUD_DISCOVERY },
  // PutBucketReplication, CreateSnapshot, RestoreDBInstanceFromDBSnapshot.
  { type: 'Exfiltration:IAMUser/AnomalousBehavior', family: 'iam', resource: 'role', tactic: exfiltration, technique: 'T1537 Transfer Data to Cloud Account' },
  { type: 'Impact:IAMUser/AnomalousBehavior', family: 'iam', resource: 'role', tactic: impact, technique: DATA_DESTRUCTION },
  { type: 'InitialAccess:IAMUser/AnomalousBehavior', family: 'iam', resource: 'role', tactic: initialAccess, technique: CLOUD_ACCOUNTS },
  { type: 'PenTest:IAMUser/KaliLinux', family: 'iam', resource: 'role', tactic: initialAccess, technique: CLOUD_ACCOUNTS },
  { type: 'PenTest:IAMUser/ParrotLinux', family: 'iam', resource: 'role', tactic: initialAccess, technique: CLOUD_ACCOUNTS },
  { type: 'PenTest:IAMUser/PentooLinux', family: 'iam', resource: 'role', tactic: initialAccess, technique: CLOUD_ACCOUNTS },
  // CreateAccessKey, ImportKeyPair.
  {
    type: 'Persistence:IAMUser/AnomalousBehavior',
    family: 'iam',
    resource: 'role',
    tactic: persistence,
    technique: 'T1098.001 Account Manipulation: Additional Cloud Credentials',
  },
  // AssociateIamInstanceProfile, AddUserToGroup, PutUserPolicy.
  {
    type: 'PrivilegeEscalation:IAMUser/AnomalousBehavior',
    family: 'iam',
    resource: 'role',
    tactic: privilegeEscalation,
    technique: 'T1098.003 Account Manipulation: Additional Cloud Roles',
  },
  { type: 'Recon:IAMUser/MaliciousIPCaller', family: 'iam', resource: 'role', tactic: discovery, technique: CLOUD_DISCOVERY },
  { type: 'Recon:IAMUser/MaliciousIPCaller.Custom', family: 'iam', resource: 'role', tactic: discovery, technique: CLOUD_DISCOVERY },
  { type: 'Recon:IAMUser/TorIPCaller', family: 'iam', resource: 'role', tactic: discovery, technique: CLOUD_DISCOVERY },
  { type: 'Stealth:IAMUser/CloudTrailLoggingDisabled', family: 'iam', resource: 'role', tactic: defenseEvasion, technique: CLOUD_LOGS },
  { type: 'Stealth:IAMUser/PasswordPolicyChange', family: 'iam', resource: 'role', tactic: defenseEvasion, technique: 'T1556 Modify Authentication Process' },
  // How a node's (or an IMDS-reaching pod's) stolen instance-role credentials show up.
  {
    type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.InsideAWS',
    family: 'iam',
    resource: 'role',
    tactic: credentialAccess,
    technique: INSTANCE_METADATA,
  },
  {
    type: 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS',
    family: 'iam',
    resource: 'role',
    tactic: credentialAccess,
    technique: INSTANCE_METADATA,
  },
  { type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller', family: 'iam', resource: 'role', tactic: initialAccess, technique: CLOUD_ACCOUNTS },
  { type: 'UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom', family: 'iam', resource: 'role', tactic: initialAccess, technique: CLOUD_ACCOUNTS },
  { type: 'UnauthorizedAccess:IAMUser/TorIPCaller', family: 'iam', resource: 'role', tactic: commandAndControl, technique: MULTI_HOP_PROXY },

  // EC2 findings about worker nodes (VPC flow logs and DNS logs of the instance).
  { type: 'Backdoor:EC2/C&CActivity.B', family: 'ec2', resource: 'node', tactic: commandAndControl, technique: APPLICATION_PROTOCOL },
  { type: 'Backdoor:EC2/C&CActivity.B!DNS', family: 'ec2', resource: 'node', tactic: commandAndControl, technique: DNS_PROTOCOL },
  { type: 'Backdoor:EC2/DenialOfService.Dns', family: 'ec2', resource: 'node', tactic: impact, technique: NETWORK_DOS },
  { type: 'Backdoor:EC2/DenialOfService.Tcp', family: 'ec2', resource: 'node', tactic: impact, technique: NETWORK_DOS },
  { type: 'Backdoor:EC2/DenialOfService.Udp', family: 'ec2', resource: 'node', tactic: impact, technique: NETWORK_DOS },
  { type: 'Backdoor:EC2/DenialOfService.UdpOnTcpPorts', family: 'ec2', resource: 'node', tactic: impact, technique: NETWORK_DOS },
  { type: 'Backdoor:EC2/DenialOfService.UnusualProtocol', family: 'ec2', resource: 'node', tactic: impact, technique: NETWORK_DOS },
  // Sending spam is the node's bandwidth put to someone else's use.
  { type: 'Backdoor:EC2/Spambot', family: 'ec2', resource: 'node', tactic: impact, technique: RESOURCE_HIJACKING },
  { type: 'Behavior:EC2/NetworkPortUnusual', family: 'ec2', resource: 'node', tactic: commandAndControl, technique: 'T1571 Non-Standard Port' },
  { type: 'Behavior:EC2/TrafficVolumeUnusual', family: 'ec2', resource: 'node', tactic: exfiltration, technique: EXFILTRATION_OVER_C2 },
  { type: 'CryptoCurrency:EC2/BitcoinTool.B', family: 'ec2', resource: 'node', tactic: impact, technique: RESOURCE_HIJACKING },
  { type: 'CryptoCurrency:EC2/BitcoinTool.B!DNS', family: 'ec2', resource: 'node', tactic: impact, technique: RESOURCE_HIJACKING },
  { type: 'DefenseEvasion:EC2/UnusualDNSResolver', family: 'ec2', resource: 'node', tactic: commandAndControl, technique: DNS_PROTOCOL },
  { type: 'DefenseEvasion:EC2/UnusualDoHActivity', family: 'ec2', resource: 'node', tactic: commandAndControl, technique: 'T1572 Protocol Tunneling' },
  { type: 'DefenseEvasion:EC2/UnusualDoTActivity', family: 'ec2', resource: 'node', tactic: commandAndControl, technique: 'T1572 Protocol Tunneling' },
  { type: 'Impact:EC2/AbusedDomainRequest.Reputation', family: 'ec2', resource: 'node', tactic: commandAndControl, technique: DNS_PROTOCOL },
  { type: 'Impact:EC2/BitcoinDomainRequest.Reputation', family: 'ec2', resource: 'node', tactic: impact, technique: RESOURCE_HIJACKING },
  { type: 'Impact:EC2/MaliciousDomainRequest.Custom', family: 'ec2', resource: 'node', tactic: commandAndControl, technique: DNS_PROTOCOL },
  { type: 'Impact:EC2/MaliciousDomainRequest.Reputation', family: 'ec2', resource: 'node', tactic: commandAndControl, technique: DNS_PROTOCOL },
  { type: 'Impact:EC2/PortSweep', family: 'ec2', resource: 'node', tactic: discovery, technique: NETWORK_SERVICE_DISCOVERY },
  { type: 'Impact:EC2/SuspiciousDomainRequest.Reputation', family: 'ec2', resource: 'node', tactic: commandAndControl, technique: DNS_PROTOCOL },
  { type: 'Impact:EC2/WinRMBruteForce', family: 'ec2', resource: 'node', tactic: credentialAccess, technique: BRUTE_FORCE },
  // Someone outside probes the node: reconnaissance before any access.
  { type: 'Recon:EC2/PortProbeUnprotectedPort', family: 'ec2', resource: 'node', tactic: reconnaissance, technique: 'T1595 Active Scanning' },
  { type: 'Recon:EC2/Portscan', family: 'ec2', resource: 'node', tactic: discovery, technique: NETWORK_SERVICE_DISCOVERY },
  { type: 'Trojan:EC2/BlackholeTraffic', family: 'ec2', resource: 'node', tactic: commandAndControl, technique: APPLICATION_PROTOCOL },
  { type: 'Trojan:EC2/BlackholeTraffic!DNS', family: 'ec2', resource: 'node', tactic: commandAndControl, technique: DNS_PROTOCOL },
  { type: 'Trojan:EC2/DGADomainRequest.B', family: 'ec2', resource: 'node', tactic: commandAndControl, technique: DGA },
  { type: 'Trojan:EC2/DGADomainRequest.C!DNS', family: 'ec2', resource: 'node', tactic: commandAndControl, technique: DGA },
  { type: 'Trojan:EC2/DNSDataExfiltration', family: 'ec2', resource: 'node', tactic: exfiltration, technique: 'T1048 Exfiltration Over Alternative Protocol' },
  { type: 'Trojan:EC2/DriveBySourceTraffic!DNS', family: 'ec2', resource: 'node', tactic: initialAccess, technique: 'T1189 Drive-by Compromise' },
  { type: 'Trojan:EC2/DropPoint', family: 'ec2', resource: 'node', tactic: exfiltration, technique: EXFILTRATION_OVER_C2 },
  { type: 'Trojan:EC2/DropPoint!DNS', family: 'ec2', resource: 'node', tactic: exfiltration, technique: EXFILTRATION_OVER_C2 },
  { type: 'Trojan:EC2/PhishingDomainRequest!DNS', family: 'ec2', resource: 'node', tactic: initialAccess, technique: 'T1566 Phishing' },
  { type: 'UnauthorizedAccess:EC2/MaliciousIPCaller.Custom', family: 'ec2', resource: 'node', tactic: commandAndControl, technique: APPLICATION_PROTOCOL },
  { type: 'UnauthorizedAccess:EC2/MetadataDNSRebind', family: 'ec2', resource: 'node', tactic: credentialAccess, technique: INSTANCE_METADATA },
  { type: 'UnauthorizedAccess:EC2/RDPBruteForce', family: 'ec2', resource: 'node', tactic: credentialAccess, technique: BRUTE_FORCE },
  { type: 'UnauthorizedAccess:EC2/SSHBruteForce', family: 'ec2', resource: 'node', tactic: credentialAccess, technique: BRUTE_FORCE },
  { type: 'UnauthorizedAccess:EC2/TorClient', family: 'ec2', resource: 'node', tactic: commandAndControl, technique: MULTI_HOP_PROXY },
  { type: 'UnauthorizedAccess:EC2/TorRelay', family: 'ec2', resource: 'node', tactic: commandAndControl, technique: MULTI_HOP_PROXY },

  // Malware Protection for EC2: a scan of the node's EBS volumes. Kubernetes types name the pod;
  // Container types are containers outside any cluster, on the node.
  { type: 'Execution:EC2/MaliciousFile', family: 'malware', resource: 'node', tactic: execution, technique: MALICIOUS_FILE },
  { type: 'Execution:EC2/SuspiciousFile', family: 'malware', resource: 'node', tactic: execution, technique: MALICIOUS_FILE },
  { type: 'Execution:Kubernetes/MaliciousFile', family: 'malware', resource: 'pod', tactic: execution, technique: MALICIOUS_FILE },
  { type: 'Execution:Kubernetes/SuspiciousFile', family: 'malware', resource: 'pod', tactic: execution, technique: MALICIOUS_FILE },
  { type: 'Execution:Container/MaliciousFile', family: 'malware', resource: 'node', tactic: execution, technique: MALICIOUS_FILE },
  { type: 'Execution:Container/SuspiciousFile', family: 'malware', resource: 'node', tactic: execution, technique: MALICIOUS_FILE },

  // Extended Threat Detection. The technique is the fallback when the description lists none.
  {
    type: 'AttackSequence:EKS/CompromisedCluster',
    family: 'attack-sequence',
    resource: 'sequence',
    tactic: ATTACK_SEQUENCE_TACTIC,
    technique: 'T1609 Container Administration Command',
  },
  {
    type: 'AttackSequence:EC2/CompromisedInstanceGroup',
    family: 'attack-sequence',
    resource: 'sequence',
    tactic: ATTACK_SEQUENCE_TACTIC,
    technique: SCRIPTING_INTERPRETER,
  },
  {
    type: 'AttackSequence:IAM/CompromisedCredentials',
    family: 'attack-sequence',
    resource: 'sequence',
    tactic: ATTACK_SEQUENCE_TACTIC,
    technique: CLOUD_ACCOUNTS,
  },
  // Credentials (a pod's role among them) used to exfiltrate or destroy S3 data.
  {
    type: 'AttackSequence:S3/CompromisedData',
    family: 'attack-sequence',
    resource: 'sequence',
    tactic: ATTACK_SEQUENCE_TACTIC,
    technique: 'T1530 Data from Cloud Storage',
  },
];
