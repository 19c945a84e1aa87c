/** Set by the CLI bundle (bin/build-cli.ts): the definition synthesized when the bundle was built. */
declare const PIVOTGUARD_PREBUILT_DEFINITION: string | undefined;

/** Synthesized at most once per process: it takes seconds. */
let synthesized: Promise<string> | undefined;

/**
 * The containment state machine's definition, synthesized from the stack's construct: by the
 * build when running the bundled CLI, otherwise from the sources, once. Each caller gets its own
 * copy. `pivotguard replay --contain` hands it to the local containment run.
 */
export async function containmentDefinition(): Promise<Record<string, unknown>> {
  const text = typeof PIVOTGUARD_PREBUILT_DEFINITION === 'string' ? PIVOTGUARD_PREBUILT_DEFINITION : await (synthesized ??= synthesize());
  return JSON.parse(text) as Record<string, unknown>;
}

async function synthesize(): Promise<string> {
  // Loaded only here: the synthesis needs the CDK, which a bundled run never loads.
  const { synthesizedDefinition } = await import('./synthesized-workflow.ts');
  return JSON.stringify(synthesizedDefinition());
}
