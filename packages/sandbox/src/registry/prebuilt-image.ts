/**
 * Pushes a tiny hand-made OCI image (one layer holding one file) to the registry with plain HTTP
 * calls of the distribution API — for tests that need an image in the registry on a machine
 * without podman. Upload per the OCI distribution spec: `POST /v2/<name>/blobs/uploads/` →
 * `Location`, then `PUT <location>?digest=…` with the whole blob (monolithic upload).
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

export interface PrebuiltImage {
  /** The manifest digest the registry reports (Docker-Content-Digest). */
  digest: string;
  /** host/repository:tag */
  image: string;
}

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** A one-file ustar archive (512-byte header, data padded to 512, two zero blocks). */
function tarOf(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512);
  const put = (text: string, at: number, len: number): void => {
    header.write(text.slice(0, len), at, 'ascii');
  };
  put(name, 0, 100);
  put('0000644\0', 100, 8);
  put('0000000\0', 108, 8);
  put('0000000\0', 116, 8);
  put(`${content.length.toString(8).padStart(11, '0')}\0`, 124, 12);
  put('00000000000\0', 136, 12);
  put('        ', 148, 8);
  put('0', 156, 1);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  let sum = 0;
  for (const byte of header) sum += byte;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  const pad = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, pad, Buffer.alloc(1024)]);
}

async function pushBlob(host: string, repo: string, blob: Buffer): Promise<string> {
  const digest = sha(blob);
  const start = await fetch(`http://${host}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  await start.arrayBuffer();
  const location = start.headers.get('location');
  if (start.status !== 202 || location === null) throw new Error(`blob upload start: HTTP ${start.status}`);
  const url = new URL(location, `http://${host}`);
  url.searchParams.set('digest', digest);
  const put = await fetch(url, { method: 'PUT', body: blob, headers: { 'content-type': 'application/octet-stream' } });
  await put.arrayBuffer();
  if (put.status !== 201) throw new Error(`blob upload: HTTP ${put.status}`);
  return digest;
}

/** Pushes `repository:tag` holding `/hello.txt` with `content` (vary it for distinct digests). */
export async function prebuiltImage(opts: {
  registryHost: string;
  repository: string;
  tag: string;
  content?: string;
}): Promise<PrebuiltImage> {
  const { registryHost: host, repository: repo, tag } = opts;
  const tar = tarOf('hello.txt', Buffer.from(opts.content ?? 'hello\n'));
  const layer = gzipSync(tar);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: {},
      rootfs: { type: 'layers', diff_ids: [sha(tar)] },
    }),
  );
  const layerDigest = await pushBlob(host, repo, layer);
  const configDigest = await pushBlob(host, repo, config);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layerDigest, size: layer.length }],
  });
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${tag}`, {
    method: 'PUT',
    body: manifest,
    headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
  });
  await res.arrayBuffer();
  const digest = res.headers.get('docker-content-digest');
  if (res.status !== 201 || digest === null) throw new Error(`manifest put: HTTP ${res.status}`);
  return { digest, image: `${host}/${repo}:${tag}` };
}
