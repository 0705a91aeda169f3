import { fileURLToPath } from 'node:url';
import { cli } from './main.js';

await cli(process.argv.slice(2), fileURLToPath(import.meta.url));
