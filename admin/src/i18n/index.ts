/**
 * The console's two languages. Every text a person reads goes through t():
 * t('nav.database'), t('session.signedInAs', { email }) fills {email}. The language is
 * chosen from the browser (navigator.languages: any zh → zh-CN, else en)
 * until the person picks one with the switch; the pick is kept in
 * localStorage.
 */
import { signal } from '@preact/signals';
import { en, type Key } from './en';
import { zhCN } from './zh-CN';

export type Lang = 'en' | 'zh-CN';
export type { Key };

export const LANGS: Record<Lang, Record<Key, string>> = { en, 'zh-CN': zhCN };
const STORE = 'minibase:console:lang';

/** The language a browser asks for: zh-CN for any Chinese, else English. */
export function pickLang(stored: string | null, browser: readonly string[]): Lang {
  if (stored === 'en' || stored === 'zh-CN') return stored;
  for (const l of browser) {
    const s = l.toLowerCase();
    if (s.startsWith('zh')) return 'zh-CN';
    if (s.startsWith('en')) return 'en';
  }
  return 'en';
}

function stored(): string | null {
  try {
    return localStorage.getItem(STORE);
  } catch {
    return null;
  }
}

export const lang = signal<Lang>(
  typeof navigator === 'undefined' ? 'en' : pickLang(stored(), navigator.languages ?? [navigator.language]),
);

/** Switches the language and remembers the choice. */
export function setLang(l: Lang): void {
  lang.value = l;
  try {
    localStorage.setItem(STORE, l);
  } catch {
    // not kept: private mode
  }
  document.documentElement.lang = l;
}

/** The text of key in the current language, with {name} filled from params. */
export function t(key: Key, params?: Record<string, string | number>): string {
  const s = LANGS[lang.value][key] ?? en[key] ?? key;
  return params ? s.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m)) : s;
}

/** Formats a number for the current language (1,234 / 1,234). */
export function num(n: number): string {
  return n.toLocaleString(lang.value);
}

/** Formats bytes as B / KiB / MiB / GiB. */
export function bytes(n: number): string {
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < u.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(n < 10 ? 1 : 0)} ${u[i]}`;
}
