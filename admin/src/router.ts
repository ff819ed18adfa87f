/**
 * History routing under /_/: the path after /_ is a signal; links and
 * navigate() push it, the back button pops it. The server answers every
 * deep link (/_/database/orders) with index.html.
 */
import { signal } from '@preact/signals';

export const BASE = '/_';

function current(): string {
  const p = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : '/';
  return p === '' ? '/' : p;
}

/** The console path: '/', '/database/orders', … (decoded segments are left to pages). */
export const route = signal<string>(current());
/** The query string of the current address, without '?'. */
export const query = signal<string>(location.search.slice(1));

addEventListener('popstate', () => {
  route.value = current();
  query.value = location.search.slice(1);
});

/** Goes to path (a console path like '/database'), optionally replacing the history entry. */
export function navigate(path: string, replace = false): void {
  const [p, q = ''] = path.split('?');
  const url = BASE + p + (q ? '?' + q : '');
  if (url === location.pathname + location.search) return;
  (replace ? history.replaceState : history.pushState).call(history, null, '', url);
  route.value = p;
  query.value = q;
}

/** The href of a console path, for <a> elements. */
export const href = (path: string) => BASE + path;

/** Handles a click on an <a href="/_/…">: a plain left click navigates in the page. */
export function onLinkClick(e: MouseEvent): void {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = (e.currentTarget as HTMLAnchorElement) ?? null;
  if (!a?.pathname?.startsWith(BASE)) return;
  e.preventDefault();
  navigate(a.pathname.slice(BASE.length) + a.search);
}
