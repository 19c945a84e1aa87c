import { GUARDDUTY_FINDING_TYPES } from '#core/detect/rules/guardduty/finding-types';

/**
 * Which pivotguard rules answer the question each labelled family asks. Panther's and Falco's
 * labels are per rule: a record marked "false" for "AMI made public" may rightly fire another
 * rule (an AMI shared with one account), so a record is judged only against the rules that
 * claim its family. A family is claimed when a rule's description names what it asks; families
 * that ask a broader question (any security-group change, anything in IAM, any Lambda CRUD)
 * or one no rule names (RDS operations, S3 objects, brute-force counts) are outside the pack,
 * and their records are listed as such.
 */
const ANY = '*';

const families: Record<string, string[]> = {
  // EKS audit (Panther)
  'Amazon.EKS.AnonymousAPIAccess': ['eks-audit.anonymous-access'],
  'Kubernetes.API.AnonymousAccess': ['eks-audit.anonymous-access'],
  'Amazon.EKS.Audit.Multiple403': ['eks-audit.forbidden-api-call', 'eks-audit.permission-enumeration'],
  'Kubernetes.API.Multiple403.PublicIP': ['eks-audit.forbidden-api-call', 'eks-audit.permission-enumeration'],
  'Kubernetes.Secret.AccessDenied': ['eks-audit.forbidden-api-call'],
  'Amazon.EKS.Audit.SystemNamespaceFromPublicIP': ['eks-audit.system-principal-public-ip'],
  'Kubernetes.System.Principal.PublicIP': ['eks-audit.system-principal-public-ip'],
  'Kubernetes.AdmissionController.Created': ['eks-audit.admission-webhook-change'],
  'Kubernetes.ClusterRoleBinding.Privileged': ['eks-audit.privileged-binding'],
  'Kubernetes.CronJob.CreatedOrModified': ['eks-audit.kube-system-workload'],
  'Kubernetes.DaemonSet.Created': ['eks-audit.kube-system-workload', 'eks-audit.kube-system-host-daemonset'],
  'Kubernetes.ClientCertificate.Created': ['eks-audit.client-certificate'],
  'Kubernetes.Pod.SystemNamespace': ['eks-audit.kube-system-workload'],
  'Kubernetes.Pod.Exec': ['eks-audit.exec-into-pod'],
  'Kubernetes.Kubectl.CP.Operation': ['eks-audit.exec-into-pod'],
  'Kubernetes.Pod.Dangerous.Capabilities': ['eks-audit.privileged-pod'],
  'Kubernetes.Pod.Host.IPC': ['eks-audit.privileged-pod'],
  'Kubernetes.Pod.Host.Network': ['eks-audit.privileged-pod'],
  'Kubernetes.Pod.Host.PID': ['eks-audit.privileged-pod'],
  'Kubernetes.Pod.HostPath.Volume': ['eks-audit.privileged-pod'],
  'Kubernetes.Pod.Privileged.Created': ['eks-audit.privileged-pod'],
  'Kubernetes.Role.NodeProxyPermissions': ['eks-audit.risky-role'],
  'Kubernetes.Role.PodExec': ['eks-audit.risky-role'],
  'Kubernetes.Role.Wildcard': ['eks-audit.risky-role'],
  'Kubernetes.Role.WritePermissions': ['eks-audit.risky-role'],
  'Kubernetes.BulkSecretAccess': ['eks-audit.secrets-access'],
  'Kubernetes.Secrets.DumpAllNamespaces': ['eks-audit.secrets-access'],
  'Kubernetes.ServiceAccount.TokenCreated': ['eks-audit.service-account-token'],
  // Reading the token is done through exec, which exec-into-pod claims whatever the command.
  'Kubernetes.Pod.StealServiceAccountToken': ['eks-audit.service-account-token', 'eks-audit.exec-into-pod'],
  'Kubernetes.SystemRole.Modified': ['eks-audit.system-role-tampering'],
  // EKS audit (Falco's strong rules; the rest of Falco's labels are left out by labels.ts)
  'Create Privileged Pod': ['eks-audit.privileged-pod'],
  'Create Sensitive Mount Pod': ['eks-audit.privileged-pod'],
  'Create HostNetwork Pod': ['eks-audit.privileged-pod'],
  'Attach/Exec Pod': ['eks-audit.exec-into-pod'],
  'Attach to cluster-admin Role': ['eks-audit.privileged-binding'],
  'ClusterRole With Wildcard Created': ['eks-audit.risky-role'],
  'ClusterRole With Pod Exec Created': ['eks-audit.risky-role'],
  'ClusterRole With Write Privileges Created': ['eks-audit.risky-role'],
  'Anonymous Request Allowed': ['eks-audit.anonymous-access'],
  'Pod Created in Kube Namespace': ['eks-audit.kube-system-workload'],
  'Service Account Created in Kube Namespace': ['eks-audit.kube-system-workload'],
  'System ClusterRole Modified/Deleted': ['eks-audit.system-role-tampering'],
  // Records no default Falco rule flags, and benign workshop records: no rule may fire.
  'no default Falco rule': [ANY],
  'EKS Pod Identity workshop': [ANY],
  // CloudTrail (Panther)
  'AWS.Lambda.UpdateFunctionConfiguration': ['cloudtrail.lambda-change'],
  'AWS.Lambda.UpdateFunctionCode': ['cloudtrail.lambda-change'],
  'AWS.Potential.Backdoor.Lambda': ['cloudtrail.lambda-change'],
  'AWS.CloudTrail.AMIModifiedForPublicAccess': ['cloudtrail.public-exposure'],
  'AWS.CloudTrail.ResourceMadePublic': ['cloudtrail.public-exposure'],
  'AWS.CloudTrail.SnapshotMadePublic': ['cloudtrail.public-exposure', 'cloudtrail.cross-account-share'],
  'AWS.CloudTrail.NetworkACLPermissiveEntry': ['cloudtrail.public-exposure'],
  'AWS.S3.DeletePublicAccessBlock': ['cloudtrail.public-exposure'],
  'AWS.RDS.InstanceMadePublic': ['cloudtrail.public-exposure'],
  'AWS.RDS.PublicRestore': ['cloudtrail.public-exposure'],
  'AWS.RDS.SnapshotShared': ['cloudtrail.public-exposure', 'cloudtrail.cross-account-share'],
  'AWS.CloudTrail.Account.Discovery': ['cloudtrail.discovery'],
  'AWS.IAM.Group.Read.Only.Events': ['cloudtrail.discovery'],
  'AWS.CloudTrail.SES.CheckIdentityVerifications': ['cloudtrail.discovery'],
  'AWS.CloudTrail.SES.CheckSendQuota': ['cloudtrail.discovery'],
  'AWS.CloudTrail.SES.CheckSESSendingEnabled': ['cloudtrail.discovery'],
  'AWS.CloudTrail.SES.ListIdentities': ['cloudtrail.discovery'],
  'AWS.STS.GetCallerIdentity.TruffleHog': ['cloudtrail.discovery'],
  'AWS.STS.GetSessionToken.Misuse': ['cloudtrail.temporary-credentials-minted'],
  'AWS.CloudTrail.UnauthorizedAPICall': ['cloudtrail.access-denied', 'cloudtrail.discovery'],
  'AWS.IAMUser.ReconAccessDenied': ['cloudtrail.access-denied', 'cloudtrail.discovery'],
  'AWS.CloudTrail.AttemptToLeaveOrg': ['cloudtrail.defense-evasion'],
  'AWS.CloudTrail.EventSelectorsDisabled': ['cloudtrail.defense-evasion'],
  'AWS.CloudTrail.Stopped': ['cloudtrail.defense-evasion'],
  'AWS.ConfigService.DisabledDeleted': ['cloudtrail.defense-evasion'],
  'AWS.CloudTrail.DNSLogsDeleted': ['cloudtrail.defense-evasion'],
  'AWS.CloudTrail.SecurityConfigurationChange': ['cloudtrail.defense-evasion'],
  'AWS.VPCFlow.LogsDeleted': ['cloudtrail.defense-evasion'],
  'AWS.Macie.Evasion': ['cloudtrail.defense-evasion'],
  'AWS.SecurityHub.Finding.Evasion': ['cloudtrail.defense-evasion'],
  'AWS.WAF.Disassociation': ['cloudtrail.defense-evasion'],
  'AWS.CloudTrail.LoginProfileCreatedOrModified': ['cloudtrail.iam-privilege-change'],
  'AWS.User.Login.Profile.Modified': ['cloudtrail.iam-privilege-change'],
  'AWS.IAM.AttachAdminRolePolicy': ['cloudtrail.iam-privilege-change'],
  'AWS.IAM.AttachAdminUserPolicy': ['cloudtrail.iam-privilege-change'],
  'AWS.IAM.BackdoorRole': ['cloudtrail.iam-privilege-change'],
  'AWS.IAM.CreateRole': ['cloudtrail.iam-privilege-change'],
  'AWS.IAM.CreateUser': ['cloudtrail.iam-privilege-change'],
  'Standard.NewUserAccountCreated': ['cloudtrail.iam-privilege-change'],
  'AWS.IAM.Backdoor.User.Keys': ['cloudtrail.iam-privilege-change'],
  'AWS.CloudTrail.IAMEntityCreatedWithoutCloudFormation': ['cloudtrail.iam-privilege-change'],
  'AWS.Console.RootLogin': ['cloudtrail.root-activity'],
  'AWS.Console.RootLoginFailed': ['cloudtrail.root-activity'],
  'AWS.Root.Activity': ['cloudtrail.root-activity'],
  'AWS.CloudTrail.RootPasswordChanged': ['cloudtrail.root-activity'],
  'AWS.CloudTrail.RootAccessKeyCreated': ['cloudtrail.root-activity'],
  'AWS.Console.LoginWithoutMFA': ['cloudtrail.console-login-without-mfa'],
  'AWS.EC2.DownloadInstanceUserData': ['cloudtrail.instance-secrets'],
  'AWS.EC2.ManyPasswordReadAttempts': ['cloudtrail.instance-secrets'],
  'AWS.EC2.LaunchUnusualEC2Instances': ['cloudtrail.expensive-launch'],
  'AWS.EC2.MultiInstanceConnect': ['cloudtrail.remote-execution'],
  'AWS.SSM.DistributedCommand': ['cloudtrail.remote-execution'],
  'AWS.EC2.Startup.Script.Change': ['cloudtrail.remote-execution'],
  'AWS.EC2.Traffic.Mirroring': ['cloudtrail.traffic-mirroring'],
  'AWS.KMS.CustomerManagedKeyLoss': ['cloudtrail.key-destruction'],
  'AWS.S3.SecurityControlDisabling': ['cloudtrail.s3-protection-removed'],
  'AWS.S3.DeleteBucketEncryption': ['cloudtrail.s3-protection-removed'],
  'AWS.S3.DeleteBucketReplication': ['cloudtrail.s3-protection-removed'],
  'AWS.S3.DisableBucketLogging': ['cloudtrail.s3-protection-removed'],
  'AWS.S3.DisableMfaDelete': ['cloudtrail.s3-protection-removed'],
  'AWS.S3.SuspendVersioning': ['cloudtrail.s3-protection-removed'],
  'AWS.SecretsManager.RetrieveSecrets': ['cloudtrail.secret-read'],
  'AWS.SecretsManager.BatchRetrieveSecrets': ['cloudtrail.secret-read'],
  'AWS.SecretsManager.BatchRetrieveSecretsCatchAll': ['cloudtrail.secret-read'],
  'AWS.SecretsManager.RetrieveSecretsMultiRegion': ['cloudtrail.secret-read'],
  'AWS.SSM.DecryptSSMParams': ['cloudtrail.secret-read'],
  // GuardDuty: every finding of a type in the finding-type table alerts, unless it is a sample or archived
  'AWS.GuardDuty.CriticalSeverityFinding': ['guardduty.finding'],
  'AWS.GuardDuty.HighSeverityFinding': ['guardduty.finding'],
  'AWS.GuardDuty.MediumSeverityFinding': ['guardduty.finding'],
  'AWS.GuardDuty.LowSeverityFinding': ['guardduty.finding'],
  'PrivilegeEscalation:Kubernetes/PrivilegedContainer': ['guardduty.finding'],
};

