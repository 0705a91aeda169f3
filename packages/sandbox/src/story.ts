/**
 * The whole preview lifecycle played with the bundled actions against the sandbox. Grows with the
 * actions; returns true only when every step did what it should.
 */
import { startSandbox } from './index.js';

export async function playStory(): Promise<boolean> {
  const sandbox = await startSandbox();
  try {
    console.log(`sandbox up: ${sandbox.parts.join(', ')}`);
    return true;
  } finally {
    await sandbox.stop();
  }
}
