/**
 * The import rules of the layout (CONTRIBUTING.md, "Import rules"), checked by `npm run deps`
 * (part of `npm test`): the core is pure, adapters wrap AWS and Kubernetes for it, handlers wire
 * them for Lambda, lib/ deploys them, and bin/ runs them locally.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle, even through type-only imports, is one concern split across two modules: move the shared part to one of them.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment: 'An import the rules cannot follow (a mistyped #core/ or #adapters/ alias) would slip past every other rule.',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'functions-not-to-lib-or-cdk',
      severity: 'error',
      comment: 'Lambda code does not load the CDK or the stack: that is deploy-time code, megabytes the bundles must not carry.',
      from: { path: '^functions/' },
      to: { path: ['^lib/', '^node_modules/(aws-cdk-lib|constructs|cdk-nag|aws-cdk)/'] },
    },
    {
      name: 'functions-not-to-tooling',
      severity: 'error',
      comment: 'Lambda code does not import the command-line tool, the bench, the evaluation or the tests; they import it.',
      from: { path: '^functions/' },
      to: { path: '^(bin|bench|eval|test)/' },
    },
    {
      name: 'lib-not-to-adapters-or-handlers',
      severity: 'error',
      comment: 'The stack reads what it must grant from the core (action descriptors, names), not from the code that runs in Lambda.',
      from: { path: '^lib/' },
      to: { path: '^functions/(adapters|handlers)/' },
    },
    {
      name: 'core-is-pure',
      severity: 'error',
      comment: 'The core imports no AWS SDK, Kubernetes client or Lambda types: adapters implement the small interfaces it declares.',
      from: { path: '^functions/core/' },
      to: { path: '^node_modules/(@aws-sdk|@smithy|@kubernetes|@aws-lambda-powertools|@types/aws-lambda|aws-lambda|@middy)/' },
    },
    {
      name: 'core-not-to-outer-layers',
      severity: 'error',
      comment: 'Dependencies point inwards: the core knows nothing of the adapters and handlers built around it.',
      from: { path: '^functions/core/' },
      to: { path: '^functions/(adapters|handlers)/' },
    },
    {
      name: 'adapters-not-to-handlers',
      severity: 'error',
      comment: 'Handlers wire adapters for Lambda; an adapter that needs a handler has the wiring the wrong way round.',
      from: { path: '^functions/adapters/' },
      to: { path: '^functions/handlers/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports are dependencies too: they are what makes a module need another to be read.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
