/**
 * Where build-push's images live, as one interface over the two real APIs: ECR's own
 * (DescribeImages, BatchGetImage + PutImage) when the push host is the ECR registry, the OCI
 * distribution API (HEAD / GET / PUT manifests) for any other push host (`registry` override or
 * `ecr: false`). Both look a tag up and point a second tag at an existing image without pulling or
 * rebuilding it.
 */
import { log } from '../runtime/index.js';
import type { EcrSession } from './client.js';
import { findImage, tagImageInEcr } from './images.js';
import { findImageInRegistry, tagImageInRegistry } from './manifest.js';

export interface ImageStore {
  /** `ECR` or the push host, for messages. */
  where: string;
  /** The image's digest when `tag` is there; undefined when it is not or that cannot be told (then: build). */
  find(tag: string): Promise<string | undefined>;
  /** Points `to` at the image `from` names; returns the digest. */
  tag(from: string, to: string): Promise<string>;
}

export interface ImageStoreOptions {
  ecr?: EcrSession;
  /** The ECR registry's host when ecr is set (the repository URI's host). */
  ecrHost?: string;
  pushHost: string;
  repository: string;
  /** Credentials for the push host's manifest API (the ECR token, or the builder's saved login). */
  credentials?: { username: string; password: string };
  requestTimeoutMs: number;
}

/** ECR's API when we push to ECR itself, the registry's manifest API otherwise. */
export function imageStore(o: ImageStoreOptions): ImageStore {
  const ecr = o.ecr;
  if (ecr && o.pushHost === o.ecrHost) {
    return {
      where: 'ECR',
      find: async (tag) => (await findImage(ecr, o.repository, tag))?.digest,
      tag: (from, to) => tagImageInEcr(ecr, o.repository, from, to),
    };
  }
  const common = {
    host: o.pushHost,
    repository: o.repository,
    credentials: o.credentials,
    requestTimeoutMs: o.requestTimeoutMs,
  };
  return {
    where: o.pushHost,
    find: async (tag) => {
      const lookup = await findImageInRegistry({ ...common, tag });
      if (lookup.found) return lookup.digest;
      if (lookup.reason)
        log.info(`Could not tell whether ${o.repository}:${tag} exists on ${o.pushHost} (${lookup.reason}); building`);
      return undefined;
    },
    tag: (from, to) => tagImageInRegistry({ ...common, from, to }),
  };
}
