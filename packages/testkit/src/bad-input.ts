/**
 * The shape every action's bad-input table shares, and the one assertion a bad input through
 * the bundle must satisfy: exit 1, exactly one ::error:: naming the input and what is accepted,
 * and no secret anywhere. Each action's table extends BadInput with its own run options.
 */
import { expect } from 'vitest';
import type { ActionRun } from './run-action-process.js';

export interface BadInput {
  name: string;
  inputs: Record<string, string>;
  /** The input the error must name. */
  input: string;
  message: RegExp;
}

export function expectInputRejected(r: ActionRun, c: BadInput): void {
  expect([c.name, r.exitCode]).toEqual([c.name, 1]);
  const errors = r.annotations.filter((a) => a.level === 'error');
  expect(errors, c.name).toHaveLength(1);
  expect(errors[0]!.message, c.name).toContain(`Input "${c.input}"`);
  expect(errors[0]!.message, c.name).toMatch(c.message);
  expect(r.leaks, c.name).toEqual([]);
}
