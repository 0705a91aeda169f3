/**
 * Build and push with a registry layer cache, as argv arrays. docker: one `buildx build --push`
 * with `type=registry` cache (ECR needs `image-manifest=true,oci-mediatypes=true` for cache
 * manifests, per AWS's BuildKit remote-cache announcement). podman (4.x): `build` then
 * `push --digestfile`; its `--cache-from`/`--cache-to` take a bare repository and store cache
 * entries as tags in it. Either way the digest comes from the push itself.
 * Build-arg values reach the builder's argv (`ps` shows them) but never the log: the logged
 * command shows `KEY=***`. Values that are secrets go through BuildKit secret mounts instead:
 * `--secret id=<id>,env=<VAR>` (docker buildx and podman ≥ 4.x alike; checked on podman 4.3.1)
 * with the value only in the builder's environment, read in the Dockerfile by
 * `RUN --mount=type=secret,id=<id>` and never stored in a layer or the cache.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Clock, systemClock } from '../clock.js';
import { CommandError, describeCommand, lastLines, runCommand } from '../exec.js';
import { retry, type Transience } from '../retry.js';
import { ActionError, group, log } from '../runtime/index.js';
import type { Builder } from './login.js';

/** The tag docker's registry cache lives under, next to the images in the same repository. */
export const CACHE_TAG = 'buildcache';

export interface BuildOptions {
  builder: Builder;
  context: string;
  /** The Dockerfile. */
  file: string;
  /** `host/repository:tag` */
  image: string;
  /** Registry cache: `host/repository` (see cacheRefFor); undefined builds without a cache. */
  cacheRepository?: string;
  buildArgs?: ReadonlyMap<string, string>;
  /** BuildKit secrets, id → value (masked by the caller); passed by environment, never argv. */
  secrets?: ReadonlyMap<string, string>;
  target?: string;
  platforms?: readonly string[];
  /** Directory for the metadata / digest file. */
  workDir: string;
  env?: Record<string, string | undefined>;
  clock?: Clock;
  /** Attempts for registry 5xx / 429 during the push (default 3). */
  attempts?: number;
}

export interface BuildResult {
  /** The manifest digest the registry accepted. */
  digest: string;
  /** The build reused at least one cached layer. */
  cacheHit: boolean;
}

function common(o: BuildOptions): string[] {
  const args = ['--tag', o.image, '--file', o.file];
  if (o.target) args.push('--target', o.target);
  if (o.platforms && o.platforms.length > 0) args.push('--platform', o.platforms.join(','));
  for (const [k, v] of o.buildArgs ?? []) args.push('--build-arg', `${k}=${v}`);
  [...(o.secrets?.keys() ?? [])].forEach((id, i) => args.push('--secret', `id=${id},env=${secretEnvName(i)}`));
  return args;
}

/** The environment variable that carries the `index`-th secret to the builder (ids may hold `.` and `-`, names may not). */
export const secretEnvName = (index: number): string => `PREVIEW_FLEET_BUILD_SECRET_${index}`;

/** The builder's extra environment: each secret's value under its secretEnvName. */
export function secretEnv(o: Pick<BuildOptions, 'secrets'>): Record<string, string> {
  return Object.fromEntries([...(o.secrets?.values() ?? [])].map((v, i) => [secretEnvName(i), v]));
}

/** An argv as it may be shown: every `--build-arg KEY=value` as `KEY=***`. */
export function displayArgv(argv: readonly string[]): string[] {
  return argv.map((a, i) =>
    i > 0 && argv[i - 1] === '--build-arg' && a.includes('=') ? `${a.slice(0, a.indexOf('='))}=***` : a,
  );
}

export const metadataFile = (workDir: string): string => join(workDir, 'build-metadata.json');
export const digestFile = (workDir: string): string => join(workDir, 'image.digest');

/** The command lines for one build and push (pure; the target of the argv tests). */
export function buildCommands(o: BuildOptions): string[][] {
  if (o.builder === 'docker') {
    const cache = o.cacheRepository
      ? [
          '--cache-from',
          `type=registry,ref=${o.cacheRepository}:${CACHE_TAG}`,
          '--cache-to',
          `type=registry,ref=${o.cacheRepository}:${CACHE_TAG},mode=max,image-manifest=true,oci-mediatypes=true`,
        ]
      : [];
    return [
      [
        'docker',
        'buildx',
        'build',
        '--push',
        ...common(o),
        ...cache,
        '--metadata-file',
        metadataFile(o.workDir),
        o.context,
      ],
    ];
  }
  const cache = o.cacheRepository ? ['--cache-from', o.cacheRepository, '--cache-to', o.cacheRepository] : [];
  return [
    ['podman', 'build', ...common(o), ...cache, o.context],
    ['podman', 'push', '--digestfile', digestFile(o.workDir), o.image],
  ];
}

