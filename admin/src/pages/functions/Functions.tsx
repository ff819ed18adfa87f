/**
 * Functions: the list, and one function's code (CodeMirror, loaded
 * lazily), configuration (timeout, memory, environment variables,
 * triggers), triggers with a timer's next runs, versions (diff of two,
 * rollback) and a run panel. Route: /functions, /functions/<name>?tab=.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  deleteFunction,
  deployFunction,
  getFunction,
  listFunctions,
  listVersions,
  readFnFile,
  rollback,
  runFunction,
  type FnDetail,
  type FnInfo,
  type FnVersion,
  type RunResult,
} from '../../api/functions';
import { Confirm, failText } from '../../components/confirm';
import { TypedConfirm } from '../../components/modal';
import { fail, ok } from '../../components/toast';
import { bytes, lang, t, type Key } from '../../i18n';
import { navigate, query } from '../../router';
import { diffLines, hunks } from '../../lib/diff';
import { nextRuns } from '../../lib/cron';
import type { Editor } from './codemirror';
import '../ui2.css';

const fnPath = (name: string, tab?: string) => '/functions/' + encodeURIComponent(name) + (tab ? '?tab=' + tab : '');
/** Function names as the server takes them. */
const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,59}$/;
/** Editing loads every file of a function; beyond these it says to deploy a zip with the CLI instead. */
const MAX_EDIT_FILES = 100;
const MAX_EDIT_BYTES = 2 << 20;

const TEMPLATE = `// ${'${name}'}: a minibase cloud function (wx-server-sdk's API).
const cloud = require('wx-server-sdk');
cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });

exports.main = async (event, context) => {
  const { OPENID } = cloud.getWXContext();
  console.log('called with', event);
  return { openid: OPENID, event };
};
`;

export default function FunctionsPage(props: { rest: string[] }) {
  return props.rest[0] ? <FunctionDetail key={props.rest[0]} name={props.rest[0]} /> : <FunctionList />;
}

function triggerSummary(f: FnInfo): string {
  const parts: string[] = [];
  if (f.http?.length) parts.push(t('functions.trig.http', { n: f.http.length }));
  if (f.timer) parts.push(t('functions.trig.timer'));
  if (f.database?.length) parts.push(t('functions.trig.db', { n: f.database.length }));
  return parts.join(' · ') || '—';
}

