/** The model's commands as fast-check arbitraries, weighted so PRs get deployed, reaped and expired often. */
import fc from 'fast-check';
import { TIME_STEPS } from './names.js';
import {
  Advance,
  DeployAdvance,
  DeployStart,
  DeployStop,
  InjectFault,
  Open,
  PrEvent,
  Reap,
  Teardown,
  type Cmd,
} from './model.js';
import { FAULT_OPS, FAULT_SYSTEMS } from './world.js';

const idx = fc.nat({ max: 7 });

/** `n` copies of an arbitrary: fc.commands picks among its list uniformly, so copies are weights. */
const weight = <T>(n: number, a: fc.Arbitrary<T>): Array<fc.Arbitrary<T>> => Array.from({ length: n }, () => a);

/** Every command, weighted so PRs get deployed, reaped and expired often enough to matter. */
export const commandArbs: Array<fc.Arbitrary<Cmd>> = [
  ...weight(
    3,
    fc.tuple(fc.nat({ max: 1 }), fc.nat({ max: 4 })).map(([r, l]) => new Open(r, l > 0)),
  ),
  ...weight(
    3,
    fc
      .tuple(fc.constantFrom('push', 'label', 'unlabel', 'close', 'reopen', 'merge' as const), idx)
      .map(([k, i]) => new PrEvent(k, i)),
  ),
  ...weight(
    1,
    idx.map((i) => new DeployStart(i)),
  ),
  ...weight(
    2,
    idx.map((j) => new DeployAdvance(j, false)),
  ),
  ...weight(
    4,
    idx.map((j) => new DeployAdvance(j, true)),
  ),
  fc.tuple(idx, fc.constantFrom('cancelled', 'crashed' as const)).map(([j, h]) => new DeployStop(j, h)),
  ...weight(
    2,
    idx.map((i) => new Teardown(i)),
  ),
  ...weight(
    3,
    fc.nat({ max: 1 }).map((r) => new Reap(r)),
  ),
  ...weight(
    2,
    fc.constantFrom(...(Object.keys(TIME_STEPS) as Array<keyof typeof TIME_STEPS>)).map((b) => new Advance(b)),
  ),
  ...weight(
    2,
    fc
      .record({ op: fc.constantFrom(...FAULT_OPS), answer: fc.constantFrom('409', '429', '502', 'timeout' as const) })
      .map((f) => new InjectFault(f)),
  ),
  fc
    .record({ op: fc.constantFrom(...FAULT_SYSTEMS), answer: fc.constantFrom('502', 'timeout' as const) })
    .map((f) => new InjectFault({ ...f, calls: 20 })),
];