const REGISTRY_TRANSIENT =
  /\b(429|500|502|503|504)\b|too many requests|toomanyrequests|service unavailable|bad gateway|gateway timeout|internal server error|connection reset by peer|i\/o timeout|TLS handshake timeout/i;

/** A command that failed on registry throttling, a 5xx or a dropped connection (a cache pull/push or the image push). */
export function classifyRegistryError(err: unknown): Transience {
  // Only the error's own last lines: a build's step output may print anything.
  if (err instanceof CommandError)
    return { transient: REGISTRY_TRANSIENT.test(lastLines(err.stderr || err.stdout, 3)) };
  return { transient: false };
}

/** The last lines of both streams (podman prints steps on stdout and the error on stderr). */
function tailOf(err: unknown): string {
  if (!(err instanceof CommandError)) return err instanceof Error ? err.message : String(err);
  const out = lastLines(err.stdout, 10);
  const errText = lastLines(err.stderr, 15);
  return [out, errText].filter(Boolean).join('\n') || `exit code ${err.exitCode}`;
}

const CACHE_USED = /^(--> Using cache|#\d+ CACHED|#\d+ \[.*\] CACHED)/m;

function readDigest(o: BuildOptions): string {
  if (o.builder === 'docker') {
    const meta = JSON.parse(readFileSync(metadataFile(o.workDir), 'utf8')) as Record<string, unknown>;
    const d = meta['containerimage.digest'];
    if (typeof d === 'string' && /^sha256:[0-9a-f]{64}$/.test(d)) return d;
    throw new ActionError(`docker buildx wrote no containerimage.digest to ${metadataFile(o.workDir)}`);
  }
  const d = readFileSync(digestFile(o.workDir), 'utf8').trim();
  if (!/^sha256:[0-9a-f]{64}$/.test(d))
    throw new ActionError(`podman push wrote no digest to ${digestFile(o.workDir)}`);
  return d;
}

/** Builds and pushes inside a log group; a failure carries the builder's last lines. */
export async function buildAndPush(o: BuildOptions): Promise<BuildResult> {
  const [build, push] = buildCommands(o) as [string[], string[] | undefined];
  const clock = o.clock ?? systemClock;
  const attempts = o.attempts ?? 3;
  return group(`Build and push ${o.image} (${o.builder})`, async () => {
    let output = '';
    const step = async (argv: string[], what: string): Promise<void> => {
      const display = displayArgv(argv);
      log.info(`$ ${describeCommand(display)}`);
      try {
        // Secrets go to the build's environment only (not the push's).
        const env = argv === build ? { ...o.env, ...secretEnv(o) } : o.env;
        const res = await retry(
          () =>
            runCommand(argv, {
              env,
              stream: true,
              display,
              waitingFor: `${o.builder} (${what.toLowerCase()} of ${o.image})`,
            }),
          {
            attempts,
            baseMs: 1000,
            clock,
            classify: classifyRegistryError,
            onRetry: ({ attempt, waitMs }) =>
              log.warning(`${what} of ${o.image} hit a registry error (attempt ${attempt}); retrying in ${waitMs} ms`),
          },
        );
        output += `${res.stdout}\n${res.stderr}\n`;
      } catch (err) {
        throw new ActionError(`${what} of "${o.image}" with ${o.builder} failed:\n${tailOf(err)}`, { cause: err });
      }
    };
    await step(build, o.builder === 'docker' ? 'Build and push' : 'Build');
    if (push) await step(push, 'Push');
    const digest = readDigest(o);
    log.info(`Pushed ${o.image}@${digest}`);
    return { digest, cacheHit: CACHE_USED.test(output) };
  });
}

/** Where the registry cache lives: the image's own repository (`host/repository`), or none. */
export function cacheRepositoryFor(cache: 'registry' | 'none', host: string, repository: string): string | undefined {
  return cache === 'registry' ? `${host}/${repository}` : undefined;
}
