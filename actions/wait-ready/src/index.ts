import { loadContext, runAction } from '@preview-fleet/core';
import { main } from './main.js';
import { parseInputs, readRawInputs } from './inputs.js';
await runAction(main, { validate: () => parseInputs(readRawInputs(), loadContext().pr?.headSha) });
