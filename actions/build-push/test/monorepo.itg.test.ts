/**
 * Issue 18 §2, "build only what changed": six services of one monorepo checkout, each pushed by
 * the bundled build-push with real podman. What was built is read from the registry's and moto's
 * own state (tags lists, manifest digests, DescribeImages), not from our outputs alone.
 */
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mirrorToMoto, startMoto, type MotoStandIn } from '@preview-fleet/sandbox/ecr';
import { podmanEnv, startRegistry, systemToolsAvailable, type RegistryStandIn } from '@preview-fleet/sandbox/registry';
import { makeMonorepo, registryDigest, registryTags, SERVICES, type Service } from '@preview-fleet/testkit/monorepo';
import type { ActionRun } from '@preview-fleet/testkit/run-action-process';
import { runBuildPush } from './fixture.js';

const tools = systemToolsAvailable();
const available = tools.podman && tools.registry;
if (!available) console.warn(`[skipped] build-push monorepo tests: ${tools.reason}`);

const PR = 7;
let moto: MotoStandIn;
let registry: RegistryStandIn;
let client: ECRClient;
const repo = makeMonorepo();
const scratch = mkdtempSync(join(tmpdir(), 'pf-monorepo-podman-'));

beforeAll(async () => {
  if (!available) return;
  [moto, registry] = await Promise.all([startMoto(), startRegistry()]);
  client = new ECRClient({
    region: moto.region,
    endpoint: moto.endpoint,
    credentials: { accessKeyId: moto.accessKeyId, secretAccessKey: moto.secretAccessKey },
  });
}, 60_000);

afterAll(async () => {
  client?.destroy();
  await Promise.all([moto?.stop(), registry?.stop()]);
  repo.remove();
  rmSync(scratch, { recursive: true, force: true });
});

const repository = (s: Service): string => `${s}-preview-${PR}`;
const isContent = (t: string): boolean => /^build-[0-9a-f]{40}$/.test(t);

/** Every service's build-push at the checkout's HEAD, one after another as a workflow's matrix would. */
async function pushAll(extra: Record<string, string> = {}, only: readonly Service[] = SERVICES) {
  const headSha = repo.head();
  const env = { ...moto.env, ...podmanEnv({ registryHost: registry.host, workDir: join(scratch, 'podman') }) };
  const runs = {} as Record<Service, ActionRun>;
  for (const s of only) {
    const r = await runBuildPush({
      pr: PR,
      headSha,
      inputs: { builder: 'podman', registry: registry.host, ...repo.inputs(s), ...extra },
      env,
      cwd: repo.dir,
    });
    expect(r.exitCode, r.log).toBe(0);
    expect(r.leaks).toEqual([]);
    runs[s] = r;
  }
  return { headSha, runs };
}

/** Per service: the content tags in its registry repository, and the digest each head-SHA tag names. */
async function registryState(shas: string[]) {
  const out = {} as Record<Service, { content: string[]; digests: Record<string, string | null> }>;
  for (const s of SERVICES) {
    const tags = await registryTags(registry.host, repository(s));
    const content = tags.filter(isContent);
    const digests: Record<string, string | null> = {};
    for (const t of [...content, ...shas.map((x) => `preview-${x}`)])
      digests[t] = await registryDigest(registry.host, repository(s), t);
    expect(tags.filter((t) => !isContent(t)).sort()).toEqual(shas.map((x) => `preview-${x}`).sort());
    out[s] = { content, digests };
  }
  return out;
}

