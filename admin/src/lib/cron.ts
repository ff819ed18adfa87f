/**
 * How the function page shows a timer's next runs (the server computes
 * them: GET /v1/admin/functions/:name triggers.cron[].next): each time in
 * the browser's time zone with how far away it is.
 */
export function untilText(ms: number, lang: string): string {
  const rtf = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });
  const s = Math.round(ms / 1000);
  const abs = Math.abs(s);
  if (abs < 60) return rtf.format(s, 'second');
  if (abs < 3600) return rtf.format(Math.round(s / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(s / 3600), 'hour');
  return rtf.format(Math.round(s / 86400), 'day');
}

/** The next run times as rows: local date-time text and "in 5 minutes"; unparseable times are dropped; at most 5. */
export function nextRuns(times: readonly string[] | undefined, now: number, lang: string, timeZone?: string): { at: string; until: string }[] {
  const fmt = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'medium', timeZone });
  return (times ?? [])
    .map((t) => Date.parse(t))
    .filter((t) => Number.isFinite(t))
    .slice(0, 5)
    .map((t) => ({ at: fmt.format(t), until: untilText(t - now, lang) }));
}
