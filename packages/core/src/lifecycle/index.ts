export { planReap, planStale, type InventoryItem, type Decision, type PrPlan, type ReapPolicy } from './reap-plan.js';
export { teardownPreview, renderRemovalTable, type TeardownPorts, type TeardownTarget, type TeardownReport } from './teardown.js';
export { runBounded } from './bounded.js';
export { runBundledStep, parseFileCommands, inputEnvName, type StepResult } from './run-step.js';
