/** Sign-in with an admin account's email and password. */
import { useState } from 'preact/hooks';
import { signIn } from '../../api/session';
import { fail, ok } from '../../components/toast';
import { LangSwitch } from '../../components/lang';
import { t } from '../../i18n';

export default function SignInPage() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    try {
      await signIn(email, password);
      ok(t('signin.welcome'));
    } catch (err) {
      fail(err);
      setBusy(false);
    }
  };
  return (
    <main class="auth-page">
      <form class="card auth-card stack" onSubmit={submit} aria-busy={busy}>
        <div class="row">
          <h1 class="grow">{t('signin.title')}</h1>
          <LangSwitch />
        </div>
        <p class="muted">{t('signin.lead')}</p>
        <label class="field">
          <span>{t('signin.email')}</span>
          <input type="email" name="email" autoComplete="username" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} autoFocus />
        </label>
        <label class="field">
          <span>{t('signin.password')}</span>
          <input type="password" name="password" autoComplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? t('signin.working') : t('signin.submit')}
        </button>
      </form>
    </main>
  );
}
