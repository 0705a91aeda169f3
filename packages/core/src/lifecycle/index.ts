export { planReap, planStale, type InventoryItem, type Decision, type PrPlan, type ReapPolicy } from './reap-plan.js';
export { teardownPreview, renderRemovalTable, type TeardownPorts, type TeardownTarget, type TeardownReport } from './teardown.js';
export { runBounded } from './bounded.js';
export { runBundledStep, parseFileCommands, inputEnvName, type StepResult, type RunStepOptions, type BufferedStepResult } from './run-step.js';
