import { App, Stack } from 'aws-cdk-lib';
import { PivotGuard } from '../lib/pivot-guard.ts';

// cdk deploy -c clusters=prod-east[,staging]
const app = new App();
const clusters = String(app.node.tryGetContext('clusters') ?? '')
  .split(',')
  .map((name) => name.trim())
  .filter(Boolean);
const stack = new Stack(app, 'PivotGuard', { description: 'pivotguard: cloud workload protection for Amazon EKS' });
new PivotGuard(stack, 'PivotGuard', { clusters: clusters.length > 0 ? clusters : ['my-cluster'] });
