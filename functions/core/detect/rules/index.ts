import type { AnyRule } from '../rule.ts';
import { execIntoPod } from './eks-audit/exec-into-pod.ts';
import { secretsAccess } from './eks-audit/secrets-access.ts';
import { forbiddenApiCall, permissionEnumeration } from './eks-audit/api-probing.ts';
import { privilegedPod } from './eks-audit/privileged-pod.ts';
import { cloudDiscovery } from './cloudtrail/discovery.ts';
import { cloudSecretRead } from './cloudtrail/secret-read.ts';
import { iamPrivilegeChange } from './cloudtrail/iam-change.ts';
import { expensiveLaunch } from './cloudtrail/expensive-launch.ts';
import { guardDutyFinding } from './guardduty/finding.ts';

export const auditRules = [execIntoPod, secretsAccess, permissionEnumeration, forbiddenApiCall, privilegedPod];
export const cloudTrailRules = [cloudDiscovery, cloudSecretRead, iamPrivilegeChange, expensiveLaunch];
export const guardDutyRules = [guardDutyFinding];

export const allRules: readonly AnyRule[] = [...auditRules, ...cloudTrailRules, ...guardDutyRules];