/** The family under which the eval's findings of the finding-type table are tallied. */
export function tableFamily(findingFamily: string): string {
  return `finding-type table: ${findingFamily}`;
}
for (const { family } of GUARDDUTY_FINDING_TYPES) families[tableFamily(family)] = ['guardduty.finding'];

/** Every rule id a family names, so a renamed rule cannot leave its families silently unanswered. */
export function claimingRules(): Set<string> {
  return new Set(Object.values(families).flatMap((rules) => rules.filter((rule) => rule !== ANY)));
}

/** The rules that answer a family's question; undefined when the family is outside the pack. */
export function rulesFor(family: string): string[] | undefined {
  return families[family];
}

/** Whether one of the rules that fired answers the family's question. */
export function answers(expected: string[], fired: string[]): boolean {
  return expected.includes(ANY) ? fired.length > 0 : fired.some((rule) => expected.includes(rule));
}

/**
 * Labels we believe are wrong for what pivotguard watches, with why. A disputed record is still
 * tallied as its label says, unless another family labels the very same event the other way for
 * one of the same rules (evaluate.ts): then that label settles it. Keyed by file, family and the
 * source's test name or event id.
 */
const disputed: { file: string; family: string; test: string; reason: string }[] = [
  {
    file: 'cloudtrail/aws-samples_eks-security-immersion-day_pod-identity.jsonl',
    family: 'EKS Pod Identity workshop',
    test: 'eaef7c6d',
    reason:
      'AssumeRoleForPodIdentity run by hand with the AWS CLI from a node: benign in the workshop, but exactly the call by "anything but the Pod Identity agent" that a thief on a node would make',
  },
  ...['Root Activity - CreateServiceLinkedRole', 'Root Read-Only Enumeration'].map((test) => ({
    file: 'cloudtrail/panther-analysis_rule-tests.jsonl',
    family: 'AWS.Root.Activity',
    test,
    reason: 'pivotguard flags every root call a person makes, as the CIS AWS Foundations root-usage alarm does; reads and service-linked roles included',
  })),
  {
    file: 'cloudtrail/panther-analysis_rule-tests.jsonl',
    family: 'AWS.CloudTrail.RootAccessKeyCreated',
    test: 'Root Created Access Key For User',
    reason:
      "root creating a key for a user is still root use (CIS root-usage alarm) and a new key (IAM persistence); the label only says the key is not root's own",
  },
  {
    file: 'cloudtrail/panther-analysis_rule-tests.jsonl',
    family: 'AWS.Console.RootLoginFailed',
    test: 'Successful Login',
    reason: "a successful root sign-in is root use (AWS.Console.RootLogin's positive); the label only says it did not fail",
  },
  ...['AWS.IAM.CreateRole', 'AWS.IAM.CreateUser'].map((family) => ({
    file: 'cloudtrail/panther-analysis_rule-tests.jsonl',
    family,
    test: family === 'AWS.IAM.CreateRole' ? 'IAM Role Not Created' : 'IAM User Not Created',
    reason: "the record attaches AdministratorAccess to a user (AWS.IAM.AttachAdminUserPolicy's positive); the label only says nothing was created",
  })),
  ...['AWS.S3.DisableMfaDelete', 'AWS.S3.SuspendVersioning'].map((family) => ({
    file: 'cloudtrail/panther-analysis_rule-tests.jsonl',
    family,
    test: 'Different S3 Event',
    reason: "the record deletes bucket encryption (AWS.S3.DeleteBucketEncryption's positive); the label only says it is another call",
  })),
  {
    file: 'cloudtrail/panther-analysis_rule-tests.jsonl',
    family: 'AWS.SSM.DistributedCommand',
    test: 'Single Command Send, No Cached IDs',
    reason: 'a shell command sent to an instance is remote execution, recorded as low context; the label asks only about commands to many instances',
  },
];

export function disputeOf(file: string, family: string, testOrEventId: string | undefined): string | undefined {
  const name = file.split('/').slice(-2).join('/');
  return disputed.find((entry) => entry.file === name && entry.family === family && testOrEventId?.startsWith(entry.test))?.reason;
}
