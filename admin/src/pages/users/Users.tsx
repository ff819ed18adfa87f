/**
 * Users: the end users, searched (uid, openid, email, phone, username) and
 * paged; one user's login methods, last sign-in and claims; disable or
 * enable, revoke every session, delete (typed confirmation).
 * Route: /users, /users/<uid>.
 */
import { useEffect, useState } from 'preact/hooks';
import { deleteUser, getUser, listUsers, patchUser, revokeUser, type EndUser } from '../../api/users';
import { Confirm, copyText } from '../../components/confirm';
import { TypedConfirm } from '../../components/modal';
import { fail, ok } from '../../components/toast';
import { num, t } from '../../i18n';
import { navigate } from '../../router';
import '../ui2.css';

const PAGE = 20;

const when = (s?: string) => (s ? new Date(s).toLocaleString() : t('users.never'));
const who = (u: EndUser) => u.email || u.phone || u.username || u.customUserId || u.openid;

/** The ways a user can sign in, from what their account holds. */
export function loginMethods(u: EndUser): string[] {
  const m = new Set<string>();
  if (u.loginType) m.add(u.loginType);
  if (u.hasPassword) m.add('PASSWORD');
  if (u.email) m.add('EMAIL');
  if (u.phone) m.add('PHONE');
  if (u.unionid) m.add('WECHAT');
  if (u.customUserId) m.add('CUSTOM');
  return [...m];
}

export default function UsersPage(props: { rest: string[] }) {
  const uid = props.rest[0];
  return uid ? <UserDetail uid={uid} /> : <UserList />;
}

