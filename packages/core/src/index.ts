export * from './runtime/index.js';
export * from './clock.js';
export * from './retry.js';
export * from './exec.js';
export * from './context.js';
export * from './naming.js';
export * from './marks.js';
export * from './removal.js';
