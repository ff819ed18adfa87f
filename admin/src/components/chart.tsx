/** A small inline SVG line chart of a per-minute series (no library). */
export function Spark(props: { values: number[]; label: string; color?: string }) {
  const v = props.values.length ? props.values : [0];
  const max = Math.max(1, ...v);
  const w = 120;
  const h = 32;
  const step = v.length > 1 ? w / (v.length - 1) : w;
  const pts = v.map((x, i) => `${(i * step).toFixed(1)},${(h - 2 - (x / max) * (h - 4)).toFixed(1)}`).join(' ');
  return (
    <svg class="chart" viewBox={`0 0 ${w} ${h}`} preserveAspectRatio="none" role="img" aria-label={props.label}>
      <polyline points={`0,${h} ${pts} ${w},${h}`} fill={props.color ?? '#0a66d8'} fill-opacity="0.12" stroke="none" />
      <polyline points={pts} fill="none" stroke={props.color ?? '#0a66d8'} stroke-width="1.5" vector-effect="non-scaling-stroke" />
    </svg>
  );
}
