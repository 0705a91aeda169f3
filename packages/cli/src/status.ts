/**
 * `preview-fleet status`: what the merge request's note says now (our note only: marker and
 * author), printed as the table the note shows. Reads only.
 */
import { log } from '@preview-fleet/core';
import { readStatusNotes } from '@preview-fleet/core/forge';
import { renderStatusTable } from '@preview-fleet/core/github';
import { noteAuthor, type CliContext } from './context.js';

export async function status(c: CliContext): Promise<void> {
  const pr = c.pr!;
  const author = await noteAuthor(c);
  const [mr, read] = await Promise.all([c.forge.getChangeRequest(pr), readStatusNotes(c.forge, pr, author)]);
  log.info(
    `!${pr} (${c.forge.changeRequestUrl(pr)}): ${mr ? `${mr.state}${mr.merged ? ', merged' : ''}, labels ${mr.labels.join(', ') || 'none'}` : 'does not exist'}`,
  );
  if (read.ours.length === 0) log.info(`No preview-fleet note by ${author} on !${pr}`);
  else log.info(renderStatusTable(read.held, { serverUrl: c.job.serverUrl, repository: c.job.projectPath }));
  if (read.foreign.length) log.info(`Ignored ${read.foreign.length} marker note(s) not written by ${author}`);
}
