import { runAction } from '@preview-fleet/core';
import { main } from './main.js';
await runAction(main);
