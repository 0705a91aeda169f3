import { defineKubectlSuite } from './api-kubectl-suite.js';

defineKubectlSuite('v31');
