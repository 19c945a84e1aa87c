import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { PivotGuard } from '../../lib/pivot-guard.ts';

describe('PivotGuard bundling', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'pivotguard-bundle-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('bundles both handlers with the local esbuild into ES modules with source maps', { timeout: 120_000 }, () => {
    // Asset metadata (as the CDK CLI turns on) tells which bundle belongs to which function.
    const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
    const stack = new Stack(app, 'Bundled');
    const pivotGuard = new PivotGuard(stack, 'PivotGuard', { clusters: ['prod-east'] });
    const assembly = app.synth();

    const functions = Template.fromJSON(assembly.getStackByName('Bundled').template).findResources('AWS::Lambda::Function');
    const assetPaths = [pivotGuard.analyzer, pivotGuard.forwarder].map((fn) => {
      const resource = functions[stack.getLogicalId(fn.node.defaultChild as never)]!;
      return join(outdir, resource.Metadata['aws:asset:path']);
    });
    for (const dir of assetPaths) {
      const bundle = readFileSync(join(dir, 'index.mjs'), 'utf8');
      expect(bundle.startsWith("import { createRequire } from 'node:module';")).toBe(true);
      expect(bundle).toMatch(/export\s*\{[^}]*\bhandler\b/);
      expect(existsSync(join(dir, 'index.mjs.map'))).toBe(true);
    }
    expect(new Set(assetPaths).size).toBe(2);
  });
});
