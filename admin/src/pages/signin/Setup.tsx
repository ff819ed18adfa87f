/**
 * First-run setup: while the server has no admin account, whoever holds the
 * admin key it printed creates the first one and is signed in as it.
 */
import { useState } from 'preact/hooks';
import { setUp } from '../../api/session';
import { fail, ok } from '../../components/toast';
import { LangSwitch } from '../../components/lang';
import { t } from '../../i18n';

export default function SetupPage() {
  const [key, setKey] = useState('');
  const [email, setEmail] = useState('');
  const [pw, setPw] = useState('');
  const [pw2, setPw2] = useState('');
  const [busy, setBusy] = useState(false);
  const mismatch = pw2 !== '' && pw !== pw2;
  const submit = async (e: Event) => {
    e.preventDefault();
    if (pw !== pw2) return;
    setBusy(true);
    try {
      await setUp(key, email, pw);
      ok(t('setup.done'));
    } catch (err) {
      fail(err);
      setBusy(false);
    }
  };
  return (
    <main class="auth-page">
      <form class="card auth-card stack" onSubmit={submit} aria-busy={busy}>
        <div class="row">
          <h1 class="grow">{t('setup.title')}</h1>
          <LangSwitch />
        </div>
        <p class="muted">{t('setup.lead')}</p>
        <label class="field">
          <span>{t('setup.adminKey')}</span>
          <input name="adminKey" required autoComplete="off" spellcheck={false} value={key} onInput={(e) => setKey(e.currentTarget.value)} autoFocus />
        </label>
        <label class="field">
          <span>{t('setup.email')}</span>
          <input type="email" name="email" autoComplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>{t('setup.password')}</span>
          <input type="password" name="password" autoComplete="new-password" required minLength={8} value={pw} onInput={(e) => setPw(e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>{t('setup.password2')}</span>
          <input type="password" name="password2" autoComplete="new-password" required value={pw2} onInput={(e) => setPw2(e.currentTarget.value)} aria-invalid={mismatch} />
          {mismatch ? <small class="error-text">{t('setup.mismatch')}</small> : null}
        </label>
        <button type="submit" class="btn btn-primary" disabled={busy || mismatch}>
          {busy ? t('setup.working') : t('setup.submit')}
        </button>
      </form>
    </main>
  );
}
