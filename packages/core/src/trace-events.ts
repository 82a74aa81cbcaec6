/** States an actor is in, cycle by cycle. */
export type ActorState = 'busy' | 'stalled-empty' | 'stalled-full' | 'stalled-contention' | 'idle';

/** The actor spent cycles [startCycle, endCycle) in `state`. */
export interface ActorStateEvent {
  readonly kind: 'actor';
  readonly actor: string;
  readonly state: ActorState;
  readonly startCycle: number;
  readonly endCycle: number;
  /** The FIFO it waited on (stalled-empty / stalled-full). */
  readonly fifo?: string;
  /** The resource it waited for and the actor served before it (stalled-contention). */
  readonly resource?: string;
  readonly heldBy?: string;
  /** Firing index (busy). */
  readonly firing?: number;
}

/** FIFO occupancy (held + in-flight tokens) changed at `cycle`. */
export interface FifoOccupancyEvent {
  readonly kind: 'fifo';
  readonly fifo: string;
  readonly cycle: number;
  readonly occupancy: number;
}

/** A shared resource served `units` to `actor` over [startCycle, endCycle). */
export interface GrantEvent {
  readonly kind: 'grant';
  readonly resource: string;
  readonly actor: string;
  readonly units: number;
  readonly requestCycle: number;
  readonly startCycle: number;
  readonly endCycle: number;
}

export type TraceEvent = ActorStateEvent | FifoOccupancyEvent | GrantEvent;
