/**
 * Overview: the environment, version and uptime; the figures with the last
 * hour per minute; the exact 合法域名 to paste into the mini-program admin
 * console, each with a copy button.
 */
import { useEffect, useState } from 'preact/hooks';
import { apiError } from '../../api/client';
import { listCollections } from '../../api/db';
import { health, info, type Info } from '../../api/server';
import { Spark } from '../../components/chart';
import { fail, ok } from '../../components/toast';
import { bytes, num, t, type Key } from '../../i18n';

async function copy(text: string) {
  try {
    await navigator.clipboard.writeText(text);
    ok(t('common.copied'));
  } catch {
    fail(new Error(t('common.copyFailed')));
  }
}

function uptime(s: number): string {
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  return d ? t('overview.uptimeDays', { d, h }) : h ? t('overview.uptimeHours', { h, m }) : t('overview.uptimeMinutes', { m });
}

const FIGURES: { key: keyof NonNullable<Info['figures']>; label: Key; fmt?: (n: number) => string }[] = [
  { key: 'collections', label: 'overview.collections' },
  { key: 'documents', label: 'overview.documents' },
  { key: 'users', label: 'overview.users' },
  { key: 'functions', label: 'overview.functions' },
  { key: 'files', label: 'overview.files' },
  { key: 'storageBytes', label: 'overview.storage', fmt: bytes },
];
const SERIES: { key: 'requests' | 'errors' | 'invocations' | 'functionErrors'; label: Key; color: string }[] = [
  { key: 'requests', label: 'overview.requests', color: '#0a66d8' },
  { key: 'errors', label: 'overview.errors', color: '#c62828' },
  { key: 'invocations', label: 'overview.invocations', color: '#1b7f3b' },
  { key: 'functionErrors', label: 'overview.functionErrors', color: '#b26a00' },
];
const DOMAINS: { key: 'request' | 'uploadFile' | 'downloadFile' | 'socket'; label: Key }[] = [
  { key: 'request', label: 'overview.domain.request' },
  { key: 'uploadFile', label: 'overview.domain.uploadFile' },
  { key: 'downloadFile', label: 'overview.domain.downloadFile' },
  { key: 'socket', label: 'overview.domain.socket' },
];

export default function OverviewPage(_: { rest: string[] }) {
  const [data, setData] = useState<Info | null>(null);
  const [partial, setPartial] = useState(false);
  const load = async () => {
    try {
      setData(await info());
      setPartial(false);
    } catch (e) {
      if (!/no such endpoint/.test(apiError(e).message)) fail(e);
      // An older server: what the other endpoints tell.
      try {
        const [h, cols] = await Promise.all([health(), listCollections()]);
        setData({ version: h.version, figures: { collections: cols.length } });
      } catch (e2) {
        fail(e2);
        setData({});
      }
      setPartial(true);
    }
  };
  useEffect(() => {
    load();
    const timer = setInterval(load, 30_000);
    return () => clearInterval(timer);
  }, []);
  if (!data) return <p class="muted">{t('app.loading')}</p>;
  return (
    <section class="page">
      <div class="row">
        <h1 class="grow">{t('nav.overview')}</h1>
        <button type="button" class="btn" onClick={load}>
          {t('common.refresh')}
        </button>
      </div>
      {partial ? <p class="card muted">{t('overview.partial')}</p> : null}
      <div class="cards">
        <div class="card figure">
          <span class="muted">{t('overview.env')}</span>
          <span class="value mono">{data.envId || '–'}</span>
        </div>
        <div class="card figure">
          <span class="muted">{t('overview.version')}</span>
          <span class="value mono">{data.version || '–'}</span>
        </div>
        <div class="card figure">
          <span class="muted">{t('overview.uptime')}</span>
          <span class="value">{data.uptimeSeconds === undefined ? '–' : uptime(data.uptimeSeconds)}</span>
        </div>
        <div class="card figure">
          <span class="muted">{t('overview.backends')}</span>
          <span class="value mono">{data.backends ? `${data.backends.db ?? '?'} · ${data.backends.storage ?? '?'}` : '–'}</span>
        </div>
      </div>
      <div class="cards">
        {FIGURES.map((f) => (
          <div class="card figure" key={f.key} data-testid={'figure-' + f.key}>
            <span class="muted">{t(f.label)}</span>
            <span class="value">{data.figures?.[f.key] === undefined ? '–' : (f.fmt ?? num)(data.figures[f.key]!)}</span>
          </div>
        ))}
      </div>
      {data.series ? (
        <div class="cards">
          {SERIES.map((s) => {
            const v = data.series?.[s.key] ?? [];
            return (
              <div class="card figure" key={s.key}>
                <span class="muted">{t(s.label)}</span>
                <span class="value">{num(v.reduce((a, b) => a + b, 0))}</span>
                <Spark values={v} label={t('overview.lastHour', { what: t(s.label) })} color={s.color} />
                <small class="muted">{t('overview.perMinute')}</small>
              </div>
            );
          })}
        </div>
      ) : null}
      <div class="card stack">
        <h2>{t('overview.domains')}</h2>
        <p class="muted">{t('overview.domainsLead')}</p>
        {data.domainsNote ? <p class="error-text">{data.domainsNote}</p> : null}
        {!data.domains ? (
          <p class="muted">{t('overview.domainsUnknown')}</p>
        ) : (
          <div class="table-wrap">
            <table>
              <tbody>
                {DOMAINS.map((d) => {
                  const list = data.domains?.[d.key] ?? [];
                  return (
                    <tr key={d.key}>
                      <th>{t(d.label)}</th>
                      <td class="mono" data-testid={'domain-' + d.key}>
                        {list.length ? list.join('\n') : '–'}
                      </td>
                      <td>
                        <button type="button" class="btn btn-small" disabled={!list.length} onClick={() => copy(list.join('\n'))}>
                          {t('common.copy')}
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </div>
    </section>
  );
}
