/** Kubernetes for the actions: what deploy-helm and wait-ready call, and the pure helpers their inputs and tests use. */
export {
  detectTools,
  kubectlTools,
  parseHelmMajor,
  type KubeTools,
  type DetectedTools,
  type HelmMajor,
} from './tools.js';
export { upgradeArgs, rollbackArgs, uninstallArgs, goDuration } from './helm-args.js';
export {
  buildGeneratedValues,
  renderValuesFile,
  setPath,
  splitImage,
  splitKeyPath,
  deepMerge,
  parseScalar,
  parseValuesBlock,
  type Values,
} from './values.js';
export { guardNamespace, namespaceManifest, type NamespaceState } from './namespace.js';
export {
  DEFAULT_QUOTA,
  guardrailManifests,
  parseQuotaInput,
  sharedQuotaInput,
  parseLimitRangeInput,
  parseEgressAllow,
  type GuardrailOptions,
} from './guardrails.js';
export {
  parseReleaseStatus,
  parseReleaseHistory,
  planRecovery,
  describeRecovery,
  describeInProgress,
} from './release.js';
export {
  renderDiagnostics,
  mergeDiagnostics,
  parseWarningEvents,
  parseUnreadyPods,
  headlineReasons,
  type Diagnostics,
} from './diagnostics.js';
export {
  CAP_POLICIES,
  capFullError,
  decideSlot,
  takenSlots,
  type CapPolicy,
  type CapNamespace,
  type Slot,
  type SlotRecord,
} from './cap.js';
export {
  addRequests,
  describeCost,
  formatDollars,
  hourlyCost,
  namespaceRequests,
  parsePrices,
  quantityValue,
  requestsOf,
  type Prices,
  type Requests,
} from './cost.js';
export { CLAIM_GRACE_MS, SLOTS_ANNOTATION, capLeaseName, claimPreviewSlot, type ClaimResult } from './cap-lease.js';
export { planPreviewNames } from './plan.js';
export {
  deployPreview,
  stillWanted,
  type DeployPlan,
  type DeployPorts,
  type DeployResult,
  type StillWanted,
} from './deploy.js';
export { WORKLOAD_KINDS, type WorkloadKind } from './rollout.js';
export { parseExpectStatus, statusExpected, parseHeaders, probeUntilReady, type StatusRange } from './probe.js';
export { parseApplicationRef, applicationState, type ApplicationRef } from './argocd.js';
export { splitCommandLine } from './smoke.js';
export { waitReady, renderPhases, type ReadyOptions, type ReadyResult, type ReadyState } from './ready.js';
export { listSleepTargets, sleepTargets, HTTP_SCALED_OBJECTS, type SleepTarget } from './scale-to-zero.js';
export { checkQuantity, isCountResource } from './quantity.js';
export { hasSyncedRevision } from './argocd.js';
export { parseJUnit, renderJUnit, junitCounts, type JUnitResult, type JUnitFailure } from './junit.js';
export { appSecretManifest, dataChecksum, CHECKSUM_ANNOTATION } from './app-secret.js';
export { readSeedJob, parseSeedLine, jobSeconds, renderSeed, type SeedReport } from './seed.js';
export { basicAuthSecretManifest, readBasicAuthSecret, stableHtpasswd } from './basic-auth.js';
export {
  REPLICAS_BEFORE_SLEEP_ANNOTATION,
  SLEEPING_SINCE_ANNOTATION,
  listWorkloads,
  sleepNamespace,
  wakeNamespace,
  type SleepChange,
  type Workload,
} from './sleep.js';
export { waitForRollouts } from './rollout.js';
export { listMarkedNamespaces } from './inventory.js';
