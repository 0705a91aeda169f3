import { defineHelmSuite } from './helm-suite.js';

// helm 3.17.3 (with kubectl 1.31): the legacy poll-based --wait, --atomic.
defineHelmSuite(3);
