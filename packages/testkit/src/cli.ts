/**
 * `npm run sandbox -- env [--only kube,github,vault,ecr,registry]`: starts the stand-ins, prints
 * one `export NAME=value` line per client setting, then `ready`, and runs until SIGINT/SIGTERM,
 * when it stops every child process it started.
 * `npm run sandbox` (no arguments): plays the whole preview lifecycle story (see story.ts).
 * `npm run sandbox -- gitlab`: plays the GitLab story (gitlab-story.ts; needs `npm run build` first).
 */
import { SANDBOX_PARTS, startSandbox, type SandboxPart } from '@preview-fleet/sandbox';

function parseOnly(argv: string[]): SandboxPart[] | undefined {
  const i = argv.findIndex((a) => a === '--only' || a.startsWith('--only='));
  if (i < 0) return undefined;
  const raw = argv[i]!.includes('=') ? argv[i]!.split('=')[1]! : (argv[i + 1] ?? '');
  const parts = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = parts.filter((p) => !(SANDBOX_PARTS as readonly string[]).includes(p));
  if (parts.length === 0 || unknown.length) {
    throw new Error(`--only takes a comma-separated list of ${SANDBOX_PARTS.join(', ')}; got "${raw}"`);
  }
  return parts as SandboxPart[];
}

const shellQuote = (v: string): string => (/^[\w@%+=:,./-]*$/.test(v) ? v : `'${v.replace(/'/g, `'\\''`)}'`);

async function env(argv: string[]): Promise<void> {
  const sandbox = await startSandbox({ only: parseOnly(argv) });
  for (const [name, value] of Object.entries(sandbox.env))
    process.stdout.write(`export ${name}=${shellQuote(value)}\n`);
  process.stdout.write('ready\n');
  // Handlers stay installed while stopping: a second signal (tsx relays one, a person presses
  // Ctrl-C twice) must not kill us before the child processes are stopped.
  let stopping: Promise<void> | undefined;
  await new Promise<void>((resolve) => {
    const onSignal = () => {
      stopping ??= sandbox.stop();
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await stopping;
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'env') return env(rest);
  if (command === undefined || command === 'story') {
    const { playStory } = await import('./story.js');
    process.exitCode = (await playStory()) ? 0 : 1;
    return;
  }
  if (command === 'gitlab') {
    const { playGitLabStory } = await import('./gitlab-story.js');
    process.exitCode = (await playGitLabStory()) ? 0 : 1;
    return;
  }
  throw new Error(
    `unknown command "${command}": use "env [--only parts]", "gitlab", or no argument for the lifecycle story`,
  );
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
