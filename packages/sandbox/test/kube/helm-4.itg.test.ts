import { defineHelmSuite } from './helm-suite.js';

// helm 4.1.4: kstatus watch-based --wait, server-side apply, --rollback-on-failure.
defineHelmSuite(4);
