import type { AdminClient } from './admin-client.js';

/** `value`: one value (`--name N`); `list`: repeatable (`--policy a --policy b`); `bool`: a switch. */
export type FlagKind = 'value' | 'list' | 'bool';

export interface CommandFlags {
  value(name: string): string | undefined;
  list(name: string): string[];
  bool(name: string): boolean;
}

/** What a command needs to run: the client, where to write, and whether to print JSON. */
export interface AdminContext {
  client: AdminClient;
  json: boolean;
  /** Writes one block of text and a newline to stdout. */
  print(text: string): void;
  /** All of standard input (for `-` in place of a file or secret). */
  readStdin(): Promise<string>;
}

/** One `granary admin NOUN [VERB]` command: its usage line, its flags and what it does. */
export interface AdminCommand {
  noun: string;
  /** Absent for one-word commands (`info`). */
  verb?: string;
  /** Positionals and flags as the usage text shows them, e.g. `NAME [SECRET|-] [--policy P]...`. */
  synopsis: string;
  summary: string;
  /** Fewest and most positionals after the command words. */
  arity: [number, number];
  flags?: Record<string, FlagKind>;
  run(ctx: AdminContext, args: string[], flags: CommandFlags): Promise<void>;
}

/**
 * Prints the API's JSON with --json, the human rendering otherwise. Answers
 * without a body (204) print nothing with --json: the exit status says it.
 */
export function show<T>(ctx: AdminContext, value: T | undefined, human: (v: T) => string): void {
  if (ctx.json) {
    if (value !== undefined) ctx.print(JSON.stringify(value, null, 2));
    return;
  }
  if (value !== undefined) ctx.print(human(value));
}

/** A confirmation line for changes the API answers with 204; silent with --json. */
export function done(ctx: AdminContext, message: string): void {
  if (!ctx.json) ctx.print(message);
}
