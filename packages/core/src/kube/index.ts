export {
  detectTools, kubectlTools, parseHelmMajor, runHelm, runKubectl, kubectlJson, isNotFound, type KubeTools, type Kubectl, type HelmMajor,
} from './tools.js';
export {
  upgradeArgs, rollbackArgs, uninstallArgs, statusArgs, historyArgs, getValuesArgs, goDuration, type UpgradeArgs,
} from './helm-args.js';
export {
  buildGeneratedValues, renderValuesFile, splitImage, splitKeyPath, setPath, deepMerge, parseScalar, parseValuesBlock,
  type Values, type GeneratedValues,
} from './values.js';
export {
  FIELD_MANAGER, readNamespace, guardNamespace, namespaceManifest, applyManifests, ensureNamespace, claimNamespace, isAlreadyExists,
  type KubeObject, type NamespaceState, type EnsuredNamespace,
} from './namespace.js';
export {
  DEFAULT_QUOTA, DEFAULT_LIMITS, GUARDRAIL_NAME, guardrailManifests, parseQuotaInput, parseLimitRangeInput, parseEgressAllow,
  parseQuantityToggle, type GuardrailOptions, type Toggle, type EgressRule,
} from './guardrails.js';
export {
  PENDING_STATUSES, getReleaseStatus, getReleaseHistory, parseReleaseStatus, parseReleaseHistory, planRecovery, describeRecovery,
  recoverStuckRelease, applyRecovery, describeInProgress, IN_PROGRESS_HINT, type ReleaseStatus, type HistoryEntry, type Recovery, type RecoveryClock,
} from './release.js';
export {
  collectDiagnostics, renderDiagnostics, mergeDiagnostics, parseWarningEvents, parseUnreadyPods, headlineReasons,
  type Diagnostics, type WarningEvent, type PodProblem,
} from './diagnostics.js';
export { listPreviewNamespaces, checkCap, type PreviewNamespace } from './cap.js';
export { planPreviewNames, type PreviewNames, type PreviewNameTemplates } from './plan.js';
export { deployPreview, stillWanted, releaseLabels, type DeployPlan, type DeployPorts, type DeployResult, type StillWanted } from './deploy.js';
export { WORKLOAD_KINDS, listWorkloads, waitForRollouts, requireWorkloads, rolledOut, type Workload, type WorkloadKind, type RolloutOutcome } from './rollout.js';
export {
  parseExpectStatus, statusExpected, parseHeaders, probeOnce, probeUntilReady, describeAttempt,
  type StatusRange, type AttemptOutcome, type ProbeOptions, type ProbeResult,
} from './probe.js';
export {
  parseApplicationRef, applicationState, applicationReady, hasSyncedRevision, describeApplication, waitForApplication, type ApplicationRef, type ApplicationState } from './argocd.js';
export { splitCommandLine } from './smoke.js';
export { waitReady, renderPhases, type ReadyOptions, type ReadyResult, type Phase } from './ready.js';
export { parseJUnit, renderJUnit, junitCounts, type JUnitResult, type JUnitFailure } from './junit.js';
export {
  uninstallRelease, deleteNamespace, deleteMarkedNamespaces, isSystemNamespace, notOwnedReason, describeStuck,
  type KubeCli, type Owner, type UninstallOptions, type DeleteNamespaceOptions, type MarkedNamespaceRef,
} from './removal.js';
export { listMarkedNamespaces, markNamespaceWarned, listReleasesByNamespace, WARNED_AT_ANNOTATION, type MarkedNamespace, type ReleaseRef } from './inventory.js';
export { checkQuantity, isCountResource, type QuantityCheck } from './quantity.js';
export { appSecretManifest, dataChecksum, CHECKSUM_ANNOTATION } from './app-secret.js';
