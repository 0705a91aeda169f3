import { afterEach, describe, expect, it } from 'vitest';
import { CommandError, describeCommand, forgetSecrets, rememberSecret, runCommand } from '../src/index.js';

afterEach(() => forgetSecrets());

describe('runCommand (argv only, redacted)', () => {
  it('passes arguments verbatim, never through a shell', async () => {
    const r = await runCommand([
      process.execPath,
      '-e',
      'console.log(JSON.stringify(process.argv.slice(1)))',
      'a b',
      '$(id)',
      '"q";rm -rf /',
    ]);
    expect(JSON.parse(r.stdout)).toEqual(['a b', '$(id)', '"q";rm -rf /']);
  });

  it('feeds stdin (for --password-stdin)', async () => {
    const r = await runCommand([process.execPath, '-e', 'process.stdin.pipe(process.stdout)'], { input: 'from-stdin' });
    expect(r.stdout).toBe('from-stdin');
  });

  it('fails naming the command, the exit code and the stderr tail, with secrets redacted', async () => {
    rememberSecret('hunter2-secret');
    const err = await runCommand([
      process.execPath,
      '-e',
      'console.error("line1\\nbad password hunter2-secret"); process.exit(3)',
      'hunter2-secret',
    ]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommandError);
    const msg = (err as CommandError).message;
    expect(msg).toMatch(/^Command ".*node.* -e .* \*\*\*" failed with exit code 3:\nline1\nbad password \*\*\*$/s);
    expect(msg).not.toContain('hunter2-secret');
  });

  it('shows `display` instead of the argv in its error (build-arg values hidden), running the real argv', async () => {
    const argv = [process.execPath, '-e', 'process.exit(process.argv[1].length === 13 ? 4 : 5)', 'K=plain-value'];
    const err = await runCommand(argv, { display: [...argv.slice(0, 3), 'K=***'] }).then(
      () => expect.unreachable(),
      (e: unknown) => e as CommandError,
    );
    expect(err.exitCode).toBe(4);
    expect(err.message).toContain('K=***');
    expect(err.message).not.toContain('plain-value');
  });

  it('accepts listed exit codes', async () => {
    const r = await runCommand([process.execPath, '-e', 'process.exit(2)'], { okExitCodes: [0, 2] });
    expect(r.exitCode).toBe(2);
  });

  it('describes commands for humans', () => {
    expect(describeCommand(['helm', 'upgrade', 'a b', '--set', 'x=1'])).toBe('helm upgrade "a b" --set x=1');
  });
});
