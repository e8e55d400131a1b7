import { FAULT_KINDS, type EmulatorKnobs, type FaultKind } from './knobs.js';
import { createSeededRandom, type SeededRandom } from './prng.js';

/** A fault chosen for one request. */
export interface FaultDecision {
  kind: FaultKind;
  phase: 'before' | 'after';
}

/** A fault to inject into the next `count` requests that match, whatever `faultRate` says. */
export interface ScriptedFault {
  /** HTTP method to match (any when absent). */
  method?: string;
  /** Route template to match, e.g. `/api/v1/organizations` (any when absent). */
  route?: string;
  kind: FaultKind;
  /** Default `before`. */
  phase?: 'before' | 'after';
  /** How many requests it strikes. Default 1. */
  count?: number;
}

const STREAM_HIT = 0;
const STREAM_KIND = 1;
const STREAM_PHASE = 2;

/**
 * Decides which /api/v1 requests fail and how. Random faults are a pure function of
 * (randomSeed, request index), so a run with the same seed and the same request order gets the
 * same faults. Scripted faults are consumed first, in the order they were added.
 */
export class FaultInjector {
  private random: SeededRandom;
  private index = 0;
  private readonly scripted: Array<ScriptedFault & { remaining: number }> = [];

  constructor(private knobs: Pick<EmulatorKnobs, 'faultRate' | 'faultKinds' | 'faultPhase' | 'randomSeed'>) {
    this.random = createSeededRandom(knobs.randomSeed);
  }

  /** Applies new knobs; a new `randomSeed` restarts the sequence. */
  configure(knobs: Pick<EmulatorKnobs, 'faultRate' | 'faultKinds' | 'faultPhase' | 'randomSeed'>): void {
    if (knobs.randomSeed !== this.knobs.randomSeed) this.restart(knobs.randomSeed);
    this.knobs = knobs;
  }

  /** Restarts the random sequence at request 0 and forgets scripted faults. */
  restart(randomSeed = this.knobs.randomSeed): void {
    this.random = createSeededRandom(randomSeed);
    this.index = 0;
    this.scripted.length = 0;
  }

  /** Queues a scripted fault. */
  script(fault: ScriptedFault): void {
    this.scripted.push({ ...fault, remaining: fault.count ?? 1 });
  }

  /** The fault for the next request, or null. Every call advances the request index. */
  decide(method: string, route: string): FaultDecision | null {
    const index = this.index++;
    const scripted = this.scripted.find(
      (f) => (f.method === undefined || f.method === method) && (f.route === undefined || f.route === route),
    );
    if (scripted) {
      scripted.remaining -= 1;
      if (scripted.remaining <= 0) this.scripted.splice(this.scripted.indexOf(scripted), 1);
      return { kind: scripted.kind, phase: scripted.phase ?? 'before' };
    }
    if (this.knobs.faultRate <= 0 || this.random.draw(index, STREAM_HIT) >= this.knobs.faultRate) return null;
    const kind = pickWeighted(weightsOf(this.knobs.faultKinds), this.random.draw(index, STREAM_KIND));
    if (!kind) return null;
    const phase =
      this.knobs.faultPhase === 'either'
        ? this.random.draw(index, STREAM_PHASE) < 0.5
          ? 'before'
          : 'after'
        : this.knobs.faultPhase;
    return { kind, phase };
  }
}

function weightsOf(kinds: EmulatorKnobs['faultKinds']): Array<[FaultKind, number]> {
  if (Array.isArray(kinds)) return kinds.map((k) => [k, 1]);
  return FAULT_KINDS.map((k): [FaultKind, number] => [k, kinds[k] ?? 0]).filter(([, w]) => w > 0);
}

function pickWeighted(weights: Array<[FaultKind, number]>, draw: number): FaultKind | undefined {
  const total = weights.reduce((sum, [, w]) => sum + w, 0);
  let threshold = draw * total;
  for (const [kind, weight] of weights) {
    if (threshold < weight) return kind;
    threshold -= weight;
  }
  return weights[weights.length - 1]?.[0];
}
