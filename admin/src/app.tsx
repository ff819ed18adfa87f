/**
 * The console's shell: first-run setup or sign-in while signed out; the
 * sidebar (every area) and the page of the current route once signed in.
 */
import { useEffect, useState } from 'preact/hooks';
import { admin, checkSession, setupNeeded, signOut } from './api/session';
import { Toasts, fail, ok } from './components/toast';
import { LangSwitch } from './components/lang';
import { lang, t, type Key } from './i18n';
import { href, onLinkClick, route } from './router';
import SignInPage from './pages/signin/SignIn';
import SetupPage from './pages/signin/Setup';
import OverviewPage from './pages/overview/Overview';
import DatabasePage from './pages/database/Database';
import StoragePage from './pages/storage/Storage';
import UsersPage from './pages/users/Users';
import FunctionsPage from './pages/functions/Functions';
import LogsPage from './pages/logs/Logs';
import SettingsPage from './pages/settings/Settings';
import BackupsPage from './pages/backups/Backups';

/** The areas in the sidebar, in order: path prefix, label, page. */
const AREAS: { path: string; label: Key; icon: string; page: (p: { rest: string[] }) => preact.JSX.Element }[] = [
  { path: '/', label: 'nav.overview', icon: '◎', page: OverviewPage },
  { path: '/database', label: 'nav.database', icon: '▤', page: DatabasePage },
  { path: '/storage', label: 'nav.storage', icon: '▣', page: StoragePage },
  { path: '/users', label: 'nav.users', icon: '◉', page: UsersPage },
  { path: '/functions', label: 'nav.functions', icon: 'ƒ', page: FunctionsPage },
  { path: '/logs', label: 'nav.logs', icon: '≡', page: LogsPage },
  { path: '/settings', label: 'nav.settings', icon: '⚙', page: SettingsPage },
  { path: '/backups', label: 'nav.backups', icon: '▥', page: BackupsPage },
];

/** The area of a console path and the path's remaining segments (decoded). */
export function areaOf(path: string): { area: (typeof AREAS)[number] | undefined; rest: string[] } {
  const segs = path.split('/').filter(Boolean);
  if (segs.length === 0) return { area: AREAS[0], rest: [] };
  const area = AREAS.find((a) => a.path === '/' + segs[0]);
  const rest = segs.slice(1).map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  return { area, rest };
}

export function App() {
  const [setup, setSetup] = useState<boolean | undefined>(undefined);
  useEffect(() => {
    document.documentElement.lang = lang.value;
  }, [lang.value]);
  useEffect(() => {
    if (admin.value) {
      checkSession().catch(() => undefined);
      return;
    }
    setupNeeded().then(setSetup, () => setSetup(false));
  }, [admin.value === null]);

  if (!admin.value) {
    return (
      <>
        {setup === undefined ? <p class="center muted">{t('app.loading')}</p> : setup ? <SetupPage /> : <SignInPage />}
        <Toasts />
      </>
    );
  }
  return <Shell />;
}

function Shell() {
  const [menu, setMenu] = useState(false);
  const { area, rest } = areaOf(route.value);
  useEffect(() => setMenu(false), [route.value]);
  const Page = area?.page;
  const out = async () => {
    try {
      await signOut();
      ok(t('session.signedOut'));
    } catch (e) {
      fail(e);
    }
  };
  return (
    <div class={menu ? 'shell menu-open' : 'shell'}>
      <a class="skip" href="#main">
        {t('app.skip')}
      </a>
      <header class="topbar">
        <button type="button" class="icon-btn menu-btn" aria-expanded={menu} aria-controls="sidebar" onClick={() => setMenu(!menu)} aria-label={t('app.menu')}>
          ☰
        </button>
        <a class="brand" href={href('/')} onClick={onLinkClick}>
          <strong>{t('app.name')}</strong> <span class="muted">{t('app.console')}</span>
        </a>
        <span class="grow" />
        <LangSwitch />
        <span class="who muted">{t('session.signedInAs', { email: admin.value?.email ?? '' })}</span>
        <button type="button" class="btn btn-small" onClick={out} data-testid="sign-out">
          {t('session.signOut')}
        </button>
      </header>
      <nav id="sidebar" class="sidebar" aria-label={t('app.menu')}>
        <ul>
          {AREAS.map((a) => (
            <li key={a.path}>
              <a href={href(a.path)} onClick={onLinkClick} aria-current={a === area ? 'page' : undefined} data-testid={'nav-' + a.label.slice(4)}>
                <span class="nav-icon" aria-hidden="true">
                  {a.icon}
                </span>
                {t(a.label)}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" class="main" tabIndex={-1}>
        {Page ? (
          <Page rest={rest} />
        ) : (
          <section class="page">
            <p>{t('app.notFound')}</p>
            <a href={href('/')} onClick={onLinkClick}>
              {t('app.goHome')}
            </a>
          </section>
        )}
      </main>
      <Toasts />
    </div>
  );
}
