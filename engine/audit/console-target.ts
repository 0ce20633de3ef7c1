import type { AuditEntry } from './audit-entry.js';
import type { AuditTarget, TargetStats } from './audit-target.js';

/** JSON lines on stdout, for a container's log collector. */
export class ConsoleTarget implements AuditTarget {
  readonly type = 'console' as const;
  private total = 0;

  constructor(
    readonly name: string,
    private readonly write: (line: string) => void = (line) => void process.stdout.write(line),
  ) {}

  enqueue(entry: AuditEntry): void {
    this.total++;
    this.write(`${JSON.stringify(entry)}\n`);
  }

  stats(): TargetStats {
    return { name: this.name, type: this.type, total: this.total, failed: 0, pending: 0, dropped: 0 };
  }

  async close(): Promise<void> {}
}
