import type { Component } from 'svelte';
import BucketPage from '../pages/BucketPage.svelte';
import BucketsPage from '../pages/BucketsPage.svelte';
import DashboardPage from '../pages/DashboardPage.svelte';
import IdentityPage from '../pages/IdentityPage.svelte';
import SecurityPage from '../pages/SecurityPage.svelte';
import SetupPage from '../pages/SetupPage.svelte';

/** What every page gets: the route's `:name` captures (decoded) and the query. */
export interface PageProps {
  params: Record<string, string>;
  query: URLSearchParams;
}

export interface RouteDef {
  /** `/buckets/:bucket`; a trailing `/*` also matches deeper paths (captured as `params.rest`). */
  pattern: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  component: Component<any>;
  /** The window title (and the screen readers' page name). */
  title: string;
  /** The sidebar entry this screen belongs to. */
  nav?: string;
  /** Shown without logging in and without the app shell (the first-run setup wizard). */
  public?: boolean;
}

/** The screens. Add yours here; the sidebar lists lib/navigation.ts. */
export const ROUTES: RouteDef[] = [
  { pattern: '/dashboard', component: DashboardPage, title: 'Dashboard', nav: 'dashboard' },
  { pattern: '/buckets', component: BucketsPage, title: 'Buckets', nav: 'buckets' },
  { pattern: '/buckets/:bucket', component: BucketPage, title: 'Bucket', nav: 'buckets' },
  { pattern: '/identity/*', component: IdentityPage, title: 'Identity', nav: 'identity' },
  { pattern: '/security/*', component: SecurityPage, title: 'Security', nav: 'security' },
  { pattern: '/setup', component: SetupPage, title: 'Setup', public: true },
];

export const DEFAULT_ROUTE = ['dashboard'];

export function matchRoute(segments: string[]): { route: RouteDef; params: Record<string, string> } | undefined {
  for (const route of ROUTES) {
    const parts = route.pattern.split('/').filter((p) => p !== '');
    const wild = parts[parts.length - 1] === '*';
    const fixed = wild ? parts.slice(0, -1) : parts;
    if (wild ? segments.length < fixed.length : segments.length !== fixed.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    fixed.forEach((p, i) => {
      if (p.startsWith(':')) params[p.slice(1)] = segments[i];
      else if (p !== segments[i]) ok = false;
    });
    if (!ok) continue;
    if (wild) params.rest = segments.slice(fixed.length).join('/');
    return { route, params };
  }
  return undefined;
}
