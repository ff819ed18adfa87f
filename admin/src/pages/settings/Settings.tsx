/**
 * Settings: every setting the server offers (GET /v1/admin/settings), by
 * group, with where its value comes from (variable, saved here, default);
 * secrets are never shown, only whether they are set; saving sends only
 * what changed (PATCH), which the server checks field by field and applies
 * without a restart, or refuses whole with its message.
 */
import { useEffect, useState } from 'preact/hooks';
import { apiError } from '../../api/client';
import { getSettings, patchSettings, type SettingValue, type Settings } from '../../api/server';
import { fail, ok } from '../../components/toast';
import { LANGS, lang, t, type Key } from '../../i18n';

type Draft = Record<string, unknown>;
const isSecret = (v: unknown): v is { set: boolean; last4?: string } => v !== null && typeof v === 'object' && !Array.isArray(v) && 'set' in v;

/** The label of a setting: its text when the console has one, else the key. */
function label(key: string): string {
  const k = ('settings.' + key) as Key;
  return k in LANGS[lang.value] ? t(k) : key;
}

/** The changes between what the server has and the form: only changed keys; a secret only when typed. */
export function changes(server: Record<string, SettingValue>, draft: Draft): Draft {
  const out: Draft = {};
  for (const [k, v] of Object.entries(draft)) {
    const was = server[k];
    if (isSecret(was)) {
      if (typeof v === 'string' && v !== '') out[k] = v;
    } else if (JSON.stringify(was) !== JSON.stringify(v)) out[k] = v;
  }
  return out;
}

export default function SettingsPage(_: { rest: string[] }) {
  const [data, setData] = useState<Settings | null>(null);
  const [missing, setMissing] = useState(false);
  const [draft, setDraft] = useState<Draft>({});
  const [busy, setBusy] = useState(false);
  const load = () =>
    getSettings().then(
      (s) => {
        setData(s);
        setDraft(Object.fromEntries(Object.entries(s.settings).map(([k, v]) => [k, isSecret(v) ? '' : v])));
      },
      (e) => {
        if (/no such endpoint/.test(apiError(e).message)) setMissing(true);
        else fail(e);
      },
    );
  useEffect(() => void load(), []);
  if (missing) {
    return (
      <section class="page">
        <h1>{t('nav.settings')}</h1>
        <p class="card muted">{t('settings.unavailable')}</p>
      </section>
    );
  }
  if (!data) return <p class="muted">{t('app.loading')}</p>;
  const diff = changes(data.settings, draft);
  const groups = new Map<string, string[]>();
  for (const k of Object.keys(data.settings).sort()) {
    const g = k.split('.').slice(0, k.startsWith('auth.') && k.split('.').length > 2 ? 2 : 1).join('.');
    groups.set(g, [...(groups.get(g) ?? []), k]);
  }
  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      const s = await patchSettings(diff);
      setData(s);
      setDraft(Object.fromEntries(Object.entries(s.settings).map(([k, v]) => [k, isSecret(v) ? '' : v])));
      ok(t('settings.saved', { n: Object.keys(diff).length }));
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };
  const set = (k: string, v: unknown) => setDraft({ ...draft, [k]: v });
  return (
    <form class="page" onSubmit={save}>
      <div class="row">
        <h1 class="grow">{t('nav.settings')}</h1>
        <button type="submit" class="btn btn-primary" disabled={busy || Object.keys(diff).length === 0} data-testid="settings-save">
          {busy ? t('common.running') : t('settings.save', { n: Object.keys(diff).length })}
        </button>
      </div>
      <p class="muted">{t('settings.lead')}</p>
      {[...groups].map(([g, keys]) => (
        <fieldset class="card stack" key={g}>
          <legend>
            <strong>{label(g)}</strong>
          </legend>
          {keys.map((k) => {
            const v = data.settings[k];
            const d = draft[k];
            const src = data.sources[k];
            const id = 'set-' + k.replace(/\W/g, '-');
            return (
              <div class="setting" key={k}>
                <label for={id} class="setting-label">
                  {label(k)}
                  <small class="muted mono">{k}</small>
                </label>
                <div class="setting-input">
                  {typeof v === 'boolean' ? (
                    <input id={id} type="checkbox" checked={d === true} onChange={(e) => set(k, e.currentTarget.checked)} />
                  ) : typeof v === 'number' ? (
                    <input id={id} type="number" value={String(d ?? '')} onInput={(e) => set(k, e.currentTarget.value === '' ? '' : Number(e.currentTarget.value))} />
                  ) : Array.isArray(v) ? (
                    <textarea id={id} rows={3} value={((d as string[]) ?? []).join('\n')} onInput={(e) => set(k, e.currentTarget.value.split('\n').map((s) => s.trim()).filter(Boolean))} placeholder={t('settings.onePerLine')} spellcheck={false} />
                  ) : isSecret(v) ? (
                    <input id={id} type="password" autoComplete="new-password" value={String(d ?? '')} onInput={(e) => set(k, e.currentTarget.value)} placeholder={v.set ? (v.last4 ? t('settings.secretSetLast4', { last4: v.last4 }) : t('settings.secretSet')) : t('settings.secretUnset')} />
                  ) : (
                    <input id={id} value={String(d ?? '')} onInput={(e) => set(k, e.currentTarget.value)} spellcheck={false} />
                  )}
                  <span class={src === 'db' ? 'tag tag-ok' : 'tag'} title={t('settings.sourceHint')}>
                    {src === 'env' ? t('settings.source.env') : src === 'db' ? t('settings.source.db') : t('settings.source.default')}
                  </span>
                </div>
              </div>
            );
          })}
        </fieldset>
      ))}
    </form>
  );
}
