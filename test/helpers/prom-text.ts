/**
 * A strict parser of the Prometheus text exposition format 0.0.4, for tests:
 * it throws on anything Prometheus would refuse (and on a few things it
 * merely tolerates: samples of a family split up, a histogram whose buckets
 * are not cumulative or whose +Inf bucket differs from its count, a repeated
 * series). Debian's promtool ships inside the whole Prometheus server package
 * (19 MB, a daemon and its web assets), too much for one check.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: MetricType;
  help?: string;
  samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export function parsePrometheusText(text: string): Map<string, Family> {
  if (text.length > 0 && !text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  const families = new Map<string, Family>();
  const finished = new Set<string>();
  const series = new Set<string>();
  const typedOnce = new Set<string>();
  let current: Family | undefined;
  const lines = text.split('\n');
  lines.pop();
  lines.forEach((line, i) => {
    const where = `line ${i + 1}: ${JSON.stringify(line.slice(0, 120))}`;
    const fail = (why: string): never => {
      throw new Error(`${where}: ${why}`);
    };
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const m = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
      if (!m) return; // another comment
      const [, kind, name, rest = ''] = m;
      if (!METRIC_NAME.test(name)) fail('bad metric name');
      const family = enter(name);
      if (kind === 'HELP') {
        if (family.help !== undefined) fail('second HELP');
        family.help = unescape(rest, false, fail);
      } else {
        if (family.samples.length > 0) fail('TYPE after samples');
        if (family.type !== 'untyped' || typedOnce.has(name)) fail('second TYPE');
        if (!TYPES.has(rest.trim() as MetricType)) fail(`unknown type ${rest}`);
        family.type = rest.trim() as MetricType;
        typedOnce.add(name);
      }
      return;
    }
    const s = parseSample(line, fail);
    const familyName = familyOf(s.name, current);
    const family = enter(familyName);
    const key = `${s.name}{${Object.entries(s.labels).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;
    if (series.has(key)) fail(`repeated series ${key}`);
    series.add(key);
    if ((family.type === 'counter' || s.name.endsWith('_count') || s.name.endsWith('_bucket')) && s.value < 0) fail('negative count');
    family.samples.push(s);
  });
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;

  function enter(name: string): Family {
    if (current?.name === name) return current;
    if (finished.has(name) || families.has(name)) throw new Error(`family ${name} is split into separate groups`);
    if (current) finished.add(current.name);
    current = { name, type: 'untyped', samples: [] };
    families.set(name, current);
    return current;
  }
}

/** `x_bucket`, `x_sum`, `x_count` belong to histogram (or summary) family `x`. */
function familyOf(sample: string, current: Family | undefined): string {
  if (current && (current.type === 'histogram' || current.type === 'summary')) {
    for (const suffix of ['_bucket', '_sum', '_count']) {
      if (sample === `${current.name}${suffix}` && (suffix !== '_bucket' || current.type === 'histogram')) return current.name;
    }
  }
  return sample;
}

function parseSample(line: string, fail: (why: string) => never): Sample {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(line);
  if (!m) return fail('bad metric name');
  const name = m[1];
  let pos = name.length;
  const labels: Record<string, string> = {};
  if (line[pos] === '{') {
    pos++;
    while (line[pos] !== '}') {
      const l = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(line.slice(pos));
      if (!l || !LABEL_NAME.test(l[1])) fail('bad label');
      if (l![1] in labels) fail(`label ${l![1]} given twice`);
      pos += l![0].length;
      let value = '';
      for (;;) {
        const c = line[pos];
        if (c === undefined) fail('unterminated label value');
        if (c === '"') break;
        if (c === '\\') {
          const e = line[pos + 1];
          if (e === '\\' || e === '"') value += e;
          else if (e === 'n') value += '\n';
          else fail(`bad escape \\${e}`);
          pos += 2;
        } else {
          value += c;
          pos++;
        }
      }
      labels[l![1]] = value;
      pos++;
      if (line[pos] === ',') pos++;
      else if (line[pos] !== '}') fail('expected , or }');
    }
    pos++;
  }
  const rest = line.slice(pos);
  const v = /^ ([^ ]+)(?: (-?\d+))?$/.exec(rest);
  if (!v) return fail('expected " VALUE [TIMESTAMP]"');
  return { name, labels, value: parseValue(v[1], fail) };
}

function parseValue(text: string, fail: (why: string) => never): number {
  // Prometheus reads values with Go's strconv.ParseFloat: NaN and Inf in any case (prom-client writes `Nan`).
  if (/^nan$/i.test(text)) return NaN;
  if (/^\+?inf(inity)?$/i.test(text)) return Infinity;
  if (/^-inf(inity)?$/i.test(text)) return -Infinity;
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text)) fail(`bad value ${text}`);
  return Number(text);
}

function unescape(text: string, quotes: boolean, fail: (why: string) => never): string {
  return text.replace(/\\(.)/g, (_, e: string) => (e === '\\' ? '\\' : e === 'n' ? '\n' : quotes && e === '"' ? '"' : fail(`bad escape \\${e}`)));
}

/** Per label set: buckets ascending by `le`, cumulative, +Inf present and equal to _count, _sum present. */
function checkHistogram(f: Family): void {
  const groups = new Map<string, { buckets: [number, number][]; count?: number; sum?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const g = groups.get(key) ?? { buckets: [] };
    groups.set(key, g);
    if (s.name.endsWith('_bucket')) {
      if (le === undefined) throw new Error(`${f.name}: bucket without le`);
      g.buckets.push([le === '+Inf' ? Infinity : Number(le), s.value]);
    } else if (s.name.endsWith('_count')) g.count = s.value;
    else if (s.name.endsWith('_sum')) g.sum = s.value;
  }
  for (const [key, g] of groups) {
    const where = `${f.name}${key}`;
    if (g.count === undefined || g.sum === undefined) throw new Error(`${where}: _count or _sum missing`);
    for (let i = 1; i < g.buckets.length; i++) {
      if (!(g.buckets[i][0] > g.buckets[i - 1][0])) throw new Error(`${where}: buckets not in ascending le order`);
      if (g.buckets[i][1] < g.buckets[i - 1][1]) throw new Error(`${where}: buckets not cumulative`);
    }
    const last = g.buckets.at(-1);
    if (!last || last[0] !== Infinity) throw new Error(`${where}: no +Inf bucket`);
    if (last[1] !== g.count) throw new Error(`${where}: +Inf bucket ${last[1]} differs from _count ${g.count}`);
  }
}

/** The value of one series: the family's sample whose labels include `labels`; undefined when absent. */
export function valueOf(families: Map<string, Family>, family: string, sample: string, labels: Record<string, string> = {}): number | undefined {
  const matches = families.get(family)?.samples.filter((s) => s.name === sample && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) ?? [];
  if (matches.length > 1) throw new Error(`${sample} ${JSON.stringify(labels)} matches ${matches.length} series`);
  return matches[0]?.value;
}
