import { runAction } from '@preview-fleet/core';
import { main, prepare } from './main.js';
await runAction(main, { validate: prepare });