function FunctionList() {
  const [fns, setFns] = useState<FnInfo[] | null>(null);
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const load = () =>
    listFunctions().then(setFns, (e) => {
      fail(e);
      setFns([]);
    });
  useEffect(() => {
    load();
  }, []);
  const create = async (e: Event) => {
    e.preventDefault();
    const n = name.trim();
    if (!NAME.test(n)) return failText(t('functions.badName'));
    if (fns?.some((f) => f.name === n)) return failText(t('functions.exists', { name: n }));
    setBusy(true);
    try {
      const v = await deployFunction(n, { 'index.js': TEMPLATE.replace('${name}', n) }, { timeout: 10 });
      ok(t('functions.deployed', { name: n, n: v.number }));
      navigate(fnPath(n));
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="page">
      <div class="row">
        <h1 class="grow ptitle">{t('nav.functions')}</h1>
        <button type="button" class="btn" onClick={load}>
          {t('common.refresh')}
        </button>
      </div>
      <form class="row card" onSubmit={create}>
        <label class="row grow">
          <span>{t('functions.newName')}</span>
          <input class="grow" value={name} onInput={(e) => setName(e.currentTarget.value)} maxLength={60} placeholder={t('functions.nameHint')} data-testid="fn-new-name" />
        </label>
        <button type="submit" class="btn btn-primary" disabled={busy} data-testid="fn-create">
          {busy ? t('common.running') : t('functions.create')}
        </button>
      </form>
      {fns === null ? (
        <p class="muted">{t('app.loading')}</p>
      ) : fns.length === 0 ? (
        <p class="card muted">{t('functions.none')}</p>
      ) : (
        <div class="table-wrap">
          <table data-testid="fn-table">
            <thead>
              <tr>
                <th>{t('common.name')}</th>
                <th>{t('functions.version')}</th>
                <th class="hide-phone">{t('functions.updated')}</th>
                <th class="hide-phone">{t('functions.limits')}</th>
                <th class="hide-phone">{t('functions.triggers')}</th>
              </tr>
            </thead>
            <tbody>
              {fns.map((f) => (
                <tr key={f.name}>
                  <td class="name-cell">
                    <a href={'/_' + fnPath(f.name)} onClick={(e) => (e.preventDefault(), navigate(fnPath(f.name)))}>
                      {f.name}
                    </a>
                    {f.error ? <div class="error-text small">{f.error}</div> : null}
                  </td>
                  <td>{f.number ? '#' + f.number : t('functions.edited')}</td>
                  <td class="hide-phone">{new Date(f.updatedAt).toLocaleString()}</td>
                  <td class="hide-phone">{t('functions.limitsText', { s: f.timeout ?? 3, mb: f.memorySize ?? 256 })}</td>
                  <td class="hide-phone">{triggerSummary(f)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

const TABS = ['code', 'config', 'triggers', 'versions', 'run'] as const;
type Tab = (typeof TABS)[number];

/** The function's sources as the editor holds them (config.json apart). */
interface Sources {
  files: Record<string, string>;
  tooBig?: string;
}

async function loadSources(d: FnDetail): Promise<Sources> {
  const list = d.files.filter((f) => f.path !== 'config.json');
  const total = list.reduce((s, f) => s + f.size, 0);
  if (list.length > MAX_EDIT_FILES || total > MAX_EDIT_BYTES) {
    return { files: {}, tooBig: t('functions.tooBig', { n: list.length, size: bytes(total) }) };
  }
  const texts = await Promise.all(list.map((f) => readFnFile(d.name, f.path)));
  return { files: Object.fromEntries(list.map((f, i) => [f.path, texts[i]])) };
}

function FunctionDetail(props: { name: string }) {
  const name = props.name;
  const tab = ((new URLSearchParams(query.value).get('tab') ?? 'code') as Tab) || 'code';
  const [d, setD] = useState<FnDetail | null>(null);
  const [err, setErr] = useState('');
  const [src, setSrc] = useState<Sources | null>(null);
  const [saved, setSaved] = useState<Record<string, string>>({});
  const [asking, setAsking] = useState(false);
  const load = async () => {
    try {
      const det = await getFunction(name);
      setD(det);
      const s = await loadSources(det);
      setSrc(s);
      setSaved(s.files);
    } catch (e) {
      fail(e);
      setErr((e as Error).message);
    }
  };
  useEffect(() => {
    load();
  }, [name]);
  useEffect(() => {
    document.querySelector('.tab[aria-selected=true]')?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }, [tab]);
  const dirty = !!src && Object.keys(src.files).some((p) => src.files[p] !== saved[p]);

  /** Deploys the sources with config; reloads the function. */
  const deploy = async (files: Record<string, string>, config: Record<string, unknown>) => {
    const v = await deployFunction(name, files, config);
    ok(v.unchanged ? t('functions.unchanged') : t('functions.deployed', { name, n: v.number }));
    await load();
  };

  return (
    <section class="page">
      <button type="button" class="btn-link back" onClick={() => navigate('/functions')}>
        ← {t('functions.back')}
      </button>
      <div class="row">
        <h1 class="grow ptitle">
          {name} {d?.number ? <span class="muted">#{d.number}</span> : null}
        </h1>
        <button type="button" class="btn btn-danger-outline" onClick={() => setAsking(true)}>
          {t('functions.delete')}
        </button>
      </div>
      {err && !d ? <p class="card error-text">{err}</p> : null}
      {d?.error ? <p class="card error-text">{t('functions.loadError', { err: d.error })}</p> : null}
      <div class="tabs" role="tablist">
        {TABS.map((x) => (
          <button key={x} type="button" role="tab" aria-selected={tab === x} class="tab" onClick={() => navigate(fnPath(name, x), true)} data-testid={'fn-tab-' + x}>
            {t(('functions.tab.' + x) as Key)}
            {x === 'code' && dirty ? ' •' : ''}
          </button>
        ))}
      </div>
      {!d || !src ? (
        err ? null : <p class="muted">{t('app.loading')}</p>
      ) : tab === 'code' ? (
        <CodeTab d={d} src={src} saved={saved} setSrc={setSrc} deploy={deploy} />
      ) : tab === 'config' ? (
        <ConfigTab d={d} src={src} dirty={dirty} deploy={deploy} />
      ) : tab === 'triggers' ? (
        <TriggersTab d={d} />
      ) : tab === 'versions' ? (
        <VersionsTab d={d} reload={load} />
      ) : (
        <RunTab d={d} />
      )}
      {asking ? (
        <TypedConfirm
          title={t('functions.delete')}
          message={t('functions.deleteMsg', { name })}
          name={name}
          action={t('common.delete')}
          onClose={() => setAsking(false)}
          onConfirm={async () => {
            try {
              await deleteFunction(name);
              ok(t('common.deleted'));
              navigate('/functions');
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

/** The lazily loaded CodeMirror editor of one file. */
function CodeEditor(props: { path: string; text: string; onChange: (s: string) => void }) {
  const ref = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'failed'>('loading');
  const change = useRef(props.onChange);
  change.current = props.onChange;
  useEffect(() => {
    let ed: Editor | undefined;
    let gone = false;
    import('./codemirror').then(
      (m) => {
        if (gone || !ref.current) return;
        ed = m.createEditor(ref.current, props.path, props.text, (s) => change.current(s), t('functions.editorOf', { path: props.path }));
        setState('ready');
      },
      (e) => {
        fail(e);
        setState('failed');
      },
    );
    return () => {
      gone = true;
      ed?.destroy();
    };
  }, [props.path]);
  return (
    <div>
      {state !== 'ready' ? <p class="muted">{state === 'loading' ? t('functions.editorLoading') : t('functions.editorFailed')}</p> : null}
      <div ref={ref} class="editor" data-testid="code-editor" />
    </div>
  );
}

function CodeTab(props: {
  d: FnDetail;
  src: Sources;
  saved: Record<string, string>;
  setSrc: (s: Sources) => void;
  deploy: (files: Record<string, string>, config: Record<string, unknown>) => Promise<void>;
}) {
  const { src } = props;
  const paths = Object.keys(src.files).sort();
  const [path, setPath] = useState(paths.includes('index.js') ? 'index.js' : paths[0] ?? '');
  const [busy, setBusy] = useState(false);
  const [newFile, setNewFile] = useState('');
  if (src.tooBig) return <p class="card">{src.tooBig}</p>;
  const go = async () => {
    setBusy(true);
    try {
      await props.deploy(src.files, props.d.config);
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };
  const add = (e: Event) => {
    e.preventDefault();
    const p = newFile.trim();
    if (!/^[\w.-]+(\/[\w.-]+)*$/.test(p) || p.split('/').some((s) => s === '..' || s === '.') || p.length > 200 || p === 'config.json') {
      return failText(t('functions.badPath'));
    }
    if (!(p in src.files)) props.setSrc({ files: { ...src.files, [p]: '' } });
    setPath(p);
    setNewFile('');
  };
  const changed = (p: string) => src.files[p] !== props.saved[p];
  return (
    <div class="stack">
      <div class="row">
        <label class="row">
          <span>{t('functions.file')}</span>
          <select value={path} onChange={(e) => setPath(e.currentTarget.value)} data-testid="fn-file">
            {paths.map((p) => (
              <option key={p} value={p}>
                {p}
                {changed(p) ? ' •' : ''}
              </option>
            ))}
          </select>
        </label>
        <form class="row" onSubmit={add}>
          <input value={newFile} onInput={(e) => setNewFile(e.currentTarget.value)} placeholder={t('functions.newFile')} aria-label={t('functions.newFile')} maxLength={200} size={14} />
          <button type="submit" class="btn btn-small">
            {t('functions.addFile')}
          </button>
        </form>
        <span class="grow" />
        <button type="button" class="btn btn-primary" onClick={go} disabled={busy} data-testid="fn-deploy">
          {busy ? t('functions.deploying') : t('functions.deploy')}
        </button>
      </div>
      {path ? (
        <CodeEditor key={path} path={path} text={src.files[path] ?? ''} onChange={(s) => props.setSrc({ files: { ...src.files, [path]: s } })} />
      ) : (
        <p class="muted">{t('functions.noFiles')}</p>
      )}
      <p class="muted small">{t('functions.codeHelp')}</p>
    </div>
  );
}

/** Splits config.json into the fields the form edits and the rest (kept as JSON). */
function splitConfig(c: Record<string, unknown>) {
  const { timeout, memorySize, envVariables, ...rest } = c;
  const env = envVariables && typeof envVariables === 'object' ? Object.entries(envVariables as Record<string, unknown>).map(([k, v]) => [k, String(v)] as [string, string]) : [];
  return { timeout: timeout === undefined ? '' : String(timeout), memorySize: memorySize === undefined ? '' : String(memorySize), env, rest };
}

function ConfigTab(props: { d: FnDetail; src: Sources; dirty: boolean; deploy: (files: Record<string, string>, config: Record<string, unknown>) => Promise<void> }) {
  const init = splitConfig(props.d.config ?? {});
  const [timeout, setTimeout_] = useState(init.timeout);
  const [memory, setMemory] = useState(init.memorySize);
  const [env, setEnv] = useState<[string, string][]>(init.env);
  const [rest, setRest] = useState(JSON.stringify(init.rest, null, 2));
  const [busy, setBusy] = useState(false);
  let restErr = '';
  let restObj: Record<string, unknown> = {};
  try {
    const v = JSON.parse(rest || '{}');
    if (!v || typeof v !== 'object' || Array.isArray(v)) restErr = t('functions.configObject');
    else restObj = v;
  } catch (e) {
    restErr = (e as Error).message;
  }
  const envErr = env.find(([k]) => !/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(k));
  const save = async (e: Event) => {
    e.preventDefault();
    if (restErr || envErr) return failText(restErr || t('functions.badEnvName', { name: envErr![0] }));
    if (props.src.tooBig) return failText(props.src.tooBig);
    const cfg: Record<string, unknown> = { ...restObj };
    if (timeout.trim()) cfg.timeout = Number(timeout);
    if (memory.trim()) cfg.memorySize = Number(memory);
    if (env.length) cfg.envVariables = Object.fromEntries(env);
    setBusy(true);
    try {
      await props.deploy(props.src.files, cfg);
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="stack" onSubmit={save}>
      {props.dirty ? <p class="card muted">{t('functions.configWithEdits')}</p> : null}
      <div class="grid2">
        <label class="field">
          <span>{t('functions.timeout')}</span>
          <input type="number" min="0.1" max="900" step="any" value={timeout} onInput={(e) => setTimeout_(e.currentTarget.value)} placeholder="3" data-testid="fn-timeout" />
        </label>
        <label class="field">
          <span>{t('functions.memory')}</span>
          <input type="number" min="16" max="4096" step="1" value={memory} onInput={(e) => setMemory(e.currentTarget.value)} placeholder="256" />
        </label>
      </div>
      <fieldset class="fieldset stack">
        <legend>{t('functions.env')}</legend>
        {env.map(([k, v], i) => (
          <div class="row" key={i}>
            <input class="mono" value={k} aria-label={t('functions.envName')} aria-invalid={envErr && envErr[0] === k ? 'true' : undefined} maxLength={128} onInput={(e) => setEnv(env.map((x, j) => (j === i ? [e.currentTarget.value, x[1]] : x)))} />
            <span aria-hidden="true">=</span>
            <input class="mono grow" value={v} aria-label={t('functions.envValue')} maxLength={4096} onInput={(e) => setEnv(env.map((x, j) => (j === i ? [x[0], e.currentTarget.value] : x)))} />
            <button type="button" class="btn btn-small" onClick={() => setEnv(env.filter((_, j) => j !== i))} aria-label={t('functions.envRemove', { name: k })}>
              ×
            </button>
          </div>
        ))}
        <div>
          <button type="button" class="btn btn-small" onClick={() => setEnv([...env, ['', '']])} disabled={env.length >= 100}>
            {t('functions.envAdd')}
          </button>
        </div>
      </fieldset>
      <label class="field">
        <span>{t('functions.configRest')}</span>
        <textarea rows={10} value={rest} onInput={(e) => setRest(e.currentTarget.value)} aria-invalid={restErr ? 'true' : undefined} spellcheck={false} maxLength={65536} />
        {restErr ? <small class="error-text">{restErr}</small> : <small class="muted">{t('functions.configRestHelp')}</small>}
      </label>
      <div class="row end">
        <button type="submit" class="btn btn-primary" disabled={busy || !!restErr}>
          {busy ? t('functions.deploying') : t('functions.saveConfig')}
        </button>
      </div>
    </form>
  );
}

function TriggersTab(props: { d: FnDetail }) {
  const d = props.d;
  const http = d.triggers?.http ?? d.http ?? [];
  const db = d.triggers?.db ?? d.database ?? [];
  const crons = d.triggers?.cron ?? (d.timer ? [{ expr: d.timer.config }] : []);
  const now = Date.now();
  return (
    <div class="stack">
      <div class="card stack">
        <h2>{t('functions.httpRoutes')}</h2>
        {http.length === 0 ? (
          <p class="muted">{t('common.none')}</p>
        ) : (
          <ul class="plain">
            {http.map((r) => (
              <li key={r.path}>
                <code>
                  {(r.methods?.length ? r.methods.join(',') : t('functions.anyMethod')) + ' '}
                  <a href={'/fn' + r.path} target="_blank" rel="noopener">
                    {'/fn' + r.path}
                  </a>
                </code>
              </li>
            ))}
          </ul>
        )}
      </div>
      <div class="card stack" data-testid="fn-cron">
        <h2>{t('functions.timers')}</h2>
        {crons.length === 0 ? (
          <p class="muted">{t('common.none')}</p>
        ) : (
          crons.map((c) => (
            <div key={c.expr} class="stack">
              <code>{c.expr}</code>
              {'next' in c && c.next ? (
                <table class="compact">
                  <caption class="muted small">{t('functions.nextRuns')}</caption>
                  <tbody>
                    {nextRuns(c.next, now, lang.value).map((r, i) => (
                      <tr key={i}>
                        <td>{r.at}</td>
                        <td class="muted">{r.until}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : (
                <p class="muted small">{t('functions.noNextRuns')}</p>
              )}
            </div>
          ))
        )}
      </div>
      <div class="card stack">
        <h2>{t('functions.dbTriggers')}</h2>
        {db.length === 0 ? (
          <p class="muted">{t('common.none')}</p>
        ) : (
          <ul class="plain">
            {db.map((x) => (
              <li key={x.name}>
                <strong>{x.name}</strong> <code>{x.collection}</code> <span class="muted">{x.events.join(', ')}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
      <p class="muted small">{t('functions.triggersHelp')}</p>
    </div>
  );
}

function VersionsTab(props: { d: FnDetail; reload: () => Promise<void> }) {
  const name = props.d.name;
  const [vs, setVs] = useState<FnVersion[] | null>(null);
  const [back, setBack] = useState<FnVersion | null>(null);
  const [a, setA] = useState(0);
  const [b, setB] = useState(0);
  const [file, setFile] = useState('index.js');
  const [diff, setDiff] = useState<{ text: ReturnType<typeof hunks>; tooLarge: boolean; note: string } | null>(null);
  const [diffing, setDiffing] = useState(false);
  const load = () =>
    listVersions(name).then(
      (v) => {
        setVs(v);
        if (v.length) {
          setB(v[0].number);
          setA(v[Math.min(1, v.length - 1)].number);
        }
      },
      (e) => {
        fail(e);
        setVs([]);
      },
    );
  useEffect(() => {
    load();
  }, [name]);
  const read = (v: number) =>
    readFnFile(name, file, v).then(
      (s) => ({ s, missing: false }),
      () => ({ s: '', missing: true }),
    );
  const show = async (e: Event) => {
    e.preventDefault();
    setDiffing(true);
    try {
      const [x, y] = await Promise.all([read(a), read(b)]);
      const r = diffLines(x.s, y.s);
      const note = x.missing && y.missing ? t('functions.diffNoFile', { file }) : x.missing ? t('functions.diffAdded', { n: a }) : y.missing ? t('functions.diffRemoved', { n: b }) : '';
      setDiff({ text: hunks(r.ops), tooLarge: r.tooLarge, note });
    } finally {
      setDiffing(false);
    }
  };
  const files = props.d.files.map((f) => f.path);
  return (
    <div class="stack">
      {vs === null ? (
        <p class="muted">{t('app.loading')}</p>
      ) : vs.length === 0 ? (
        <p class="card muted">{t('functions.noVersions')}</p>
      ) : (
        <div class="table-wrap">
          <table data-testid="fn-versions">
            <thead>
              <tr>
                <th>#</th>
                <th>{t('functions.deployedAt')}</th>
                <th class="hide-phone">{t('functions.origin')}</th>
                <th class="hide-phone num">{t('functions.size')}</th>
                <th>{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {vs.map((v) => (
                <tr key={v.number}>
                  <td>
                    #{v.number} {v.number === props.d.number ? <span class="tag tag-ok">{t('functions.live')}</span> : null}
                  </td>
                  <td>{new Date(v.deployedAt).toLocaleString()}</td>
                  <td class="hide-phone">{v.origin === 'rollback' && v.from ? t('functions.rolledBackTo', { n: v.from }) : t(('functions.originOf.' + v.origin) as Key)}</td>
                  <td class="hide-phone num">{t('functions.filesSize', { n: v.files, size: bytes(v.bytes) })}</td>
                  <td>
                    {v.number !== props.d.number ? (
                      <button type="button" class="btn btn-small" onClick={() => setBack(v)}>
                        {t('functions.rollback')}
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {vs && vs.length > 0 ? (
        <form class="card stack" onSubmit={show}>
          <h2>{t('functions.diff')}</h2>
          <div class="row">
            <label class="row">
              <span>{t('functions.diffFrom')}</span>
              <select value={a} onChange={(e) => setA(Number(e.currentTarget.value))}>
                {vs.map((v) => (
                  <option key={v.number} value={v.number}>
                    #{v.number}
                  </option>
                ))}
              </select>
            </label>
            <label class="row">
              <span>{t('functions.diffTo')}</span>
              <select value={b} onChange={(e) => setB(Number(e.currentTarget.value))}>
                {vs.map((v) => (
                  <option key={v.number} value={v.number}>
                    #{v.number}
                  </option>
                ))}
              </select>
            </label>
            <label class="row">
              <span>{t('functions.file')}</span>
              <input list="fn-files" value={file} onInput={(e) => setFile(e.currentTarget.value)} maxLength={200} size={14} />
              <datalist id="fn-files">
                {files.map((f) => (
                  <option key={f} value={f} />
                ))}
              </datalist>
            </label>
            <button type="submit" class="btn" disabled={diffing} data-testid="fn-diff">
              {diffing ? t('common.running') : t('functions.showDiff')}
            </button>
          </div>
          {diff ? (
            diff.tooLarge ? (
              <p class="muted">{t('functions.diffTooLarge')}</p>
            ) : (
              <>
                {diff.note ? <p class="muted">{diff.note}</p> : null}
                {diff.text.every((o) => o.kind === 'same' || o.kind === 'skip') ? <p class="muted">{t('functions.diffSame')}</p> : null}
                <pre class="diff" data-testid="diff-out">
                  {diff.text.map((o, i) =>
                    o.kind === 'skip' ? (
                      <div key={i} class="diff-skip">
                        {t('functions.diffSkip', { n: o.count })}
                      </div>
                    ) : (
                      <div key={i} class={'diff-' + o.kind}>
                        <span class="diff-no">{o.a ?? ''}</span>
                        <span class="diff-no">{o.b ?? ''}</span>
                        {(o.kind === 'add' ? '+ ' : o.kind === 'del' ? '- ' : '  ') + o.text}
                      </div>
                    ),
                  )}
                </pre>
              </>
            )
          ) : null}
        </form>
      ) : null}
      {back ? (
        <Confirm
          title={t('functions.rollback')}
          message={t('functions.rollbackMsg', { n: back.number })}
          action={t('functions.rollback')}
          onClose={() => setBack(null)}
          onConfirm={async () => {
            const v = await rollback(name, back.number);
            ok(t('functions.rolledBack', { n: back.number, now: v.number }));
            await props.reload();
            await load();
          }}
        />
      ) : null}
    </div>
  );
}

function RunTab(props: { d: FnDetail }) {
  const key = 'minibase:console:event:' + props.d.name;
  const [event, setEvent] = useState(() => {
    try {
      return sessionStorage.getItem(key) ?? '{\n  "hello": "world"\n}';
    } catch {
      return '{}';
    }
  });
  const [busy, setBusy] = useState(false);
  const [res, setRes] = useState<RunResult | null>(null);
  let parseErr = '';
  try {
    JSON.parse(event);
  } catch (e) {
    parseErr = (e as Error).message;
  }
  const run = async (e: Event) => {
    e.preventDefault();
    if (parseErr) return;
    try {
      sessionStorage.setItem(key, event);
    } catch {
      // not kept: private mode
    }
    setBusy(true);
    try {
      setRes(await runFunction(props.d.name, JSON.parse(event)));
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  };
  const errText = (x: RunResult['error']) => (typeof x === 'string' ? x : x ? `${x.code ?? ''} ${x.message ?? ''}`.trim() : '');
  return (
    <div class="run-grid">
      <form class="stack" onSubmit={run}>
        <label class="field">
          <span>{t('functions.event')}</span>
          <textarea rows={12} value={event} onInput={(e) => setEvent(e.currentTarget.value)} aria-invalid={parseErr ? 'true' : undefined} spellcheck={false} maxLength={1 << 20} data-testid="fn-event" />
          {parseErr ? <small class="error-text">{t('functions.eventBad', { err: parseErr })}</small> : <small class="muted">{t('functions.eventHelp')}</small>}
        </label>
        <div class="row end">
          <button type="submit" class="btn btn-primary" disabled={busy || !!parseErr} data-testid="fn-run">
            {busy ? t('common.running') : t('common.run')}
          </button>
        </div>
      </form>
      <div class="stack" data-testid="fn-run-result" aria-live="polite">
        {res ? (
          <>
            <div class="row">
              {res.error ? <span class="tag tag-danger">{t('functions.runFailed')}</span> : <span class="tag tag-ok">{t('functions.runOk')}</span>}
              <span class="muted">{t('functions.took', { ms: res.ms.toFixed(1) })}</span>
              <span class="grow" />
              <a
                href={'/_/logs?requestId=' + encodeURIComponent(res.requestID)}
                onClick={(e) => (e.preventDefault(), navigate('/logs?requestId=' + encodeURIComponent(res.requestID)))}
                class="small mono"
              >
                {res.requestID}
              </a>
            </div>
            {res.via === 'invoke' ? <p class="muted small">{t('functions.viaInvoke')}</p> : null}
            {res.error ? (
              <pre class="card error-text" data-testid="fn-error">
                {errText(res.error)}
              </pre>
            ) : null}
            {res.error ? null : (
              <>
                <h3>{t('functions.result')}</h3>
                <pre class="card out" data-testid="fn-result">
                  {res.result === undefined ? 'undefined' : JSON.stringify(res.result, null, 2)}
                </pre>
              </>
            )}
            <h3>{t('functions.console')}</h3>
            {res.logs?.length ? (
              <pre class="card out logs-out" data-testid="fn-logs">
                {res.logs.map((l, i) => (
                  <div key={i} class={'log-' + l.level}>
                    <span class="muted">{new Date(l.time).toLocaleTimeString()}</span> <strong>{l.level}</strong> {l.msg}
                  </div>
                ))}
              </pre>
            ) : (
              <p class="muted">{t('functions.noOutput')}</p>
            )}
          </>
        ) : (
          <p class="muted">{t('functions.runHelp')}</p>
        )}
      </div>
    </div>
  );
}
