import { describe, expect, it } from 'vitest';
import { splitCommandLine } from '../../src/kube/index.js';

describe('smoke-command split without a shell', () => {
  it.each([
    ['curl -fsS "$PREVIEW_URL/healthz"', ['curl', '-fsS', 'https://app-pr-1.example.com/healthz']],
    ['npx playwright test --grep "@smoke and fast"', ['npx', 'playwright', 'test', '--grep', '@smoke and fast']],
    ["echo '$PREVIEW_URL stays' ${PREVIEW_URL}", ['echo', '$PREVIEW_URL stays', 'https://app-pr-1.example.com']],
    ['echo $HOME a\\ b "" x', ['echo', '$HOME', 'a b', '', 'x']],
    ['  spaced   out  ', ['spaced', 'out']],
  ])('%s', (line, argv) => {
    expect(splitCommandLine('smoke-command', line, { PREVIEW_URL: 'https://app-pr-1.example.com' })).toEqual(argv);
  });

  it.each(['curl x | grep ok', 'a && b', 'a; b', 'echo $(id)', 'cat < f', 'echo `id`'])(
    'refuses shell syntax: %s',
    (line) => {
      expect(() => splitCommandLine('smoke-command', line)).toThrow(/runs without a shell/);
    },
  );

  it('refuses an unmatched quote', () => {
    expect(() => splitCommandLine('smoke-command', 'echo "open')).toThrow(/unmatched "/);
  });
});
