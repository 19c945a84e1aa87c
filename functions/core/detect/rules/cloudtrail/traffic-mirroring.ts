import { defineRule } from '../../rule.ts';
import { callName, cloudTrailSubject, describeCaller, tookEffect } from './subject.ts';

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
    if (event.eventSource !== 'ec2.amazonaws.com' || !MIRRORING.test(event.eventName) || !tookEffect(event)) return undefined;
    return { summary: `${describeCaller(event)} called ${callName(event)}`, subject: cloudTrailSubject(event) };
  },
});
