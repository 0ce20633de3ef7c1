import type { IconName } from '../components/icon-paths';

export interface NavItem {
  id: string;
  label: string;
  href: string;
  icon: IconName;
}

/** The sidebar, top to bottom. `id` matches RouteDef.nav. */
export const NAV_ITEMS: NavItem[] = [
  { id: 'dashboard', label: 'Dashboard', href: '#/dashboard', icon: 'dashboard' },
  { id: 'buckets', label: 'Buckets', href: '#/buckets', icon: 'bucket' },
  { id: 'identity', label: 'Identity', href: '#/identity', icon: 'users' },
  { id: 'security', label: 'Security', href: '#/security', icon: 'shield' },
];
