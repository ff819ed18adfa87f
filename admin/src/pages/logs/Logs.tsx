/**
 * Logs: the functions' invocation records, filtered by function, request
 * id, openid, status and time, paged with the server's cursor, each with
 * its console output; and a live tail (the server's WebSocket) that puts
 * new records on top. Route: /logs?requestId=…&function=… (the run panel
 * links here).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { queryLogs, tailLogs, type LogEntry, type LogFilter } from '../../api/functions';
import { fail } from '../../components/toast';
import { failText } from '../../components/confirm';
import { t } from '../../i18n';
import { query } from '../../router';
import '../ui2.css';

/** The live tail keeps at most this many records on the page. */
const MAX_LIVE = 500;
const PAGE = 50;

/** A datetime-local value (the browser's time) as RFC 3339, or ''. */
export function localToRFC3339(v: string): string {
  if (!v) return '';
  const ms = new Date(v).getTime();
  return Number.isFinite(ms) ? new Date(ms).toISOString() : '';
}

export default function LogsPage() {
  const init = new URLSearchParams(query.value);
  const [fn, setFn] = useState(init.get('function') ?? '');
  const [requestId, setRequestId] = useState(init.get('requestId') ?? '');
  const [openid, setOpenid] = useState(init.get('openid') ?? '');
  const [status, setStatus] = useState<'' | 'ok' | 'error'>((init.get('status') as 'ok' | 'error') ?? '');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const [rows, setRows] = useState<LogEntry[] | null>(null);
  const [next, setNext] = useState<string | undefined>();
  const [loading, setLoading] = useState(false);
  const [open, setOpen] = useState<Set<string>>(new Set());
  const [live, setLive] = useState(false);
  const stop = useRef<(() => void) | null>(null);

  const filter = (): LogFilter => ({
    function: fn.trim(),
    requestId: requestId.trim(),
    openid: openid.trim(),
    status,
    since: localToRFC3339(since),
    until: localToRFC3339(until),
    limit: PAGE,
  });
  // load shows the first page (or the next one, after cursor) and
  // returns how many records came, -1 on an error.
  const load = async (cursor?: string): Promise<number> => {
    setLoading(true);
    try {
      const page = await queryLogs({ ...filter(), cursor });
      setRows((old) => (cursor && old ? [...old, ...page.data] : page.data));
      setNext(page.next);
      return page.data.length;
    } catch (e) {
      fail(e);
      if (!cursor) setRows([]);
      return -1;
    } finally {
      setLoading(false);
    }
  };
  useEffect(() => {
    // Opened on one request id (the run panel's link): the log store
    // writes a record a moment after its call ends, so an empty answer
    // is asked again a few times before it stands.
    let tries = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const first = async () => {
      if ((await load()) === 0 && init.get('requestId') && ++tries < 10) timer = setTimeout(first, 500);
    };
    first();
    return () => {
      clearTimeout(timer);
      stop.current?.();
    };
  }, []);
  useEffect(() => {
    const p = new URLSearchParams(query.value);
    if (p.get('requestId') !== null && p.get('requestId') !== requestId) {
      setRequestId(p.get('requestId') ?? '');
    }
  }, [query.value]);

  const matches = (e: LogEntry) => {
    const f = filter();
    return (!f.requestId || e.requestId === f.requestId) && (!f.openid || e.openid === f.openid) && (!f.status || e.status === f.status);
  };
  const toggleLive = async () => {
    if (live) {
      stop.current?.();
      stop.current = null;
      setLive(false);
      return;
    }
    try {
      stop.current = await tailLogs(
        fn.trim(),
        (e) => {
          if (!matches(e)) return;
          setRows((old) => [e, ...(old ?? [])].slice(0, MAX_LIVE));
        },
        (why) => {
          stop.current = null;
          setLive(false);
          failText(t('logs.tailClosed', { why }));
        },
      );
      setLive(true);
    } catch (e) {
      fail(e);
    }
  };
  const flip = (id: string) => {
    const s = new Set(open);
    if (s.has(id)) s.delete(id);
    else s.add(id);
    setOpen(s);
  };
  return (
    <section class="page">
      <div class="row">
        <h1 class="grow ptitle">{t('nav.logs')}</h1>
        <button type="button" class={live ? 'btn btn-primary' : 'btn'} aria-pressed={live} onClick={toggleLive} data-testid="logs-live">
          {live ? t('logs.liveOn') : t('logs.live')}
        </button>
      </div>
      <form
        class="card filters"
        onSubmit={(e) => {
          e.preventDefault();
          load();
        }}
      >
        <label class="field">
          <span>{t('logs.function')}</span>
          <input value={fn} onInput={(e) => setFn(e.currentTarget.value)} maxLength={60} data-testid="logs-function" />
        </label>
        <label class="field">
          <span>{t('logs.requestId')}</span>
          <input class="mono" value={requestId} onInput={(e) => setRequestId(e.currentTarget.value)} maxLength={100} data-testid="logs-request" />
        </label>
        <label class="field">
          <span>{t('logs.openid')}</span>
          <input class="mono" value={openid} onInput={(e) => setOpenid(e.currentTarget.value)} maxLength={100} />
        </label>
        <label class="field">
          <span>{t('logs.status')}</span>
          <select value={status} onChange={(e) => setStatus(e.currentTarget.value as '' | 'ok' | 'error')}>
            <option value="">{t('logs.any')}</option>
            <option value="ok">{t('logs.ok')}</option>
            <option value="error">{t('logs.error')}</option>
          </select>
        </label>
        <label class="field">
          <span>{t('logs.since')}</span>
          <input type="datetime-local" value={since} onInput={(e) => setSince(e.currentTarget.value)} step="1" />
        </label>
        <label class="field">
          <span>{t('logs.until')}</span>
          <input type="datetime-local" value={until} onInput={(e) => setUntil(e.currentTarget.value)} step="1" />
        </label>
        <div class="row end filters-go">
          <button
            type="button"
            class="btn"
            onClick={() => {
              setFn('');
              setRequestId('');
              setOpenid('');
              setStatus('');
              setSince('');
              setUntil('');
            }}
          >
            {t('logs.clear')}
          </button>
          <button type="submit" class="btn btn-primary" disabled={loading} data-testid="logs-search">
            {loading ? t('app.loading') : t('logs.search')}
          </button>
        </div>
      </form>
      {live ? <p class="muted small">{t('logs.liveHelp', { n: MAX_LIVE })}</p> : null}
      {rows === null ? (
        <p class="muted">{t('app.loading')}</p>
      ) : rows.length === 0 ? (
        <p class="card muted">{t('logs.none')}</p>
      ) : (
        <div class="table-wrap">
          <table class="logs" data-testid="logs-table">
            <thead>
              <tr>
                <th>{t('logs.time')}</th>
                <th>{t('logs.function')}</th>
                <th>{t('logs.status')}</th>
                <th class="num">{t('logs.duration')}</th>
                <th class="hide-phone">{t('logs.requestId')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => [
                <tr key={r.id} class="log-row" data-testid="log-row" onClick={() => flip(r.id)}>
                  <td>
                    <button type="button" class="btn-link" aria-expanded={open.has(r.id)} onClick={(e) => (e.stopPropagation(), flip(r.id))}>
                      {new Date(r.start).toLocaleString()}
                    </button>
                  </td>
                  <td>{r.function}</td>
                  <td>{r.status === 'ok' ? <span class="tag tag-ok">{t('logs.ok')}</span> : <span class="tag tag-danger">{t('logs.error')}</span>}</td>
                  <td class="num">{r.duration.toFixed(1)}</td>
                  <td class="hide-phone mono small">{r.requestId}</td>
                </tr>,
                open.has(r.id) ? (
                  <tr key={r.id + ':more'} class="log-more">
                    <td colSpan={5}>
                      <dl class="props small">
                        <dt>{t('logs.requestId')}</dt>
                        <dd class="mono">{r.requestId}</dd>
                        <dt>{t('logs.openid')}</dt>
                        <dd class="mono">{r.openid || '—'}</dd>
                        <dt>{t('logs.source')}</dt>
                        <dd>{r.source}</dd>
                        <dt>{t('logs.version')}</dt>
                        <dd class="mono">{r.version || '—'}</dd>
                        <dt>{t('logs.cold')}</dt>
                        <dd>{r.coldStart ? t('common.yes') : t('common.no')}</dd>
                      </dl>
                      {r.error ? (
                        <pre class="error-text">
                          {r.errCode ? r.errCode + ' ' : ''}
                          {r.error}
                        </pre>
                      ) : null}
                      {r.logs?.length ? (
                        <pre class="out logs-out">
                          {r.logs.map((l, i) => (
                            <div key={i} class={'log-' + l.level}>
                              <span class="muted">{new Date(l.time).toLocaleTimeString()}</span> <strong>{l.level}</strong> {l.message}
                            </div>
                          ))}
                        </pre>
                      ) : (
                        <p class="muted">{t('functions.noOutput')}</p>
                      )}
                    </td>
                  </tr>
                ) : null,
              ])}
            </tbody>
          </table>
        </div>
      )}
      {next ? (
        <button type="button" class="btn" disabled={loading} onClick={() => load(next)}>
          {loading ? t('app.loading') : t('logs.more')}
        </button>
      ) : null}
    </section>
  );
}
