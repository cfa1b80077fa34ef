/**
 * Every learner option's default, in one table: the learners read it (an option left out takes
 * the value here), and the CLI builds its own per-dataset defaults and help texts from it
 * (lib/cli/runConfig.ts DATASET_DEFAULTS, lib/cli/metricOptions.ts METRIC_DEFAULTS). Change a
 * default here and every reader follows; `npm run docs:cli` then shows it in the README.
 */
export const LEARNER_DEFAULTS = {
  /** Every inner-loop learner (InnerLoopOptions): MAML's Omniglot setting. testInnerSteps defaults to innerSteps. */
  inner: { innerLR: 0.4, innerSteps: 1, engine: 'auto' },
  /** MAML, Meta-SGD, ANIL, CAVIA: exact second order. */
  order: 2,
  /** CAVIA: context parameters (the paper's sinusoid setting). */
  cavia: { contextSize: 4 },
  /** iMAML: proximal strength, CG iterations, relative CG tolerance. */
  imaml: { lambda: 1, cgSteps: 5, cgTolerance: 1e-10 },
  /** Reptile: the task optimiser; Adam's betas (the paper's beta1 = 0) and epsilon. */
  reptile: { innerOptimizer: 'sgd', adamBetas: [0, 0.999], adamEpsilon: 1e-8 },
  /** MAML++: planned iterations; the multi-step loss anneals over this share of them. */
  mamlpp: {
    totalIterations: 10000,
    multiStepLossShare: 0.15,
    firstOrderIterations: 0,
    multiStepLoss: true,
    batchNormStatistics: 'batch',
    batchNormMomentum: 0.1,
  },
  /** MatchingNet: attention LSTM steps with FCE; cosine scale 1 = the paper's plain cosine attention. */
  matching: { fceSteps: 2, cosineScale: 1 },
  /** SiameseNet: the pair loss and the contrastive / triplet margin. */
  siamese: { loss: 'verification', margin: 1 },
  /** RelationNet: the built-in module and its hidden width (8 in the paper's conv module). */
  relation: { relationModule: 'mlp', hidden: { conv: 8, mlp: 64 } },
} as const;
