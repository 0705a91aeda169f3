/** Image lookup: "is this commit's tag already in the repository" (DescribeImages by tag). */
import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { awsErrorName, type EcrSession } from './client.js';

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
