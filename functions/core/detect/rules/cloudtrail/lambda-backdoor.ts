import { defineRule } from '../../rule.ts';
import { sanitize } from '../../actors.ts';
import { str } from '#core/model/json';
import type { CloudTrailEvent } from '#core/model/event';
import { callName, cloudTrailSubject, describeCaller, isThroughCloudFormation, tookEffect } from './subject.ts';

// CloudTrail names Lambda calls with an API version suffix, e.g. UpdateFunctionCode20150331v2.
const CHANGE_CALLS = [
  'UpdateFunctionCode',
  'UpdateFunctionConfiguration',
  'AddPermission',
  'PublishLayerVersion',
  'AddLayerVersionPermission',
  'CreateFunctionUrlConfig',
];
const CHANGES = new RegExp(`^(${CHANGE_CALLS.join('|')})`);

/**
 * Configuration that changes neither what the function runs nor as whom: sizing, timeouts,
 * tracing. Anything else (role, handler, runtime, layers, environment, image, network, logging,
 * or a field added later) can plant code or move its identity, so it is judged.
 */
const INERT_CONFIGURATION = new Set(['functionName', 'description', 'timeout', 'memorySize', 'ephemeralStorage', 'tracingConfig', 'revisionId', 'snapStart']);

function changesOnlyInertConfiguration(event: CloudTrailEvent): boolean {
  if (!event.eventName.startsWith('UpdateFunctionConfiguration')) return false;
  return Object.keys(event.requestParameters ?? {}).every((field) => INERT_CONFIGURATION.has(field));
}

export const lambdaBackdoor = defineRule<'cloudtrail'>({
  id: 'cloudtrail.lambda-change',
  title: 'Lambda code, layers or invoke permissions changed outside a deployment',
  description: 'New code, layers, public URLs or permissions on a function are how attackers keep a foothold that runs with its role.',
  source: 'cloudtrail',
  objective: { tactic: 'Persistence (TA0003)', technique: 'T1525 Implant Internal Image' },
  severity: 'medium',
  watches: { calls: CHANGE_CALLS.map((call) => `lambda.amazonaws.com:${call}*`) },
  canMatch: (call) => call.startsWith('lambda.amazonaws.com:') && CHANGES.test(call.slice('lambda.amazonaws.com:'.length)),
  match(event) {
    if (event.eventSource !== 'lambda.amazonaws.com' || !CHANGES.test(event.eventName) || !tookEffect(event)) return undefined;
    // A stack updating its functions is the deployment this rule looks past; sizing a function plants nothing.
    if (isThroughCloudFormation(event) || changesOnlyInertConfiguration(event)) return undefined;
    const target = str(event.requestParameters?.functionName) ?? str(event.requestParameters?.layerName) ?? '';
    return {
      summary: `${describeCaller(event)} called ${callName(event)}${target ? ` on ${sanitize(target, 80)}` : ''}`,
      subject: cloudTrailSubject(event),
    };
  },
});
