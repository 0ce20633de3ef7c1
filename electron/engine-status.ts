import type { HealthSummary } from '../engine/api/host/types.js';

/** What the shell knows of its engine: the supervisor's phase and the last health report. */
export type EngineStatus =
  | { phase: 'starting' }
  | { phase: 'setup'; setupUrl: string; consoleUrl: string }
  | { phase: 'running'; s3Url: string; consoleUrl: string; health?: HealthSummary }
  | { phase: 'restarting'; reason: string; attempt: number; inMs: number }
  | { phase: 'failed'; reason: string }
  | { phase: 'stopping' }
  | { phase: 'stopped' };
