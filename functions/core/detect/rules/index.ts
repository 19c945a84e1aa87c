import { execIntoPod } from './eks-audit/exec-into-pod.ts';
import { secretsAccess } from './eks-audit/secrets-access.ts';
import { forbiddenApiCall } from './eks-audit/forbidden-api-call.ts';
import { permissionEnumeration } from './eks-audit/permission-enumeration.ts';
import { privilegedPod } from './eks-audit/privileged-pod.ts';
import { anonymousAccess } from './eks-audit/anonymous-access.ts';
import { systemPrincipalFromPublicIp } from './eks-audit/system-principal-public-ip.ts';
import { privilegedBinding } from './eks-audit/privileged-binding.ts';
import { riskyRole } from './eks-audit/risky-role.ts';
import { kubeSystemWorkload } from './eks-audit/kube-system-workload.ts';
import { admissionWebhookChange } from './eks-audit/admission-webhook-change.ts';
import { awsAuthChange } from './eks-audit/aws-auth-change.ts';
import { serviceAccountTokenRequest } from './eks-audit/service-account-token.ts';
import { systemRoleTampering } from './eks-audit/system-role-tampering.ts';
import { ephemeralContainer } from './eks-audit/ephemeral-container.ts';
import { nodeProxy } from './eks-audit/node-proxy.ts';
import { clientCertificate } from './eks-audit/client-certificate.ts';
import { impersonation } from './eks-audit/impersonation.ts';
import { kubeSystemHostDaemonSet } from './eks-audit/kube-system-host-daemonset.ts';
import { cloudDiscovery } from './cloudtrail/discovery.ts';
import { cloudSecretRead } from './cloudtrail/secret-read.ts';
import { iamPrivilegeChange } from './cloudtrail/iam-change.ts';
import { expensiveLaunch } from './cloudtrail/expensive-launch.ts';
import { defenseEvasion } from './cloudtrail/defense-evasion.ts';
import { publicExposure } from './cloudtrail/public-exposure.ts';
import { podIdentityMisuse } from './cloudtrail/pod-identity-misuse.ts';
import { rootActivity } from './cloudtrail/root-activity.ts';
import { remoteExecution } from './cloudtrail/remote-execution.ts';
import { lambdaBackdoor } from './cloudtrail/lambda-backdoor.ts';
import { keyDestruction } from './cloudtrail/key-destruction.ts';
import { instanceSecrets } from './cloudtrail/instance-secrets.ts';
import { crossAccountShare } from './cloudtrail/cross-account-share.ts';
import { accessDenied } from './cloudtrail/access-denied.ts';
import { s3ProtectionRemoved } from './cloudtrail/s3-protection-removed.ts';
import { trafficMirroring } from './cloudtrail/traffic-mirroring.ts';
import { consoleLoginWithoutMfa } from './cloudtrail/console-login-without-mfa.ts';
import { temporaryCredentialsMinted } from './cloudtrail/temporary-credentials.ts';
import { guardDutyFinding } from './guardduty/finding.ts';

export const auditRules = [
  execIntoPod,
  secretsAccess,
  permissionEnumeration,
  forbiddenApiCall,
  privilegedPod,
  anonymousAccess,
  systemPrincipalFromPublicIp,
  privilegedBinding,
  riskyRole,
  kubeSystemWorkload,
  admissionWebhookChange,
  awsAuthChange,
  serviceAccountTokenRequest,
  systemRoleTampering,
  ephemeralContainer,
  nodeProxy,
  clientCertificate,
  impersonation,
  kubeSystemHostDaemonSet,
];
export const cloudTrailRules = [
  cloudDiscovery,
  cloudSecretRead,
  iamPrivilegeChange,
  expensiveLaunch,
  defenseEvasion,
  publicExposure,
  podIdentityMisuse,
  rootActivity,
  remoteExecution,
  lambdaBackdoor,
  keyDestruction,
  instanceSecrets,
  crossAccountShare,
  accessDenied,
  s3ProtectionRemoved,
  trafficMirroring,
  consoleLoginWithoutMfa,
  temporaryCredentialsMinted,
];
export const guardDutyRules = [guardDutyFinding];
