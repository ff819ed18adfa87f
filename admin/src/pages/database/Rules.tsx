/**
 * Rules: the four presets, a custom rule checked as you type (its JSON
 * shape here, then, 300 ms after the last keystroke, the expressions by the
 * server's own parser through POST /v1/admin/rules/validate, whose message
 * names the rule and the position of a mistake), and the explain tool: pick a user (or a visitor),
 * write a request, see whether it is allowed and why.
 */
import { useEffect, useState } from 'preact/hooks';
import { call } from '../../api/client';
import { explainRule, getRules, setRules, validateRules, type Doc, type Explanation } from '../../api/db';
import { fail, ok } from '../../components/toast';
import { t, type Key } from '../../i18n';
import { useServerCheck } from '../../lib/serverCheck';
import { parseJSON, pretty } from './json';

const PRESETS: { id: string; label: Key; desc: Key }[] = [
  { id: 'READONLY', label: 'db.rules.READONLY', desc: 'db.rules.READONLY.desc' },
  { id: 'PRIVATE', label: 'db.rules.PRIVATE', desc: 'db.rules.PRIVATE.desc' },
  { id: 'ADMINWRITE', label: 'db.rules.ADMINWRITE', desc: 'db.rules.ADMINWRITE.desc' },
  { id: 'ADMINONLY', label: 'db.rules.ADMINONLY', desc: 'db.rules.ADMINONLY.desc' },
];
const RULE_KEYS = ['read', 'write', 'create', 'update', 'delete'];
const MAX_EXPR = 1024; // characters, the server's limit (auth/rules.MaxLen)

/** Checks a custom rule's shape; the error in the console's language, or '' when it is well formed. */
export function checkCustom(text: string): string {
  const p = parseJSON<Doc>(text);
  if (!p.ok) return p.error;
  const keys = Object.keys(p.value);
  if (keys.length === 0) return t('db.rules.needOne');
  for (const k of keys) {
    if (!RULE_KEYS.includes(k)) return t('db.rules.unknownKey', { key: k });
    const v = p.value[k];
    if (typeof v === 'boolean') continue;
    if (typeof v !== 'string' || v.trim() === '') return t('db.rules.badValue', { key: k });
    if (v.length > MAX_EXPR) return t('db.rules.tooLong', { key: k, max: MAX_EXPR });
    const bad = unbalanced(v);
    if (bad >= 0) return t('db.rules.unbalanced', { key: k, pos: bad + 1 });
  }
  if (!('read' in p.value)) return t('db.rules.noRead');
  return '';
}

// unbalanced is the position of the first bracket or quote that does not
// pair up in an expression, or -1.
function unbalanced(s: string): number {
  const stack: [string, number][] = [];
  const pair: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '"' || ch === "'") {
      const j = s.indexOf(ch, i + 1);
      if (j < 0) return i;
      i = j;
    } else if (ch === '(' || ch === '[' || ch === '{') stack.push([ch, i]);
    else if (ch in pair) {
      const top = stack.pop();
      if (!top || top[0] !== pair[ch]) return i;
    }
  }
  return stack.length ? stack[stack.length - 1][1] : -1;
}

export default function Rules(props: { coll: string }) {
  const [current, setCurrent] = useState<Doc | null>(null);
  const [preset, setPreset] = useState<string>('');
  const [custom, setCustom] = useState(pretty({ read: 'doc._openid == auth.openid', write: 'doc._openid == auth.openid' }));
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    getRules(props.coll).then(
      (r) => {
        setCurrent(r);
        if (typeof r.preset === 'string') setPreset(r.preset);
        else {
          setPreset('custom');
          setCustom(pretty(r));
        }
      },
      (e) => fail(e),
    );
  }, [props.coll]);
  const customError = preset === 'custom' ? checkCustom(custom) : '';
  const verdict = useServerCheck(preset === 'custom' && !customError ? custom : '', (text) => validateRules(JSON.parse(text) as Doc));
  const serverError = verdict.state === 'invalid' ? verdict.msg : '';
  const status = customError
    ? customError
    : serverError
      ? serverError
      : verdict.state === 'checking'
        ? t('db.rules.checking')
        : verdict.state === 'unknown'
          ? t('db.rules.uncheckable', { msg: verdict.msg })
          : t('db.rules.looksRight');
  const bad = !!customError || !!serverError;
  const save = async () => {
    const body = preset === 'custom' ? (JSON.parse(custom) as Doc) : { preset };
    setBusy(true);
    try {
      setCurrent(await setRules(props.coll, body));
      ok(t('db.rules.saved'));
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="stack">
      <div class="card stack">
        <h2>{t('db.rules.title')}</h2>
        <p class="muted">
          {t('db.rules.current')} <code data-testid="rules-current">{current ? JSON.stringify(current) : '…'}</code>
        </p>
        <div class="presets" role="group" aria-label={t('db.rules.title')}>
          {PRESETS.map((p) => (
            <button key={p.id} type="button" class="preset" aria-pressed={preset === p.id} onClick={() => setPreset(p.id)} data-testid={'preset-' + p.id}>
              <strong>{t(p.label)}</strong>
              <br />
              <small class="muted">{t(p.desc)}</small>
            </button>
          ))}
          <button type="button" class="preset" aria-pressed={preset === 'custom'} onClick={() => setPreset('custom')} data-testid="preset-custom">
            <strong>{t('db.rules.custom')}</strong>
            <br />
            <small class="muted">{t('db.rules.custom.desc')}</small>
          </button>
        </div>
        {preset === 'custom' ? (
          <label class="field">
            <span>{t('db.rules.customLabel')}</span>
            <textarea class="editor editor-small" rows={6} value={custom} onInput={(e) => setCustom(e.currentTarget.value)} spellcheck={false} aria-invalid={bad} data-testid="rules-custom" />
            <small class={bad ? 'error-text' : verdict.state === 'ok' ? 'ok-text' : 'muted'} role="status" data-testid="rules-custom-status" data-state={customError ? 'invalid' : verdict.state}>
              {status}
            </small>
          </label>
        ) : null}
        <div class="row">
          <button type="button" class="btn btn-primary" onClick={save} disabled={busy || !preset || bad || verdict.state === 'checking'} data-testid="rules-save">
            {busy ? t('common.running') : t('db.rules.save')}
          </button>
        </div>
      </div>
      <ExplainTool coll={props.coll} />
    </div>
  );
}

