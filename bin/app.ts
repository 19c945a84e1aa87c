// cdk deploy -c clusters=prod-east[,staging] -c alertEmail=security@example.com [-c config=pivotguard.yaml]
import { buildApp } from '../lib/app.ts';
import { DeploymentConfigError } from '../lib/config-file.ts';

try {
  buildApp();
} catch (error) {
  if (!(error instanceof DeploymentConfigError)) throw error;
  // A setting the user can fix: one line, not a stack trace.
  console.error(`pivotguard: ${error.message}`);
  process.exit(1);
}
