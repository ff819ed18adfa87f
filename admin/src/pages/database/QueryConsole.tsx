/**
 * The query console: a wx.cloud-style chain, a MongoDB filter (with sort,
 * skip, limit) or an aggregation pipeline, run as admin; shows the result,
 * the time and the plan (POST …/explain). On a server without the explain
 * endpoint it runs the query itself and times it in the browser.
 */
import { useState } from 'preact/hooks';
import { aggregate, count, explainQuery, query, type Doc, type Explained, type Query } from '../../api/db';
import { apiError } from '../../api/client';
import { fail } from '../../components/toast';
import { num, t } from '../../i18n';
import { ChainError, parseChain } from './chain';
import { parseJSON, pretty } from './json';

type Mode = 'chain' | 'filter' | 'aggregate';
const SAMPLE: Record<Mode, (c: string) => string> = {
  chain: (c) => `db.collection('${c}').where({}).orderBy('_id', 'desc').limit(20).get()`,
  filter: () => '{}',
  aggregate: () => '[\n  { "$group": { "_id": null, "n": { "$sum": 1 } } }\n]',
};

const missing = (e: unknown) => /no such endpoint/.test(apiError(e).message);

export default function QueryConsole(props: { coll: string }) {
  const [mode, setMode] = useState<Mode>('chain');
  const [text, setText] = useState<Record<Mode, string>>({ chain: SAMPLE.chain(props.coll), filter: SAMPLE.filter(props.coll), aggregate: SAMPLE.aggregate(props.coll) });
  const [sort, setSort] = useState('');
  const [limit, setLimit] = useState(20);
  const [out, setOut] = useState<(Explained & { local?: boolean; total?: number }) | null>(null);
  const [busy, setBusy] = useState(false);

  const src = text[mode];
  let error = '';
  let body: Query | { pipeline: Doc[] } | null = null;
  let op: 'get' | 'count' = 'get';
  let coll = props.coll;
  if (mode === 'chain') {
    try {
      const c = parseChain(src);
      body = c.query;
      op = c.op;
      if (c.collection) coll = c.collection;
    } catch (e) {
      error = e instanceof ChainError ? t('db.q.chainError', { detail: e.message }) : String(e);
    }
  } else if (mode === 'filter') {
    const p = parseJSON<Doc>(src);
    if (p.ok) {
      body = { filter: p.value, limit };
      const s = sort.trim();
      if (s) body.sort = s.split(',').map((x) => x.trim()).filter(Boolean).map((x) => (x.startsWith('-') ? [x.slice(1), -1] : [x, 1]));
    } else error = p.error;
  } else {
    const p = parseJSON<Doc[]>(src, 'array');
    if (p.ok) body = { pipeline: p.value };
    else error = p.error;
  }

  const run = async (e: Event) => {
    e.preventDefault();
    if (!body) return;
    setBusy(true);
    try {
      if (op === 'count') {
        const t0 = performance.now();
        const n = await count(coll, (body as Query).filter ?? {});
        setOut({ ms: performance.now() - t0, data: [], count: n, total: n, local: true });
        return;
      }
      try {
        setOut(await explainQuery(coll, body));
      } catch (err) {
        if (!missing(err)) throw err;
        const t0 = performance.now();
        const data = 'pipeline' in body ? await aggregate(coll, body.pipeline) : await query(coll, body);
        setOut({ ms: performance.now() - t0, data, count: data.length, local: true });
      }
    } catch (err) {
      fail(err);
      setOut(null);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="stack">
      <form class="card stack" onSubmit={run}>
        <div class="seg" role="group" aria-label={t('db.q.mode')}>
          {(['chain', 'filter', 'aggregate'] as Mode[]).map((m) => (
            <button key={m} type="button" aria-pressed={mode === m} onClick={() => setMode(m)} data-testid={'q-mode-' + m}>
              {t(m === 'chain' ? 'db.q.chain' : m === 'filter' ? 'db.q.filter' : 'db.q.aggregate')}
            </button>
          ))}
        </div>
        <textarea
          class="editor editor-small"
          rows={mode === 'chain' ? 3 : 6}
          value={src}
          onInput={(e) => setText({ ...text, [mode]: e.currentTarget.value })}
          spellcheck={false}
          aria-label={t('db.q.input')}
          aria-invalid={!!error}
          data-testid="q-input"
          onKeyDown={(e) => {
            if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') run(e);
          }}
        />
        {error ? <small class="error-text">{error}</small> : <small class="muted">{t('db.q.hint')}</small>}
        {mode === 'filter' ? (
          <div class="row">
            <label class="field grow">
              <span>{t('db.q.sort')}</span>
              <input value={sort} onInput={(e) => setSort(e.currentTarget.value)} placeholder={t('db.idx.keysPlaceholder')} />
            </label>
            <label class="field">
              <span>{t('db.q.limit')}</span>
              <input type="number" min={1} max={1000} value={limit} onInput={(e) => setLimit(Math.max(1, Math.min(1000, Number(e.currentTarget.value) || 20)))} />
            </label>
          </div>
        ) : null}
        <div class="row">
          <button type="submit" class="btn btn-primary" disabled={busy || !body} data-testid="q-run">
            {busy ? t('common.running') : t('common.run')}
          </button>
        </div>
      </form>
      {out ? (
        <div class="card stack" data-testid="q-result">
          <div class="row">
            <strong>{t('db.q.time', { ms: out.ms.toFixed(1) })}</strong>
            {out.count !== undefined ? <span class="tag">{t('db.q.count', { n: num(out.count) })}</span> : null}
            {out.plan ? (
              <span class={out.plan.scan === 'full' ? 'tag tag-danger' : 'tag tag-ok'} data-testid="q-plan">
                {out.plan.index ? t('db.q.planIndex', { name: String(out.plan.index) }) : t('db.q.planFull')}
              </span>
            ) : null}
          </div>
          {out.local ? <small class="muted">{t('db.q.noPlan')}</small> : null}
          {out.plan ? <pre class="result mono">{pretty(out.plan)}</pre> : null}
          {out.total === undefined ? <pre class="result mono">{pretty(out.data)}</pre> : null}
        </div>
      ) : null}
    </div>
  );
}