interface UserRow {
  uid: string;
  username?: string;
  email?: string;
  phone?: string;
  loginType?: string;
}

function ExplainTool(props: { coll: string }) {
  const [users, setUsers] = useState<UserRow[]>([]);
  const [uid, setUid] = useState('');
  const [op, setOp] = useState('read');
  const [filter, setFilter] = useState('{}');
  const [data, setData] = useState('{}');
  const [id, setId] = useState('');
  const [out, setOut] = useState<Explanation | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    call<{ data: UserRow[] }>('GET', '/v1/admin/users?limit=100').then((r) => setUsers(r.data ?? []), () => setUsers([]));
  }, []);
  const pf = parseJSON<Doc>(filter);
  const pd = parseJSON<Doc>(data);
  const needsData = op === 'create' || op === 'update';
  const run = async (e: Event) => {
    e.preventDefault();
    if (!pf.ok || (needsData && !pd.ok)) return;
    setBusy(true);
    try {
      const body: Parameters<typeof explainRule>[0] = { collection: props.coll, operation: op, filter: pf.value };
      if (uid) body.uid = uid;
      if (needsData && pd.ok) body.data = pd.value;
      if (id.trim()) body.id = id.trim();
      setOut(await explainRule(body));
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="card stack" onSubmit={run}>
      <h2>{t('db.explain.title')}</h2>
      <p class="muted">{t('db.explain.lead')}</p>
      <div class="row">
        <label class="field grow">
          <span>{t('db.explain.user')}</span>
          <select value={uid} onChange={(e) => setUid(e.currentTarget.value)} data-testid="explain-user">
            <option value="">{t('db.explain.visitor')}</option>
            {users.map((u) => (
              <option key={u.uid} value={u.uid}>
                {(u.username || u.email || u.phone || u.loginType || '') + ' · ' + u.uid}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>{t('db.explain.op')}</span>
          <select value={op} onChange={(e) => setOp(e.currentTarget.value)} data-testid="explain-op">
            {['read', 'create', 'update', 'delete'].map((o) => (
              <option key={o} value={o}>
                {t(('db.explain.op.' + o) as Key)}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>{t('db.explain.id')}</span>
          <input value={id} onInput={(e) => setId(e.currentTarget.value)} placeholder={t('db.explain.idPlaceholder')} />
        </label>
      </div>
      <div class={needsData ? 'grid2' : ''}>
        <label class="field">
          <span>{t('db.explain.filter')}</span>
          <textarea class="editor editor-small" rows={3} value={filter} onInput={(e) => setFilter(e.currentTarget.value)} spellcheck={false} aria-invalid={!pf.ok} data-testid="explain-filter" />
          {!pf.ok ? <small class="error-text">{pf.error}</small> : null}
        </label>
        {needsData ? (
          <label class="field">
            <span>{t('db.explain.data')}</span>
            <textarea class="editor editor-small" rows={3} value={data} onInput={(e) => setData(e.currentTarget.value)} spellcheck={false} aria-invalid={!pd.ok} />
            {!pd.ok ? <small class="error-text">{pd.error}</small> : null}
          </label>
        ) : null}
      </div>
      <div class="row">
        <button type="submit" class="btn btn-primary" disabled={busy || !pf.ok || (needsData && !pd.ok)} data-testid="explain-run">
          {busy ? t('common.running') : t('db.explain.run')}
        </button>
      </div>
      {out ? (
        <div class={'card stack ' + (out.allowed ? 'allowed' : 'denied')} data-testid="explain-result" role="status">
          <strong>{out.allowed ? t('db.explain.allowed') : t('db.explain.denied')}</strong>
          <div>
            {t('db.explain.rule')} <code>{out.rule}</code>
          </div>
          {out.reason ? <div>{out.reason}</div> : null}
        </div>
      ) : null}
    </form>
  );
}
