import { runAction } from '@preview-fleet/core';
import { main, validate } from './main.js';
await runAction(main, { validate });
