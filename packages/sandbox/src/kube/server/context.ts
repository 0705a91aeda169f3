/**
 * What the Kubernetes request handlers share: the store, hooks, request log and admission chain.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Scenarios } from '../scenarios.js';
import type { KubeObject, ObjectStore, ResourceType } from '../storage/store.js';

/** What the router understood of a request; hooks see it before anything is read or written. */
export interface RequestInfo {
  method: string;
  path: string;
  query: URLSearchParams;
  /** Kubernetes verb: get, list, watch, create, update, patch, delete, deletecollection; or the HTTP method for non-resource paths. */
  verb: string;
  type?: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
  userAgent: string;
}

/**
 * Runs before a request is served. Return true after writing the response yourself (a 429, a
 * 500, a dropped connection); throw an ApiError to fail the request; await to add latency.
 */
export type RequestHook = (
  info: RequestInfo,
  req: IncomingMessage,
  res: ServerResponse,
) => boolean | void | Promise<boolean | void>;

/** What an admission hook sees for a write (quota, namespace rules). Throw an ApiError to deny. */
export interface AdmissionAttributes {
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  type: ResourceType;
  namespace?: string;
  name: string;
  object?: KubeObject;
  oldObject?: KubeObject;
  dryRun: boolean;
}

export type AdmissionHook = (a: AdmissionAttributes) => void;

export interface RequestLogEntry {
  method: string;
  path: string;
  query: string;
  status: number;
  ms: number;
  userAgent: string;
  contentType?: string;
}

/** Everything the request handlers share. */
export interface KubeContext {
  store: ObjectStore;
  clock: { now(): number };
  requestHooks: RequestHook[];
  admissionHooks: AdmissionHook[];
  log: RequestLogEntry[];
  counters: Map<string, number>;
  /** Namespace holds for deletion (namespaces.ts). */
  scenarios?: Scenarios;
  /** host:port, for /api's serverAddressByClientCIDRs. */
  hostPort: string;
}

export function admit(ctx: KubeContext, a: AdmissionAttributes): void {
  for (const hook of ctx.admissionHooks) hook(a);
}