function UserList() {
  const [q, setQ] = useState('');
  const [applied, setApplied] = useState('');
  const [offset, setOffset] = useState(0);
  const [data, setData] = useState<{ data: EndUser[]; total: number } | null>(null);
  const [loading, setLoading] = useState(false);
  const load = async () => {
    setLoading(true);
    try {
      setData(await listUsers(applied, PAGE, offset));
    } catch (e) {
      fail(e);
      setData({ data: [], total: 0 });
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    load();
  }, [applied, offset]);
  const total = data?.total ?? 0;
  return (
    <section class="page">
      <h1 class="ptitle">{t('nav.users')}</h1>
      <form
        class="row"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setOffset(0);
          setApplied(q.trim());
        }}
      >
        <input class="grow" type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} placeholder={t('users.searchHint')} aria-label={t('users.search')} maxLength={200} data-testid="user-search" />
        <button type="submit" class="btn btn-primary">
          {t('users.search')}
        </button>
        <button type="button" class="btn" onClick={load} disabled={loading}>
          {t('common.refresh')}
        </button>
      </form>
      {data === null ? (
        <p class="muted">{t('app.loading')}</p>
      ) : data.data.length === 0 ? (
        <p class="card muted">{applied ? t('users.noMatch', { q: applied }) : t('users.none')}</p>
      ) : (
        <div class="table-wrap">
          <table data-testid="user-table">
            <thead>
              <tr>
                <th>{t('users.user')}</th>
                <th class="hide-phone">{t('users.loginType')}</th>
                <th class="hide-phone">{t('users.created')}</th>
                <th>{t('users.lastSignIn')}</th>
                <th>{t('users.status')}</th>
              </tr>
            </thead>
            <tbody>
              {data.data.map((u) => (
                <tr key={u.uid} data-testid="user-row">
                  <td class="name-cell">
                    <a href={'/_/users/' + encodeURIComponent(u.uid)} onClick={(e) => (e.preventDefault(), navigate('/users/' + encodeURIComponent(u.uid)))}>
                      {who(u)}
                    </a>
                    <div class="muted small mono">{u.uid}</div>
                  </td>
                  <td class="hide-phone">
                    <span class="tag">{u.loginType}</span>
                  </td>
                  <td class="hide-phone">{when(u.createdAt)}</td>
                  <td>{when(u.lastLoginAt)}</td>
                  <td>{u.disabled ? <span class="tag tag-danger">{t('users.disabled')}</span> : <span class="tag tag-ok">{t('users.active')}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {total > 0 ? (
        <div class="row">
          <span class="muted grow">{t('users.range', { from: num(offset + 1), to: num(Math.min(offset + PAGE, total)), total: num(total) })}</span>
          <button type="button" class="btn" disabled={offset === 0 || loading} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
            {t('common.prev')}
          </button>
          <button type="button" class="btn" disabled={offset + PAGE >= total || loading} onClick={() => setOffset(offset + PAGE)}>
            {t('common.next')}
          </button>
        </div>
      ) : null}
    </section>
  );
}

function UserDetail(props: { uid: string }) {
  const [u, setU] = useState<EndUser | null>(null);
  const [err, setErr] = useState('');
  const [busy, setBusy] = useState(false);
  const [ask, setAsk] = useState<'' | 'revoke' | 'delete'>('');
  const [claims, setClaims] = useState('');
  const [claimsErr, setClaimsErr] = useState('');
  useEffect(() => {
    getUser(props.uid).then(
      (x) => {
        setU(x);
        setClaims(JSON.stringify(x.claims ?? {}, null, 2));
      },
      (e) => {
        fail(e);
        setErr((e as Error).message);
      },
    );
  }, [props.uid]);
  const back = () => navigate('/users');
  if (!u)
    return (
      <section class="page">
        <button type="button" class="btn-link back" onClick={back}>
          ← {t('users.back')}
        </button>
        <p class={err ? 'card error-text' : 'muted'}>{err || t('app.loading')}</p>
      </section>
    );
  const toggle = async () => {
    setBusy(true);
    try {
      const x = await patchUser(u.uid, { disabled: !u.disabled });
      setU(x);
      ok(x.disabled ? t('users.disabledOk') : t('users.enabledOk'));
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };
  const saveClaims = async () => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(claims);
    } catch (e) {
      return setClaimsErr(t('users.claimsNotJSON', { err: (e as Error).message }));
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return setClaimsErr(t('users.claimsObject'));
    setClaimsErr('');
    setBusy(true);
    try {
      const x = await patchUser(u.uid, { claims: parsed as Record<string, unknown> });
      setU(x);
      setClaims(JSON.stringify(x.claims ?? {}, null, 2));
      ok(t('common.saved'));
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="page" data-testid="user-detail">
      <button type="button" class="btn-link back" onClick={back}>
        ← {t('users.back')}
      </button>
      <div class="row">
        <h1 class="grow ptitle anywhere">{who(u)}</h1>
        {u.disabled ? <span class="tag tag-danger">{t('users.disabled')}</span> : <span class="tag tag-ok">{t('users.active')}</span>}
      </div>
      <div class="card">
        <dl class="props">
          <dt>{t('users.uid')}</dt>
          <dd class="mono">
            {u.uid}{' '}
            <button type="button" class="btn-link" onClick={() => copyText(u.uid)}>
              {t('common.copy')}
            </button>
          </dd>
          <dt>{t('users.openid')}</dt>
          <dd class="mono">{u.openid}</dd>
          <dt>{t('users.loginMethods')}</dt>
          <dd class="row" data-testid="login-methods">
            {loginMethods(u).map((m) => (
              <span key={m} class="tag">
                {m}
              </span>
            ))}
          </dd>
          {u.email ? (
            <>
              <dt>{t('users.email')}</dt>
              <dd>
                {u.email} {u.emailVerified ? <span class="tag tag-ok">{t('users.verified')}</span> : null}
              </dd>
            </>
          ) : null}
          {u.phone ? (
            <>
              <dt>{t('users.phone')}</dt>
              <dd>
                {u.phone} {u.phoneVerified ? <span class="tag tag-ok">{t('users.verified')}</span> : null}
              </dd>
            </>
          ) : null}
          {u.username ? (
            <>
              <dt>{t('users.username')}</dt>
              <dd>{u.username}</dd>
            </>
          ) : null}
          {u.unionid ? (
            <>
              <dt>{t('users.unionid')}</dt>
              <dd class="mono">{u.unionid}</dd>
            </>
          ) : null}
          <dt>{t('users.created')}</dt>
          <dd>{when(u.createdAt)}</dd>
          <dt>{t('users.lastSignIn')}</dt>
          <dd>{when(u.lastLoginAt)}</dd>
        </dl>
      </div>
      <div class="card stack">
        <h2>{t('users.claims')}</h2>
        <p class="muted small">{t('users.claimsHelp')}</p>
        <textarea rows={6} value={claims} onInput={(e) => setClaims(e.currentTarget.value)} aria-invalid={claimsErr ? 'true' : undefined} aria-label={t('users.claims')} spellcheck={false} maxLength={16384} />
        {claimsErr ? <p class="error-text">{claimsErr}</p> : null}
        <div class="row end">
          <button type="button" class="btn" onClick={saveClaims} disabled={busy}>
            {t('users.saveClaims')}
          </button>
        </div>
      </div>
      <div class="row">
        <button type="button" class="btn" onClick={toggle} disabled={busy} data-testid="user-toggle">
          {u.disabled ? t('users.enable') : t('users.disable')}
        </button>
        <button type="button" class="btn" onClick={() => setAsk('revoke')} disabled={busy}>
          {t('users.revoke')}
        </button>
        <span class="grow" />
        <button type="button" class="btn btn-danger" onClick={() => setAsk('delete')} disabled={busy}>
          {t('users.delete')}
        </button>
      </div>
      {ask === 'revoke' ? (
        <Confirm
          title={t('users.revoke')}
          message={t('users.revokeMsg')}
          action={t('users.revoke')}
          onClose={() => setAsk('')}
          onConfirm={async () => {
            const n = await revokeUser(u.uid);
            ok(t('users.revoked', { n }));
          }}
        />
      ) : null}
      {ask === 'delete' ? (
        <TypedConfirm
          title={t('users.delete')}
          message={t('users.deleteMsg')}
          name={u.uid}
          action={t('common.delete')}
          onClose={() => setAsk('')}
          onConfirm={async () => {
            try {
              await deleteUser(u.uid);
              ok(t('common.deleted'));
              navigate('/users');
            } catch (e) {
              fail(e);
              throw e;
            }
          }}
        />
      ) : null}
    </section>
  );
}
