/**
 * The document browser: a filter (MongoDB JSON, or field / operator /
 * value rows), sort, projection, pages of 20; insert, edit, delete one,
 * and delete every match after a preview count.
 */
import { useEffect, useState } from 'preact/hooks';
import { count, query, removeDoc, removeWhere, type Doc, type Query } from '../../api/db';
import { Modal, TypedConfirm } from '../../components/modal';
import { fail, ok } from '../../components/toast';
import { num, t } from '../../i18n';
import { DocEditor } from './DocEditor';
import { parseJSON, preview } from './json';

const PAGE = 20;
const OPS = ['=', '!=', '>', '>=', '<', '<=', 'in', 'exists', 'regex'] as const;
type Op = (typeof OPS)[number];
interface Cond {
  field: string;
  op: Op;
  value: string;
}

/** The value a form row means: JSON when it parses (numbers, true, lists), else the text. */
function typed(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

/** The MongoDB filter of the form's rows (empty fields are skipped). */
export function formFilter(rows: Cond[]): Doc {
  const f: Doc = {};
  for (const r of rows) {
    const field = r.field.trim();
    if (!field) continue;
    const v = typed(r.value);
    const op: Record<Op, () => unknown> = {
      '=': () => v,
      '!=': () => ({ $ne: v }),
      '>': () => ({ $gt: v }),
      '>=': () => ({ $gte: v }),
      '<': () => ({ $lt: v }),
      '<=': () => ({ $lte: v }),
      in: () => ({ $in: Array.isArray(v) ? v : String(r.value).split(',').map((s) => typed(s.trim())) }),
      exists: () => ({ $exists: v !== false && v !== 'false' }),
      regex: () => ({ $regex: r.value, $options: 'i' }),
    };
    const cond = op[r.op]();
    const prev = f[field];
    f[field] = prev && typeof prev === 'object' && typeof cond === 'object' && !Array.isArray(cond) ? { ...(prev as Doc), ...(cond as Doc) } : cond;
  }
  return f;
}

export default function Documents(props: { coll: string }) {
  const [mode, setMode] = useState<'json' | 'form'>('json');
  const [filterText, setFilterText] = useState('{}');
  const [rows, setRows] = useState<Cond[]>([{ field: '', op: '=', value: '' }]);
  const [sortField, setSortField] = useState('');
  const [sortDir, setSortDir] = useState<1 | -1>(-1);
  const [proj, setProj] = useState('');
  const [page, setPage] = useState(0);
  const [docs, setDocs] = useState<Doc[] | null>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [editing, setEditing] = useState<Doc | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Doc | null>(null);
  const [bulk, setBulk] = useState<{ filter: Doc; n: number } | null>(null);

  const parsedFilter = mode === 'json' ? parseJSON<Doc>(filterText) : ({ ok: true, value: formFilter(rows) } as const);
  const build = (p: number): Query | null => {
    if (!parsedFilter.ok) return null;
    const q: Query = { filter: parsedFilter.value, skip: p * PAGE, limit: PAGE };
    if (sortField.trim()) q.sort = [[sortField.trim(), sortDir]];
    const fields = proj.split(',').map((s) => s.trim()).filter(Boolean);
    if (fields.length) q.projection = Object.fromEntries(fields.map((f) => (f.startsWith('-') ? [f.slice(1), 0] : [f, 1])));
    return q;
  };
  const run = async (p = page) => {
    const q = build(p);
    if (!q) return;
    setBusy(true);
    try {
      const [d, n] = await Promise.all([query(props.coll, q), count(props.coll, q.filter)]);
      setDocs(d);
      setTotal(n);
      setPage(p);
    } catch (e) {
      fail(e);
    } finally {
      setBusy(false);
    }
  };
  useEffect(() => void run(0), [props.coll]);

  const previewBulk = async () => {
    if (!parsedFilter.ok) return;
    try {
      setBulk({ filter: parsedFilter.value, n: await count(props.coll, parsedFilter.value) });
    } catch (e) {
      fail(e);
    }
  };
  const pages = total === null ? 1 : Math.max(1, Math.ceil(total / PAGE));
  return (
    <div class="stack">
      <form
        class="card stack"
        onSubmit={(e) => {
          e.preventDefault();
          run(0);
        }}
      >
        <div class="row">
          <div class="seg" role="group" aria-label={t('db.filter.mode')}>
            <button type="button" aria-pressed={mode === 'json'} onClick={() => setMode('json')}>
              {t('db.filter.json')}
            </button>
            <button type="button" aria-pressed={mode === 'form'} onClick={() => setMode('form')}>
              {t('db.filter.form')}
            </button>
          </div>
          <span class="grow" />
          <button type="button" class="btn" onClick={() => setEditing('new')} data-testid="doc-add">
            {t('db.doc.add')}
          </button>
        </div>
        {mode === 'json' ? (
          <label class="field">
            <span>{t('db.filter.label')}</span>
            <textarea class="editor editor-small" value={filterText} onInput={(e) => setFilterText(e.currentTarget.value)} spellcheck={false} aria-invalid={!parsedFilter.ok} rows={3} data-testid="filter-json" />
            {!parsedFilter.ok ? <small class="error-text">{parsedFilter.error}</small> : null}
          </label>
        ) : (
          <div class="stack">
            {rows.map((r, i) => (
              <div class="form-row" key={i}>
                <input aria-label={t('db.filter.field')} placeholder={t('db.filter.field')} value={r.field} onInput={(e) => setRows(rows.map((x, j) => (j === i ? { ...x, field: e.currentTarget.value } : x)))} />
                <select aria-label={t('db.filter.op')} value={r.op} onChange={(e) => setRows(rows.map((x, j) => (j === i ? { ...x, op: e.currentTarget.value as Op } : x)))}>
                  {OPS.map((o) => (
                    <option key={o} value={o}>
                      {o}
                    </option>
                  ))}
                </select>
                <input aria-label={t('db.filter.value')} placeholder={t('db.filter.value')} value={r.value} onInput={(e) => setRows(rows.map((x, j) => (j === i ? { ...x, value: e.currentTarget.value } : x)))} />
                <button type="button" class="btn btn-small" onClick={() => setRows(rows.length > 1 ? rows.filter((_, j) => j !== i) : [{ field: '', op: '=', value: '' }])} aria-label={t('db.filter.removeRow')}>
                  −
                </button>
              </div>
            ))}
            <div class="row">
              <button type="button" class="btn btn-small" onClick={() => setRows([...rows, { field: '', op: '=', value: '' }])}>
                {t('db.filter.addRow')}
              </button>
              <code class="muted">{JSON.stringify(formFilter(rows))}</code>
            </div>
          </div>
        )}
        <div class="row">
          <label class="field">
            <span>{t('db.sort.field')}</span>
            <input value={sortField} onInput={(e) => setSortField(e.currentTarget.value)} placeholder={t('db.sort.placeholder')} />
          </label>
          <label class="field">
            <span>{t('db.sort.dir')}</span>
            <select value={String(sortDir)} onChange={(e) => setSortDir(Number(e.currentTarget.value) as 1 | -1)}>
              <option value="1">{t('db.sort.asc')}</option>
              <option value="-1">{t('db.sort.desc')}</option>
            </select>
          </label>
          <label class="field grow">
            <span>{t('db.projection')}</span>
            <input value={proj} onInput={(e) => setProj(e.currentTarget.value)} placeholder={t('db.projection.placeholder')} />
          </label>
        </div>
        <div class="row">
          <button type="submit" class="btn btn-primary" disabled={busy || !parsedFilter.ok} data-testid="filter-run">
            {busy ? t('common.running') : t('db.filter.apply')}
          </button>
          <span class="grow" />
          <button type="button" class="btn" onClick={previewBulk} disabled={!parsedFilter.ok}>
            {t('db.bulk.delete')}
          </button>
        </div>
      </form>

      <div class="row">
        <span class="muted" data-testid="doc-total">
          {total === null ? '' : t('db.docs.total', { n: num(total) })}
        </span>
        <span class="grow" />
        <button type="button" class="btn btn-small" disabled={page === 0 || busy} onClick={() => run(page - 1)}>
          {t('common.prev')}
        </button>
        <span class="muted">{t('db.docs.page', { page: page + 1, pages })}</span>
        <button type="button" class="btn btn-small" disabled={page + 1 >= pages || busy} onClick={() => run(page + 1)}>
          {t('common.next')}
        </button>
      </div>
      {docs === null ? (
        <p class="muted">{t('app.loading')}</p>
      ) : docs.length === 0 ? (
        <p class="card muted">{t('db.docs.none')}</p>
      ) : (
        <div class="table-wrap">
          <table data-testid="docs">
            <thead>
              <tr>
                <th>{t('db.docs.id')}</th>
                <th>{t('db.docs.body')}</th>
                <th>{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {docs.map((d) => (
                <tr key={String(d._id)}>
                  <td class="mono">{String(d._id ?? '')}</td>
                  <td class="doc-cell mono" title={preview(d, 2000)}>
                    {preview(Object.fromEntries(Object.entries(d).filter(([k]) => k !== '_id')))}
                  </td>
                  <td>
                    <div class="row">
                      <button type="button" class="btn btn-small" onClick={() => setEditing(d)}>
                        {t('common.edit')}
                      </button>
                      <button type="button" class="btn btn-small" onClick={() => setDeleting(d)}>
                        {t('common.delete')}
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {editing ? <DocEditor coll={props.coll} doc={editing === 'new' ? undefined : editing} onClose={() => setEditing(null)} onSaved={() => run(page)} /> : null}
      {deleting ? (
        <Modal title={t('db.doc.deleteTitle')} onClose={() => setDeleting(null)}>
          <div class="stack">
            <p>{t('db.doc.deleteMessage', { id: String(deleting._id) })}</p>
            <div class="row end">
              <button type="button" class="btn" onClick={() => setDeleting(null)}>
                {t('common.cancel')}
              </button>
              <button
                type="button"
                class="btn btn-danger"
                onClick={async () => {
                  try {
                    await removeDoc(props.coll, String(deleting._id));
                    ok(t('common.deleted'));
                    setDeleting(null);
                    run(page);
                  } catch (e) {
                    fail(e);
                  }
                }}
              >
                {t('common.delete')}
              </button>
            </div>
          </div>
        </Modal>
      ) : null}
      {bulk ? (
        <TypedConfirm
          title={t('db.bulk.title')}
          message={t('db.bulk.message', { n: num(bulk.n), filter: JSON.stringify(bulk.filter) })}
          name={String(bulk.n)}
          action={t('db.bulk.confirm', { n: num(bulk.n) })}
          onClose={() => setBulk(null)}
          onConfirm={async () => {
            try {
              const n = await removeWhere(props.coll, bulk.filter);
              ok(t('db.bulk.done', { n: num(n) }));
              run(0);
            } catch (e) {
              fail(e);
              throw e;
            }
          }}
        />
      ) : null}
    </div>
  );
}
