/**
 * An action's action.yml against its code: exactly the inputs `parseInputs` reads, each with a
 * description, and the same defaults the code assumes (the runner fills defaults from action.yml,
 * the unit tests from the code's DEFAULTS, so the two must agree).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { expect } from 'vitest';

export interface ActionYml {
  inputs: Record<string, { default?: unknown; description?: string }>;
  outputs: Record<string, { description?: string }>;
}

export function expectDeclaredInputs(
  actionDir: string,
  names: readonly string[],
  defaults: Partial<Record<string, string>>,
): ActionYml {
  const yml = parse(readFileSync(join(actionDir, 'action.yml'), 'utf8')) as ActionYml;
  expect(Object.keys(yml.inputs).sort()).toEqual([...names].sort());
  for (const name of names) {
    expect(yml.inputs[name]!.description, `${name} has a description`).toBeTruthy();
    expect([name, String(yml.inputs[name]!.default ?? '')]).toEqual([name, defaults[name] ?? '']);
  }
  return yml;
}
