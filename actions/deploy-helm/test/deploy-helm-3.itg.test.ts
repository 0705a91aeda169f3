/** deploy-helm with the real Helm 3.17.3 and kubectl 1.31. */
import { majorSuite } from './deploy-helm-suite.js';

majorSuite(3);
