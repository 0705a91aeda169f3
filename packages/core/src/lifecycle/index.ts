export { planReap, planStale, type InventoryItem, type Decision, type PrPlan, type ReapPolicy } from './reap-plan.js';
export {
  teardownPreview,
  teardownMany,
  itemFromTargets,
  renderRemovalTable,
  type TeardownPorts,
  type TeardownTarget,
  type TeardownReport,
  type TeardownItem,
  type TeardownManyOptions,
} from './teardown.js';
export {
  reapOrphans,
  takeInventory,
  renderReapPlan,
  REAP_KINDS,
  type ReapKind,
  type ReaperPorts,
  type ReaperInventoryPorts,
  type ReapOptions,
  type ReapOutcome,
  type PlannedPr,
} from './reap.js';
export { runBounded } from './bounded.js';
export {
  runBundledStep,
  parseFileCommands,
  inputEnvName,
  type StepResult,
  type RunStepOptions,
  type BufferedStepResult,
} from './run-step.js';
export { bindTeardownPorts, once, type TeardownAdapters } from './teardown-ports.js';
export { announceTeardown, type AnnounceOptions } from './teardown-comment.js';
export {
  parseVaultInputs,
  VAULT_INPUT_DEFAULTS,
  VAULT_INPUT_NAMES,
  VAULT_SECRET_INPUTS,
  type VaultInputs,
  type VaultInputName,
} from './removal-inputs.js';
export { bindReaperPorts, staleMarkText, staleCloseText, WARNING_MARKER, type ReaperAdapters } from './reap-ports.js';
export { removalClients, type RemovalClientOptions, type RemovalGitHubOptions } from './clients.js';
