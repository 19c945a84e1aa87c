import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { PivotGuard } from '../../lib/pivot-guard.ts';

/** Every module a bundle was built from, as its source maps name them (the maps carry names, not the sources). */
function bundledSources(assetDir: string): string[] {
  return readdirSync(assetDir)
    .filter((file) => file.endsWith('.mjs.map'))
    .flatMap((file) => (JSON.parse(readFileSync(join(assetDir, file), 'utf8')) as { sources: string[] }).sources);
}

describe('PivotGuard bundling', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'pivotguard-bundle-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('bundles every handler with the local esbuild into ES module chunks with source maps, each carrying only what it uses', { timeout: 120_000 }, () => {
    // Asset metadata (as the CDK CLI turns on) tells which bundle belongs to which function.
    const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
    const stack = new Stack(app, 'Bundled');
    const pivotGuard = new PivotGuard(stack, 'PivotGuard', { clusters: ['prod-east'] });
    const assembly = app.synth();

    const functions = Template.fromJSON(assembly.getStackByName('Bundled').template).findResources('AWS::Lambda::Function');
    // The approval page's function is internal to the construct: found by its path.
    const approvalPage = pivotGuard.node.findAll().find((construct) => construct.node.path.endsWith('/ApprovalPage/Function'))!;
    const assetDirOf = (fn: { node: { defaultChild?: unknown } }) => {
      const resource = functions[stack.getLogicalId(fn.node.defaultChild as never)]!;
      return join(outdir, resource.Metadata['aws:asset:path']);
    };
    const assetDirs = {
      analyzer: assetDirOf(pivotGuard.analyzer),
      forwarder: assetDirOf(pivotGuard.forwarder),
      containment: assetDirOf(pivotGuard.containmentFunction!),
      undo: assetDirOf(pivotGuard.undoFunction!),
      approvalPage: assetDirOf(approvalPage),
    };

    for (const dir of Object.values(assetDirs)) {
      const bundle = readFileSync(join(dir, 'index.mjs'), 'utf8');
      expect(bundle.startsWith("import { createRequire } from 'node:module';")).toBe(true);
      expect(bundle).toMatch(/export\s*\{[^}]*\bhandler\b/);
      // Lambda's code folder has no package.json: only .mjs files load as ES modules.
      for (const file of readdirSync(dir).filter((name) => !name.endsWith('.map'))) {
        expect(file).toMatch(/\.mjs$/);
        expect(existsSync(join(dir, `${file}.map`))).toBe(true);
      }
      const sources = bundledSources(dir);
      // zod's English messages, none of its other locales.
      expect(sources.filter((source) => source.includes('zod/v4/locales/')).map((source) => source.split('/').pop())).toEqual(['en.js']);
    }
    expect(new Set(Object.values(assetDirs)).size).toBe(5);
    // The approval page never talks to a cluster: the Kubernetes client stays out of its bundle.
    expect(bundledSources(assetDirs.approvalPage).filter((source) => source.includes('node_modules/@kubernetes/'))).toEqual([]);
    expect(bundledSources(assetDirs.containment).some((source) => source.includes('node_modules/@kubernetes/client-node/'))).toBe(true);
    // Undo reaches clusters and roles, and nothing that runs containment steps: no workflow, evidence, email or secret client.
    const undoSources = bundledSources(assetDirs.undo);
    expect(undoSources.some((source) => source.includes('node_modules/@kubernetes/client-node/'))).toBe(true);
    const clients = ['client-sfn', 'client-s3', 'client-sns', 'client-secrets-manager'];
    expect(clients.filter((client) => undoSources.some((source) => source.includes(`node_modules/@aws-sdk/${client}/`)))).toEqual([]);
    // Source-mapped stack traces cost every cold start; they are turned on for debugging only (README, Performance).
    for (const resource of Object.values(functions)) expect(resource.Properties.Environment?.Variables?.NODE_OPTIONS).toBeUndefined();
  });
});
