/**
 * The CLI's settings: every input of the all-in-one action (settings.generated.json, generated
 * from action.yml by scripts/cli-docs.mjs) plus the CLI's own. One rule for all of them:
 * `--name value` / `--name=value` wins over `PREVIEW_FLEET_NAME`, which wins over the default.
 */
import { InputError } from '@preview-fleet/core';
import { inputEnvName } from '@preview-fleet/core/lifecycle';
import settingsJson from './settings.generated.json' with { type: 'json' };

export const SETTINGS: Record<string, { default: string; description: string }> = settingsJson;

export const COMMANDS = ['deploy', 'teardown', 'reap', 'status'] as const;
export type Command = (typeof COMMANDS)[number];

/** `vault-addr` → `PREVIEW_FLEET_VAULT_ADDR`. */
export function settingEnvName(name: string): string {
  return `PREVIEW_FLEET_${name.replace(/-/g, '_').toUpperCase()}`;
}

export interface Invocation {
  command: Command;
  /** Every setting, resolved (flag, else environment, else default). */
  values: Record<string, string>;
  /** Which settings were given (by flag or environment), not defaulted. */
  given: Set<string>;
}

/** Parses argv (without node and the script); every error names the argument and what is accepted. */
export function parseInvocation(argv: readonly string[], env: Record<string, string | undefined>): Invocation {
  const [command, ...rest] = argv;
  if (!command || !(COMMANDS as readonly string[]).includes(command))
    throw new InputError(
      'command',
      command ?? '',
      `must be one of ${COMMANDS.join(', ')}`,
      'e.g. preview-fleet deploy',
    );
  const flags = new Map<string, string>();
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const m = /^--([a-z0-9-]+)(?:=(.*))?$/s.exec(arg);
    if (!m)
      throw new InputError('argument', arg, 'must be a flag like --vault-addr https://vault:8200 or --label=preview');
    const name = m[1]!;
    if (!SETTINGS[name])
      throw new InputError(`--${name}`, arg, 'must be a known setting', 'packages/cli/README.md lists every setting');
    let value = m[2];
    if (value === undefined) {
      value = rest[i + 1];
      if (value === undefined) throw new InputError(`--${name}`, '', 'needs a value (--name value or --name=value)');
      i++;
    }
    flags.set(name, value);
  }
  const values: Record<string, string> = {};
  const given = new Set<string>();
  for (const [name, spec] of Object.entries(SETTINGS)) {
    const fromEnv = env[settingEnvName(name)];
    const v = flags.get(name) ?? fromEnv;
    if (v !== undefined) given.add(name);
    values[name] = v ?? spec.default;
  }
  return { command: command as Command, values, given };
}

/** The runner-style `INPUT_*` variables the steps (and the actions' own input readers) read. */
export function inputEnv(values: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) out[inputEnvName(name)] = value;
  return out;
}
