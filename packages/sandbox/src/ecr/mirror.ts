/**
 * Copies an image manifest from the `registry` stand-in into moto with ECR PutImage, so
 * DescribeImages/BatchGetImage in moto see an image that was really pushed elsewhere.
 * Needed because moto is only the ECR control plane here (see ./index.ts).
 */
import { ECRClient, PutImageCommand } from '@aws-sdk/client-ecr';
import type { MotoStandIn } from './index.js';

export interface MirrorOptions {
  /** 127.0.0.1:PORT of the registry the image was pushed to. */
  registryHost: string;
  repository: string;
  tag: string;
}

const ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

/** Reads `repository:tag`'s manifest from the registry and PutImage's it into moto; returns moto's imageDigest. */
export async function mirrorToMoto(ecr: MotoStandIn, opts: MirrorOptions): Promise<string> {
  const res = await fetch(`http://${opts.registryHost}/v2/${opts.repository}/manifests/${opts.tag}`, {
    headers: { accept: ACCEPT },
  });
  if (!res.ok) throw new Error(`registry manifest ${opts.repository}:${opts.tag}: HTTP ${res.status}`);
  const manifest = await res.text();
  const mediaType = res.headers.get('content-type') ?? undefined;
  const client = new ECRClient({
    region: ecr.region,
    endpoint: ecr.endpoint,
    credentials: { accessKeyId: ecr.accessKeyId, secretAccessKey: ecr.secretAccessKey },
  });
  try {
    const out = await client.send(
      new PutImageCommand({
        repositoryName: opts.repository,
        imageManifest: manifest,
        imageManifestMediaType: mediaType,
        imageTag: opts.tag,
      }),
    );
    const digest = out.image?.imageId?.imageDigest;
    if (digest === undefined) throw new Error('moto PutImage returned no digest');
    return digest;
  } finally {
    client.destroy();
  }
}
