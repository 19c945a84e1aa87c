import { defineRule } from '../../rule.ts';
import { asArray } from '#core/model/json';
import type { CloudTrailEvent } from '#core/model/event';
import { callName, cloudTrailSubject, describeCaller, outcome, showsIntent } from './subject.ts';

// Calls that blind the account: logging, detection and their delivery stopped or deleted.
const BLINDING_CALLS: Record<string, string[]> = {
  'cloudtrail.amazonaws.com': ['StopLogging', 'DeleteTrail', 'PutEventSelectors', 'UpdateTrail'],
  'guardduty.amazonaws.com': [
    'DeleteDetector',
    'UpdateDetector',
    'DisassociateFromMasterAccount',
    'DisassociateFromAdministratorAccount',
    'DeleteMembers',
    'StopMonitoringMembers',
    'CreateFilter',
    'DeletePublishingDestination',
  ],
  'events.amazonaws.com': ['DeleteRule', 'DisableRule', 'RemoveTargets'],
  'config.amazonaws.com': ['StopConfigurationRecorder', 'DeleteConfigurationRecorder', 'DeleteDeliveryChannel'],
  'ec2.amazonaws.com': ['DeleteFlowLogs'],
  'route53resolver.amazonaws.com': ['DeleteResolverQueryLogConfig', 'DisassociateResolverQueryLogConfig'],
  'logs.amazonaws.com': ['DeleteLogGroup', 'DeleteSubscriptionFilter'],
  // UpdateFindings archives every finding its filters match (an empty filter: all of them).
  'securityhub.amazonaws.com': ['DisableSecurityHub', 'DeleteInsight', 'UpdateFindings'],
  'macie2.amazonaws.com': ['DisableMacie', 'UpdateMacieSession', 'DeleteMember'],
  // Macie Classic records its session changes under its own service name.
  'macie.amazonaws.com': ['DisableMacie', 'UpdateMacieSession'],
  'access-analyzer.amazonaws.com': ['DeleteAnalyzer'],
  'organizations.amazonaws.com': ['LeaveOrganization'],
  'waf-regional.amazonaws.com': ['DisassociateWebACL'],
  'wafv2.amazonaws.com': ['DisassociateWebACL'],
};

const BLINDING = new Set(Object.entries(BLINDING_CALLS).flatMap(([service, calls]) => calls.map((call) => `${service}:${call}`)));

/**
 * Event selectors narrow what a trail records. Adding data events is harmless; dropping
 * management events (or half of them, or a whole service's) blinds the trail.
 */
function dropsManagementEvents(event: CloudTrailEvent): boolean {
  const parameters = event.requestParameters ?? {};
  if (Array.isArray(parameters.advancedEventSelectors)) return true;
  return asArray(parameters.eventSelectors).some(
    (selector) =>
      selector.includeManagementEvents === false ||
      (selector.readWriteType !== undefined && selector.readWriteType !== 'All') ||
      (Array.isArray(selector.excludeManagementEventSources) && selector.excludeManagementEventSources.length > 0),
  );
}

export const defenseEvasion = defineRule<'cloudtrail'>({
  id: 'cloudtrail.defense-evasion',
  title: 'Logging or threat detection turned off',
  description: 'Stopping trails, detectors, recorders, flow or DNS logs, or the rules that deliver findings, comes before the part the attacker wants unseen.',
  source: 'cloudtrail',
  objective: { tactic: 'Defense Evasion (TA0005)', technique: 'T1562.008 Impair Defenses: Disable or Modify Cloud Logs' },
  severity: 'high',
  watches: { calls: [...BLINDING] },
  canMatch: (call) => BLINDING.has(call),
  match(event) {
    if (!showsIntent(event)) return undefined;
    if (!BLINDING.has(`${event.eventSource}:${event.eventName}`)) return undefined;
    if (event.eventName === 'PutEventSelectors' && !dropsManagementEvents(event)) return undefined;
    return {
      summary: `${describeCaller(event)} called ${callName(event)}${outcome(event)}`,
      subject: cloudTrailSubject(event),
      // A refused attempt to blind the account changed nothing, but says what the caller wanted.
      severity: event.errorCode ? 'medium' : 'high',
    };
  },
});
