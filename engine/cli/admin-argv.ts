import { UsageError } from './args.js';
import type { AdminCommand, CommandFlags, FlagKind } from './admin-spec.js';

/** Flags every admin command takes: where the server is, who is asking, how to print. */
export const CONNECTION_FLAGS: Record<string, FlagKind> = {
  endpoint: 'value',
  'access-key': 'value',
  'secret-key': 'value',
  region: 'value',
  json: 'bool',
};

export interface ParsedAdminArgs {
  /** The first word when it names a command group, for help on that group. */
  noun?: string;
  command?: AdminCommand;
  positionals: string[];
  connection: CommandFlags;
  flags: CommandFlags;
  help: boolean;
}

/** A usage error that knows which command group it concerns, so only that group's usage is printed. */
export class AdminUsageError extends UsageError {
  constructor(
    message: string,
    readonly noun?: string,
  ) {
    super(message);
  }
}

class FlagValues implements CommandFlags {
  readonly values = new Map<string, string[]>();

  add(name: string, kind: FlagKind, value: string, noun: string | undefined): void {
    const have = this.values.get(name) ?? [];
    if (kind === 'value' && have.length > 0) throw new AdminUsageError(`--${name} given twice`, noun);
    this.values.set(name, [...have, value]);
  }

  value(name: string): string | undefined {
    return this.values.get(name)?.[0];
  }

  list(name: string): string[] {
    return this.values.get(name) ?? [];
  }

  bool(name: string): boolean {
    return this.values.has(name);
  }
}

/**
 * Reads `granary admin` arguments left to right. Flags may come anywhere;
 * once the command words are known, that command's own flags win over the
 * connection flags of the same name. That is how `svcacct add --access-key K`
 * names the new key while `granary admin --access-key A svcacct add` (or the
 * environment) names the caller.
 */
export function parseAdminArgs(argv: string[], commands: readonly AdminCommand[]): ParsedAdminArgs {
  const connection = new FlagValues();
  const flags = new FlagValues();
  const positionals: string[] = [];
  let noun: string | undefined;
  let command: AdminCommand | undefined;
  let help = false;
  let nounGoesOn = false;

  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') {
      help = true;
      continue;
    }
    if (a === '--') {
      if (!command && !help) throw new AdminUsageError('"--" before a command', noun);
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      const own = command?.flags?.[name];
      const kind = own ?? CONNECTION_FLAGS[name];
      if (kind === undefined) {
        if (help) continue;
        throw new AdminUsageError(command ? `${commandName(command)} has no flag --${name}` : `unknown flag --${name}`, noun);
      }
      const target = own ? flags : connection;
      if (kind === 'bool') {
        if (eq >= 0) throw new AdminUsageError(`--${name} takes no value`, noun);
        target.add(name, kind, 'true', noun);
        continue;
      }
      const value = eq >= 0 ? a.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new AdminUsageError(`--${name} needs a value`, noun);
      target.add(name, kind, value, noun);
      continue;
    }
    // A group with a one-word command and verbs (`heal`, `heal status`): the verb wins as the first word after it.
    const verb = command && command.verb === undefined && positionals.length === 0 ? commands.find((c) => c.noun === noun && c.verb === a) : undefined;
    if (verb) {
      command = verb;
    } else if (command) {
      positionals.push(a);
    } else if (noun === undefined || nounGoesOn) {
      // A group may be named by two words (`idp oidc`): the first alone then names no group yet.
      noun = noun === undefined ? a : `${noun} ${a}`;
      const named = noun;
      const group = commands.filter((c) => c.noun === named);
      nounGoesOn = group.length === 0 && commands.some((c) => c.noun.startsWith(`${named} `));
      if (group.length === 0 && !nounGoesOn) {
        if (help) continue;
        throw new AdminUsageError(`unknown command ${JSON.stringify(noun)}`, noun);
      }
      command = group.find((c) => c.verb === undefined);
    } else {
      command = commands.find((c) => c.noun === noun && c.verb === a);
      if (!command) {
        if (help) continue;
        throw new AdminUsageError(`unknown command ${JSON.stringify(`${noun} ${a}`)}`, noun);
      }
    }
  }

  if (!help) {
    if (noun === undefined) throw new AdminUsageError('no command given');
    if (!command && nounGoesOn) throw new AdminUsageError(`${noun} needs one of: ${[...new Set(commands.filter((c) => c.noun.startsWith(`${noun} `)).map((c) => c.noun.slice(noun!.length + 1)))].join(', ')}`, noun);
    if (!command) throw new AdminUsageError(`${noun} needs one of: ${commands.filter((c) => c.noun === noun).map((c) => c.verb).join(', ')}`, noun);
    const [min, max] = command.arity;
    if (positionals.length < min) throw new AdminUsageError(`${commandName(command)} needs ${requiredPart(command.synopsis)}`, noun);
    if (positionals.length > max) throw new AdminUsageError(`${commandName(command)} takes ${max === 0 ? 'no arguments' : `at most ${max} argument${max === 1 ? '' : 's'}`}, not ${JSON.stringify(positionals.slice(max).join(' '))}`, noun);
  }
  return { ...(noun !== undefined ? { noun } : {}), ...(command ? { command } : {}), positionals, connection, flags, help };
}

export function commandName(c: AdminCommand): string {
  return c.verb ? `${c.noun} ${c.verb}` : c.noun;
}

/** The leading required words of a synopsis: `NAME FILE` of `NAME FILE [--x]`. */
function requiredPart(synopsis: string): string {
  const words: string[] = [];
  for (const w of synopsis.split(' ')) {
    if (!/^[A-Z][A-Z.|-]*$/.test(w)) break;
    words.push(w);
  }
  return words.join(' ') || 'more arguments';
}
