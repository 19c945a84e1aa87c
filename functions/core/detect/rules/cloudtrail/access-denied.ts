import { defineRule } from '../../rule.ts';
import { isIpAddress } from '#core/model/address';
import { callName, cloudTrailSubject, describeCaller, isAwsServiceCall, wasRefused } from './subject.ts';
import { isReconCall } from './discovery.ts';

/** The console and AWS's own services probe permissions as pages load: not a person's attempt. */
const AWS_INTERNAL_AGENT = /^(aws-internal|AWS Internal|console\.amazonaws\.com|signin\.amazonaws\.com)/;

export const accessDenied = defineRule<'cloudtrail'>({
  id: 'cloudtrail.access-denied',
  title: 'Cloud API call refused',
  description: 'Credentials trying calls their policy does not allow: alone a misconfiguration, in a burst someone mapping what they hold.',
  source: 'cloudtrail',
  objective: { tactic: 'Discovery (TA0007)', technique: 'T1526 Cloud Service Discovery' },
  severity: 'low',
  watches: { refusals: true },
  match(event) {
    if (!wasRefused(event) || isAwsServiceCall(event) || !isIpAddress(event.sourceIp)) return undefined;
    if (AWS_INTERNAL_AGENT.test(event.userAgent ?? '') || isReconCall(event)) return undefined;
    // A refused Pod Identity exchange is a broken association, judged by the pod-identity rule.
    if (event.eventSource === 'eks-auth.amazonaws.com') return undefined;
    return { summary: `${describeCaller(event)} was refused ${callName(event)} (${event.errorCode})`, subject: cloudTrailSubject(event) };
  },
});
