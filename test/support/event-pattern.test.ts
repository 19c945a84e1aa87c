import { describe, expect, it } from 'vitest';
import { InvalidPattern, matchesPattern } from './event-pattern.ts';

// The examples of the EventBridge User Guide ("Comparison operators", "Arrays in event patterns").
const ec2Event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0', 'arn:aws:ec2:us-west-1:123456789012:instance/i-2'],
  detail: {
    'instance-id': 'i-1234567890abcdef0',
    state: 'terminated',
    c: { d: 5 },
    ip: '10.0.0.255',
    tags: [
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
    ],
  },
};

describe('the local EventBridge pattern evaluator', () => {
  it('matches exact values, and any of a list', () => {
    expect(matchesPattern({ source: ['aws.ec2'], detail: { state: ['running', 'terminated'] } }, ec2Event)).toBe(true);
    expect(matchesPattern({ source: ['aws.ec2'], detail: { state: ['running'] } }, ec2Event)).toBe(false);
  });

  it('matches an array field when any of its values matches', () => {
    expect(matchesPattern({ resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-2'] }, ec2Event)).toBe(true);
  });

  it('flattens arrays of objects field by field', () => {
    expect(matchesPattern({ detail: { tags: { key: ['b'] } } }, ec2Event)).toBe(true);
    // Flattening means the key of one element and the value of another still match.
    expect(matchesPattern({ detail: { tags: { key: ['a'], value: ['2'] } } }, ec2Event)).toBe(true);
    expect(matchesPattern({ detail: { tags: { key: ['c'] } } }, ec2Event)).toBe(false);
  });

  it('supports prefix, suffix, wildcard and equals-ignore-case', () => {
    expect(matchesPattern({ region: [{ prefix: 'us-' }] }, ec2Event)).toBe(true);
    expect(matchesPattern({ region: [{ prefix: { 'equals-ignore-case': 'US-' } }] }, ec2Event)).toBe(true);
    expect(matchesPattern({ region: [{ suffix: '-2' }] }, ec2Event)).toBe(false);
    expect(matchesPattern({ 'detail-type': [{ wildcard: 'EC2 * Notification' }] }, ec2Event)).toBe(true);
    expect(matchesPattern({ 'detail-type': [{ wildcard: 'EC2 \\* Notification' }] }, ec2Event)).toBe(false);
    expect(matchesPattern({ source: [{ 'equals-ignore-case': 'AWS.EC2' }] }, ec2Event)).toBe(true);
  });

  it('supports anything-but, which needs the field to be there', () => {
    expect(matchesPattern({ detail: { state: [{ 'anything-but': 'initializing' }] } }, ec2Event)).toBe(true);
    expect(matchesPattern({ detail: { state: [{ 'anything-but': ['terminated', 'stopped'] }] } }, ec2Event)).toBe(false);
    expect(matchesPattern({ detail: { state: [{ 'anything-but': { prefix: 'term' } }] } }, ec2Event)).toBe(false);
    expect(matchesPattern({ detail: { missing: [{ 'anything-but': 'x' }] } }, ec2Event)).toBe(false);
  });

  it('supports exists, numeric and cidr', () => {
    expect(matchesPattern({ detail: { state: [{ exists: true }], missing: [{ exists: false }] } }, ec2Event)).toBe(true);
    expect(matchesPattern({ detail: { c: { d: [{ numeric: ['>', 0, '<=', 5] }] } } }, ec2Event)).toBe(true);
    expect(matchesPattern({ detail: { c: { d: [{ numeric: ['<', 5] }] } } }, ec2Event)).toBe(false);
    expect(matchesPattern({ detail: { ip: [{ cidr: '10.0.0.0/24' }] } }, ec2Event)).toBe(true);
    expect(matchesPattern({ detail: { ip: [{ cidr: '10.0.1.0/24' }] } }, ec2Event)).toBe(false);
  });

  it('supports $or at any level', () => {
    const pattern = { detail: { $or: [{ state: ['running'] }, { c: { d: [5] } }] } };
    expect(matchesPattern(pattern, ec2Event)).toBe(true);
    expect(matchesPattern({ detail: { $or: [{ state: ['running'] }, { c: { d: [6] } }] } }, ec2Event)).toBe(false);
  });

  it('refuses what EventBridge refuses: unknown operators and empty lists', () => {
    expect(() => matchesPattern({ source: [{ regex: 'aws.*' }] }, ec2Event)).toThrow(InvalidPattern);
    expect(() => matchesPattern({ source: [] }, ec2Event)).toThrow(InvalidPattern);
  });
});
