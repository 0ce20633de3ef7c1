/**
 * MinIO's drive ellipsis: `./data/d{1...4}` is d1 d2 d3 d4, `/mnt/disk{01...16}`
 * keeps the zero padding, and several ellipses in one argument expand as a
 * product. Arguments without one pass through unchanged.
 */
const ELLIPSIS = /\{(\d+)\.\.\.(\d+)\}/;

export function expandEllipsis(arg: string): string[] {
  const m = ELLIPSIS.exec(arg);
  if (!m) return [arg];
  const [whole, a, b] = m;
  const from = Number(a);
  const to = Number(b);
  if (to < from) throw new Error(`${arg}: the range ${whole} runs backwards`);
  if (to - from >= 1024) throw new Error(`${arg}: the range ${whole} is too large`);
  const width = a.length > 1 && a.startsWith('0') ? a.length : 0;
  const out: string[] = [];
  for (let i = from; i <= to; i++) {
    const head = arg.slice(0, m.index) + String(i).padStart(width, '0');
    for (const tail of expandEllipsis(arg.slice(m.index + whole.length))) out.push(head + tail);
  }
  return out;
}

export function expandDrives(args: string[]): string[] {
  return args.flatMap(expandEllipsis);
}
