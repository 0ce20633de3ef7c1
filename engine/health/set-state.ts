import type { DriveState, SetState } from '../api/health/types.js';

/** A set's state from its drives': below read quorum (k) offline, below write quorum read-only. */
export function setStateOf(states: DriveState[], k: number, writeQuorum: number): { state: SetState; canLose: number } {
  // A healing drive serves what it has but is not yet a full member; faulty ones still answer.
  const serving = states.filter((s) => s === 'online' || s === 'faulty').length;
  const state: SetState = serving === states.length ? 'healthy' : serving >= writeQuorum ? 'degraded' : serving >= k ? 'read-only' : 'offline';
  return { state, canLose: Math.max(0, serving - writeQuorum) };
}

const ORDER: SetState[] = ['healthy', 'degraded', 'read-only', 'offline'];

export function worst(states: SetState[]): SetState {
  return states.reduce<SetState>((a, b) => (ORDER.indexOf(b) > ORDER.indexOf(a) ? b : a), 'healthy');
}