describe.skipIf(!available)('build only what changed: six services, content-addressed tags (real podman)', () => {
  let first: Awaited<ReturnType<typeof pushAll>>;
  let second: Awaited<ReturnType<typeof pushAll>>;
  let third: Awaited<ReturnType<typeof pushAll>>;

  it('first push builds six images, each tagged by its inputs and by the head SHA', async () => {
    first = await pushAll();
    const state = await registryState([first.headSha]);
    for (const s of SERVICES) {
      expect(state[s].content, s).toHaveLength(1);
      const [tag] = state[s].content;
      expect(state[s].digests[`preview-${first.headSha}`]).toBe(state[s].digests[tag!]);
      expect(first.runs[s].outputs).toMatchObject({ built: 'true', 'image-source': 'built' });
      expect(first.runs[s].outputs.image).toBe(`${registry.host}/${repository(s)}:${tag}`);
      expect(first.runs[s].log).toContain('(context: git tree ');
    }
    expect(new Set(SERVICES.map((s) => state[s].content[0])).size).toBe(6);
  });

  it("a commit touching one service's context rebuilds exactly that image; the other five get only the new alias", async () => {
    repo.commit({ 'services/checkout/main.txt': 'checkout v2\n' }, 'checkout: v2');
    second = await pushAll();
    const state = await registryState([first.headSha, second.headSha]);
    const rebuilt = SERVICES.filter((s) => state[s].content.length === 2);
    expect(rebuilt).toEqual(['checkout']);
    // Seven images in the registry in all: six from the first push, one from this one.
    expect(SERVICES.reduce((n, s) => n + state[s].content.length, 0)).toBe(7);
    for (const s of SERVICES) {
      const image = second.runs[s].outputs.image!;
      const tag = image.slice(image.lastIndexOf(':') + 1);
      expect(state[s].digests[`preview-${second.headSha}`], s).toBe(state[s].digests[tag]);
      if (s === 'checkout') {
        expect(state[s].digests[`preview-${second.headSha}`]).not.toBe(state[s].digests[`preview-${first.headSha}`]);
      } else {
        // Same content tag as the first push: helm gets the same image string, an unchanged pod template.
        expect(image).toBe(first.runs[s].outputs.image);
        expect(state[s].digests[`preview-${second.headSha}`]).toBe(state[s].digests[`preview-${first.headSha}`]);
        expect(second.runs[s].log).not.toContain('podman build');
      }
    }
    expect(SERVICES.filter((s) => second.runs[s].outputs['image-source'] === 'built')).toEqual(['checkout']);
  });

  it('a Dockerfile outside the context and a build arg are build inputs: changing either changes the tag', async () => {
    const sha3 = repo.commit(
      { 'dockerfiles/users.Dockerfile': 'FROM scratch\nCOPY main.txt /srv/users.v2.txt\n' },
      'x',
    );
    third = await pushAll({}, ['users', 'cart']);
    expect(third.runs.users.outputs['image-source']).toBe('built');
    expect(third.runs.users.outputs.image).not.toBe(second.runs.users.outputs.image);
    expect(third.runs.cart.outputs.image).toBe(second.runs.cart.outputs.image);
    const arg = await pushAll({ 'build-args': 'FLAVOUR=blue' }, ['cart']);
    expect(arg.runs.cart.outputs['image-source']).toBe('built');
    expect(arg.runs.cart.outputs.image).not.toBe(third.runs.cart.outputs.image);
    expect((await registryTags(registry.host, repository('cart'))).filter(isContent)).toHaveLength(2);
    expect(await registryDigest(registry.host, repository('cart'), `preview-${sha3}`)).toBe(
      arg.runs.cart.outputs.digest,
    );
  });

  it('pushing to ECR itself: the content tags found by DescribeImages, the alias added by PutImage, nothing built', async () => {
    // moto is only ECR's API: mirror each service's current image into it, as ECR would hold what it received.
    const current = {} as Record<Service, string>;
    for (const s of SERVICES) {
      const image = (s === 'users' ? third : second).runs[s].outputs.image!;
      current[s] = image.slice(image.lastIndexOf(':') + 1);
      await mirrorToMoto(moto, { registryHost: registry.host, repository: repository(s), tag: current[s] });
    }
    const sha4 = repo.commit({ 'README.md': '# shop, documented\n' }, 'docs only');
    const before = (await moto.requestLog()).length;
    const ecrRound = await pushAll({ registry: '' });
    for (const s of SERVICES) {
      expect(ecrRound.runs[s].outputs, s).toMatchObject({ built: 'false', 'image-source': 'reused' });
      const images = (await client.send(new DescribeImagesCommand({ repositoryName: repository(s) }))).imageDetails!;
      expect(images, s).toHaveLength(1);
      expect(images[0]!.imageTags!.sort()).toEqual([current[s], `preview-${sha4}`].sort());
    }
    const calls = (await moto.requestLog()).slice(before).map((c) => c.target);
    expect(calls.filter((c) => c === 'PutImage')).toHaveLength(6);
    expect(calls.filter((c) => /LayerUpload|LayerPart/.test(c))).toEqual([]);
  });
});
