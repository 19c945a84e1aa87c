import { type DetectorFeatureConfigurationResult, GetDetectorCommand, type GuardDutyClient, paginateListDetectors } from '@aws-sdk/client-guardduty';
import { type CheckResult, ask, fail, ok, warn } from './check.ts';

const EKS_AUDIT_LOGS = '{"Name":"EKS_AUDIT_LOGS","Status":"ENABLED"}';

/** The feature, with GuardDuty deploying and updating its agent in every cluster (EKS_ADDON_MANAGEMENT). */
function runtimeMonitoring(featureName = 'RUNTIME_MONITORING'): string {
  return `{"Name":"${featureName}","Status":"ENABLED","AdditionalConfiguration":[{"Name":"EKS_ADDON_MANAGEMENT","Status":"ENABLED"}]}`;
}

/**
 * GuardDuty's EKS findings (EKS Protection, from the audit log) and runtime findings (Runtime
 * Monitoring, from its agent) are two of pivotguard's sources. Neither blocks: pivotguard still
 * reads the audit log and CloudTrail itself. Needs guardduty:ListDetectors and guardduty:GetDetector.
 */
export async function checkGuardDuty(guardDuty: GuardDutyClient, region: string): Promise<CheckResult[]> {
  const detectorId = await ask('guardduty:ListDetectors', async () => {
    // A region has at most one detector.
    for await (const page of paginateListDetectors({ client: guardDuty }, {})) if (page.DetectorIds?.[0]) return page.DetectorIds[0];
    return undefined;
  });
  if (!detectorId) {
    return [
      fail(
        'guardduty/detector',
        `GuardDuty is not enabled in ${region}: no EKS or runtime findings`,
        `aws guardduty create-detector --region ${region} --enable --features '[${EKS_AUDIT_LOGS},${runtimeMonitoring()}]'`,
        { blocking: false },
      ),
    ];
  }
  const detector = await ask('guardduty:GetDetector', () => guardDuty.send(new GetDetectorCommand({ DetectorId: detectorId })));
  if (detector.Status !== 'ENABLED') {
    return [
      fail(
        'guardduty/detector',
        `GuardDuty detector ${detectorId} is suspended in ${region}: no findings`,
        `aws guardduty update-detector --region ${region} --detector-id ${detectorId} --enable`,
        { blocking: false },
      ),
    ];
  }
  const features = detector.Features ?? [];
  const updateFeature = (feature: string) => `aws guardduty update-detector --region ${region} --detector-id ${detectorId} --features '[${feature}]'`;
  return [
    checkEksAuditLogs(features, updateFeature(EKS_AUDIT_LOGS)),
    checkRuntimeMonitoring(features, (featureName) => updateFeature(runtimeMonitoring(featureName))),
  ];
}

function checkEksAuditLogs(features: DetectorFeatureConfigurationResult[], fix: string): CheckResult {
  const id = 'guardduty/eks-audit-logs';
  if (isEnabled(features, 'EKS_AUDIT_LOGS')) return ok(id, 'GuardDuty EKS Protection (audit log monitoring) is on');
  return fail(id, 'GuardDuty EKS Protection (audit log monitoring) is off: no GuardDuty Kubernetes findings', fix, { blocking: false });
}

function checkRuntimeMonitoring(features: DetectorFeatureConfigurationResult[], fixFor: (featureName?: string) => string): CheckResult {
  const id = 'guardduty/runtime-monitoring';
  // EKS_RUNTIME_MONITORING is the older, EKS-only form of RUNTIME_MONITORING; a detector has one or the other.
  const runtime = features.find(
    (feature) => (feature.Name === 'RUNTIME_MONITORING' || feature.Name === 'EKS_RUNTIME_MONITORING') && feature.Status === 'ENABLED',
  );
  if (!runtime)
    return fail(id, 'GuardDuty Runtime Monitoring is off: no process, file or network findings from inside containers', fixFor(), { blocking: false });
  const agentManaged = runtime.AdditionalConfiguration?.some((setting) => setting.Name === 'EKS_ADDON_MANAGEMENT' && setting.Status === 'ENABLED');
  if (agentManaged) return ok(id, 'GuardDuty Runtime Monitoring is on and manages its EKS agent');
  return warn(
    id,
    'GuardDuty Runtime Monitoring is on but does not manage its EKS agent: findings come only from clusters where you installed the aws-guardduty-agent add-on yourself',
    fixFor(runtime.Name),
  );
}

function isEnabled(features: DetectorFeatureConfigurationResult[], name: string): boolean {
  return features.some((feature) => feature.Name === name && feature.Status === 'ENABLED');
}
