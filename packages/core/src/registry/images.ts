/** Image lookup ("is this tag already in the repository": DescribeImages by tag) and tagging an image ECR holds. */
import { BatchGetImageCommand, DescribeImagesCommand, PutImageCommand } from '@aws-sdk/client-ecr';
import { ActionError } from '../runtime/index.js';
import { awsErrorName, type EcrSession } from './client.js';
import { MANIFEST_TYPES } from './manifest.js';

export interface FoundImage {
  digest: string;
  tags: string[];
  pushedAt?: Date;
}

/** The image tagged `tag` in `repository`, or undefined (ImageNotFoundException) when there is none. */
export async function findImage(ecr: EcrSession, repository: string, tag: string): Promise<FoundImage | undefined> {
  try {
    const out = await ecr.call(`DescribeImages ${repository}:${tag}`, (c) =>
      c.send(
        new DescribeImagesCommand({
          repositoryName: repository,
          imageIds: [{ imageTag: tag }],
        }),
      ),
    );
    const d = out.imageDetails?.[0];
    if (!d?.imageDigest) return undefined;
    return { digest: d.imageDigest, tags: d.imageTags ?? [], pushedAt: d.imagePushedAt };
  } catch (err) {
    if (awsErrorName(err) === 'ImageNotFoundException') return undefined;
    throw err;
  }
}

/**
 * Points `to` at the image tagged `from` without pushing layers: BatchGetImage reads the
 * manifest, PutImage stores it under the new tag (AWS's documented way to retag an image).
 * ImageAlreadyExistsException — the tag already points at this manifest — is success. Returns
 * the image digest, or throws naming the missing image.
 */
export async function tagImageInEcr(ecr: EcrSession, repository: string, from: string, to: string): Promise<string> {
  const got = await ecr.call(`BatchGetImage ${repository}:${from}`, (c) =>
    c.send(
      new BatchGetImageCommand({
        repositoryName: repository,
        imageIds: [{ imageTag: from }],
        acceptedMediaTypes: MANIFEST_TYPES.split(', '),
      }),
    ),
  );
  const image = got.images?.[0];
  if (!image?.imageManifest)
    throw new ActionError(`ECR has no image ${repository}:${from} to tag as ${to}`, {
      hint: got.failures?.[0]?.failureReason,
    });
  try {
    await ecr.call(`PutImage ${repository}:${to}`, (c) =>
      c.send(
        new PutImageCommand({
          repositoryName: repository,
          imageManifest: image.imageManifest,
          imageManifestMediaType: image.imageManifestMediaType,
          imageTag: to,
        }),
      ),
    );
  } catch (err) {
    if (awsErrorName(err) !== 'ImageAlreadyExistsException') throw err;
  }
  return image.imageId?.imageDigest ?? '';
}
