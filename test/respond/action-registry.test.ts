import { describe, expect, it } from 'vitest';
import { ACTION_ADAPTERS } from '#adapters/containment/actions/registry';
import { containmentRbacManifest } from '#adapters/kubernetes/rbac-manifest';
import type { RbacRule } from '#core/actions/descriptor';
import { ACTIONS, ACTION_NAMES } from '#core/actions/registry';
import { configSchema, defaultConfig } from '#core/config';
import { ACTION_LABELS } from '#core/respond/action-labels';
import { ACTION_WORDS } from '#core/report/format';

// The registry is the one list of actions: everything that names them is derived from it. That the
// stack grants every IAM call an action needs is in test/infra/containment.test.ts.
describe('the action registry', () => {
  it('gives the configuration its action names and default tiers', () => {
    const refused = configSchema.safeParse({ actions: { automatic: ['unplug-cable'] } });
    expect(refused.error?.issues[0]).toMatchObject({ code: 'invalid_value', values: ACTION_NAMES });
    expect([...defaultConfig.actions.automatic, ...defaultConfig.actions.approval].sort()).toEqual([...ACTION_NAMES].sort());
  });

  it('names every action to people: a label, and the words of the report, in the order the workflow runs them', () => {
    expect(Object.keys(ACTION_LABELS)).toEqual(ACTION_NAMES);
    expect(Object.keys(ACTION_WORDS)).toEqual(ACTION_NAMES);
    for (const action of ACTIONS) {
      expect(ACTION_LABELS[action.name]).toBe(action.label);
      expect(Object.values(action.words).every((words) => words.length > 0)).toBe(true);
    }
  });

  it('has an adapter for every action: a run, and an undo for exactly the undo kinds it records', () => {
    expect(Object.keys(ACTION_ADAPTERS)).toEqual(ACTION_NAMES);
    for (const action of ACTIONS) {
      const adapter = ACTION_ADAPTERS[action.name];
      expect(adapter.run).toBeTypeOf('function');
      expect(Object.keys(adapter.undo).sort()).toEqual([...action.undoKinds].sort());
      expect(action.reversible).toBe(action.undoKinds.length > 0);
    }
  });

  it('grants in the RBAC manifest every rule an action needs', () => {
    const [clusterRole] = containmentRbacManifest();
    const rules = (clusterRole as { rules: RbacRule[] }).rules;
    const grants = (group: string, resource: string) =>
      rules.filter((rule) => rule.apiGroups.includes(group) && rule.resources.includes(resource)).flatMap((rule) => rule.verbs);
    for (const action of ACTIONS) {
      for (const need of action.needs.rbac) {
        for (const group of need.apiGroups) {
          for (const resource of need.resources) expect(grants(group, resource), `${action.name}: ${resource}`).toEqual(expect.arrayContaining(need.verbs));
        }
      }
    }
  });
});
