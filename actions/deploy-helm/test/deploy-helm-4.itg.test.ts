/** deploy-helm with the real Helm 4.1.4 and kubectl 1.34. */
import { majorSuite } from './deploy-helm-suite.js';

majorSuite(4);
