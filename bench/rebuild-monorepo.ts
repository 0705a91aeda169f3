/**
 * A push touching 1 of 6 services (issue 18 §2): the bundled build-push run for six services of
 * one git monorepo against moto (ECR API) and the loopback registry with real podman, each round
 * on empty podman storage as a fresh runner would be. Rounds: the first push (six builds), a push
 * touching one service's context with content tags (goal: one image built), and the same push
 * with content-tag empty, i.e. tags by head SHA only (what every push cost before: six builds).
 * Images built are counted from the registry's own tags (content tags are one per image), and
 * the wall time is the six processes' start → exit, one after another as one job would run them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMoto } from '@preview-fleet/sandbox/ecr';
import { podmanEnv, startRegistry, systemToolsAvailable } from '@preview-fleet/sandbox/registry';
import { makeMonorepo, registryTags, SERVICES } from '@preview-fleet/testkit/monorepo';
import { pullRequestEvent } from '@preview-fleet/testkit/events';
import { repoRoot } from '@preview-fleet/testkit/tools';
import { runActionProcess } from '@preview-fleet/testkit/run-action-process';
import { writeSection } from './report.js';

const PR = 9;
const GOAL_BUILT = 1;
/** Each image's incompressible layer: a small application's weight, so a build costs something. */
const PAYLOAD_MB = 24;

interface Round {
  name: string;
  /** Images the registry gained (new content tags, or new head-SHA tags with content-tag empty). */
  imagesBuilt: number;
  /** Runs that said built=true. */
  builtOutputs: number;
  wallMs: number;
  slowestReuseMs?: number;
}

export async function run(): Promise<string> {
  const tools = systemToolsAvailable();
  if (!tools.podman || !tools.registry) {
    const md = `## rebuild-monorepo — a push touching 1 of 6 services\n\nNot measured: ${tools.reason}.`;
    writeSection('rebuild-monorepo', md);
    return md;
  }
  const scratch = mkdtempSync(join(tmpdir(), 'pf-bench-monorepo-'));
  const repo = makeMonorepo({ payloadBytes: PAYLOAD_MB * 1024 * 1024 });
  const [moto, registry] = await Promise.all([startMoto(), startRegistry()]);
  const countTags = async (pick: (t: string) => boolean): Promise<number> => {
    let n = 0;
    for (const s of SERVICES) n += (await registryTags(registry.host, `${s}-preview-${PR}`)).filter(pick).length;
    return n;
  };
  const isContent = (t: string): boolean => t.startsWith('build-');
  let storage = 0;
  const round = async (name: string, extra: Record<string, string>, count: (t: string) => boolean): Promise<Round> => {
    const before = await countTags(count);
    // Empty podman storage per round: a fresh runner, so nothing comes from a local layer cache.
    const env = {
      ...moto.env,
      ...podmanEnv({ registryHost: registry.host, workDir: join(scratch, `podman-${storage++}`) }),
    };
    const headSha = repo.head();
    let wallMs = 0;
    let builtOutputs = 0;
    let slowestReuseMs: number | undefined;
    for (const s of SERVICES) {
      const r = await runActionProcess(join(repoRoot, 'actions', 'build-push'), {
        inputs: { builder: 'podman', registry: registry.host, ...repo.inputs(s), ...extra },
        event: pullRequestEvent('synchronize', { number: PR, repository: 'acme/shop', headSha }),
        eventName: 'pull_request',
        repository: 'acme/shop',
        env,
        cwd: repo.dir,
      });
      if (r.exitCode !== 0) throw new Error(`build-push ${s} failed:\n${r.log}`);
      wallMs += r.durationMs;
      if (r.outputs.built === 'true') builtOutputs++;
      else slowestReuseMs = Math.max(slowestReuseMs ?? 0, r.durationMs);
    }
    return { name, imagesBuilt: (await countTags(count)) - before, builtOutputs, wallMs, slowestReuseMs };
  };
  try {
    const first = await round('first push (six new services)', {}, isContent);
    repo.commit({ 'services/checkout/main.txt': 'checkout v2\n' }, 'checkout v2');
    const one = await round('push touching `checkout` — content tags', {}, isContent);
    const sha = repo.commit({ 'services/checkout/main.txt': 'checkout v3\n' }, 'checkout v3');
    const full = await round(
      'the same push, `content-tag: ""` (head-SHA tags: before issue 18)',
      { 'content-tag': '' },
      (t) => t === `preview-${sha}`,
    );
    const s = (ms: number | undefined): string => (ms === undefined ? '—' : `${(ms / 1000).toFixed(2)} s`);
    const md = `## rebuild-monorepo — a push touching 1 of 6 services

Six services of one git monorepo (each \`FROM scratch\` + a ${PAYLOAD_MB} MB incompressible layer + one small
file of its own context; one Dockerfile outside its context), pushed by the bundled \`build-push\` (Node 24) with real
\`podman\` to the loopback registry, moto for the ECR API, \`cache: none\`, empty podman storage
per round (a fresh runner). Images built are counted from the registry's tags lists (one
content tag per image), not from our outputs. Wall time: the six processes one after another.

Goal: images built on a push touching 1 of 6 = ${GOAL_BUILT} — **${one.imagesBuilt === GOAL_BUILT ? 'met' : 'missed'}** (${one.imagesBuilt});
wall time ${s(one.wallMs)} against ${s(full.wallMs)} for the full rebuild (**${(full.wallMs / one.wallMs).toFixed(1)}×** faster).

| round | images built (registry) | built=true outputs | wall time, 6 services | slowest reuse (alias only) |
| --- | --- | --- | --- | --- |
${[first, one, full].map((r) => `| ${r.name} | ${r.imagesBuilt} | ${r.builtOutputs} | ${s(r.wallMs)} | ${s(r.slowestReuseMs)} |`).join('\n')}

The five untouched services get their existing image under the new head-SHA tag (a manifest PUT,
no pull, no build) and keep \`image\` = the same content tag, so \`helm upgrade\` renders the
same pod template: Helm still records a new revision, but Kubernetes rolls nothing out (no new
ReplicaSet, no pod restarts). A reuse costs one build-push process (Node start and bundle load),
the ECR repository check, hashing the context with git and one manifest GET + PUT; a build adds
podman's build, compression and push of the ${PAYLOAD_MB} MB layer. With real application images
(minutes of dependency installs and compiles) the saving is the five builds' minutes; here it is
their compression and push.`;
    writeSection('rebuild-monorepo', md);
    return md;
  } finally {
    await Promise.all([moto.stop(), registry.stop()]);
    repo.remove();
    rmSync(scratch, { recursive: true, force: true });
  }
}
