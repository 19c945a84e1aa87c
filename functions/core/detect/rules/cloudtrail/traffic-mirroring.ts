import { defineRule } from '../../rule.ts';
import { sanitize } from '../../actors.ts';
import { callName, cloudTrailSubject, describeCaller, isAwsServiceCall, wasRefused } from './subject.ts';

const MIRRORING = /^(Create|Modify|Delete)TrafficMirror(Session|Target|Filter|FilterRule)$/;

export const trafficMirroring = defineRule<'cloudtrail'>({
  id: 'cloudtrail.traffic-mirroring',
  title: 'VPC traffic mirroring changed',
  description: 'A mirror session copies every packet of an interface to another target: network sniffing without touching the host.',
  source: 'cloudtrail',
  objective: { tactic: 'Collection (TA0009)', technique: 'T1040 Network Sniffing' },
  severity: 'medium',
  watches: { calls: ['Create', 'Modify', 'Delete'].map((verb) => `ec2.amazonaws.com:${verb}TrafficMirror*`) },
  canMatch: (call) => call.startsWith('ec2.amazonaws.com:') && MIRRORING.test(call.slice('ec2.amazonaws.com:'.length)),
  match(event) {
    if (event.eventSource !== 'ec2.amazonaws.com' || !MIRRORING.test(event.eventName) || isAwsServiceCall(event)) return undefined;
    // A refused call is the denied-call signal's. One that failed on the interface (not a Nitro instance, say)
    // came from a caller allowed to mirror and who chose a target: the next interface may work.
    if (wasRefused(event)) return undefined;
    const failed = event.errorCode ? ` (failed: ${sanitize(event.errorCode, 60)})` : '';
    return { summary: `${describeCaller(event)} called ${callName(event)}${failed}`, subject: cloudTrailSubject(event), severity: failed ? 'low' : undefined };
  },
});
