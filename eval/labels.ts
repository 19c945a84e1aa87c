/**
 * What each corpus file's `_expected` label means (see the corpus's PROVENANCE.md), turned into
 * one question per record: should a single-record rule flag it? `undefined` means the label
 * does not answer that question (a technique, a scenario's actor, a custom Falco rule), and the
 * record is listed with that reason but not tallied.
 */
export interface Label {
  /** Should a single-record rule flag this record? */
  positive: boolean | undefined;
  /** The labelled rule, technique or scenario, for per-family figures. */
  family: string;
  /** A caveat the source gives (Panther mocks); the record is still tallied as labelled. */
  caveat?: string;
  /** Why the record is not tallied, when its label answers another question. */
  excluded?: string;
  /** The source's name for the test that labelled the record, where it has one. */
  test?: string;
}

type Expected = Record<string, unknown>;

// PROVENANCE.md: Falco's label is "a default rule hit", and many of its rules only log activity
// ("K8s Secret Created"). These are the ones it names as strong signals; the rest answer another question.
const FALCO_ATTACK_RULES = new Set([
  'Create Privileged Pod',
  'Create Sensitive Mount Pod',
  'Create HostNetwork Pod',
  'Attach/Exec Pod',
  'Attach to cluster-admin Role',
  'ClusterRole With Wildcard Created',
  'ClusterRole With Pod Exec Created',
  'ClusterRole With Write Privileges Created',
  'Anonymous Request Allowed',
  'Pod Created in Kube Namespace',
  'Service Account Created in Kube Namespace',
  'System ClusterRole Modified/Deleted',
]);

export function labelFor(file: string, expected: Expected): Label {
  const name = file.split('/').slice(-2).join('/');
  switch (name) {
    case 'eks-audit/panther-analysis_rule-tests.jsonl':
    case 'cloudtrail/panther-analysis_rule-tests.jsonl':
      return {
        positive: expected.result === true,
        family: String(expected.rule),
        test: typeof expected.test_name === 'string' ? expected.test_name : undefined,
        caveat: expected.has_mocks === true ? 'label depends on Panther mocks' : undefined,
      };
    case 'eks-audit/falco_k8s-audit-trace-files.jsonl': {
      const detects = (expected.default_ruleset_detects as string[] | undefined) ?? [];
      if (expected.malicious === null) return { positive: undefined, family: 'custom Falco rules', excluded: 'only exercised with test-specific Falco rules' };
      const attack = detects.find((rule) => FALCO_ATTACK_RULES.has(rule));
      if (attack) return { positive: true, family: attack };
      // Activity rules log a change ("K8s Secret Created"): a labelled family no pivotguard rule claims.
      if (detects.length > 0) return { positive: true, family: detects[0]! };
      return { positive: false, family: 'no default Falco rule' };
    }
    case 'cloudtrail/panther-analysis_test-scenarios.jsonl':
      // The label names who acted (attacker or victim), not whether the call is suspicious on its own.
      return {
        positive: undefined,
        family: `scenario ${String(expected.scenario)}`,
        excluded: 'scenario step: the label names the actor, only the sequence is suspicious',
      };
    case 'cloudtrail/stratus-red-team_detonation-logs.jsonl':
      return { positive: undefined, family: String(expected.stratus_technique), excluded: 'malicious context, including setup calls: judged per technique' };
    case 'cloudtrail/aws-samples_eks-security-immersion-day_pod-identity.jsonl':
      return { positive: false, family: 'EKS Pod Identity workshop' };
    case 'guardduty/panther-analysis_rule-tests.jsonl':
      // result=false is the same finding marked as a GuardDuty sample: it must not alert.
      return { positive: expected.result === true, family: String(expected.rule), test: String(expected.test_name) };
    case 'guardduty/aws-samples_cdk-eks-blueprints-patterns_get-findings.jsonl':
      return { positive: expected.malicious === true, family: String(expected.finding_type) };
    default:
      return { positive: undefined, family: 'unknown', excluded: `no label reading for ${name}` };
  }
}
