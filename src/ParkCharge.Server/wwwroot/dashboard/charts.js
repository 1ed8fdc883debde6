// Hand-written SVG charts (no library, nothing from a CDN). Each chart is an image with a text
// alternative, and its numbers are in a table under a disclosure for those who would rather read.
import { h, table } from './ui.js';

const NS = 'http://www.w3.org/2000/svg';

function s(tag, attrs, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs ?? {})) el.setAttribute(k, String(v));
  for (const c of children) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

/** Vertical bars, one per label (hours of a day). */
export function barChart({ title, labels, values, unit, format = (v) => String(v), className = '' }) {
  const width = 720;
  const height = 220;
  const pad = { top: 16, right: 8, bottom: 28, left: 48 };
  const max = Math.max(1, ...values);
  const step = (width - pad.left - pad.right) / Math.max(1, values.length);
  const y = (v) => pad.top + (height - pad.top - pad.bottom) * (1 - v / max);
  const peak = values.indexOf(Math.max(...values));
  const summary = values.length ? `${title}: peak ${format(values[peak])} ${unit} at ${labels[peak]}, total ${format(values.reduce((a, b) => a + b, 0))} ${unit}` : `${title}: no data`;
  const svg = s('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': summary, class: `chart ${className}` },
    s('title', null, summary),
    s('line', { x1: pad.left, x2: width - pad.right, y1: y(0), y2: y(0), class: 'axis' }),
    s('text', { x: pad.left - 6, y: y(max) + 4, 'text-anchor': 'end', class: 'tick' }, format(max)),
    s('text', { x: pad.left - 6, y: y(0), 'text-anchor': 'end', class: 'tick' }, '0'),
    ...values.map((v, i) => s('g', null,
      s('rect', { x: pad.left + i * step + 2, y: y(v), width: Math.max(1, step - 4), height: Math.max(0, y(0) - y(v)), class: 'bar' },
        s('title', null, `${labels[i]}: ${format(v)} ${unit}`)),
      i % 3 === 0 ? s('text', { x: pad.left + i * step + step / 2, y: height - 10, 'text-anchor': 'middle', class: 'tick' }, labels[i]) : '')));
  return h('figure', { class: 'chart-figure' },
    h('figcaption', null, `${title} (${unit})`),
    svg,
    h('details', null, h('summary', null, 'Show the numbers'), table(title, ['Hour', unit], labels.map((l, i) => [l, format(values[i])]))));
}

/** One horizontal bar split into parts (the revenue split). */
export function splitBar({ title, parts, format }) {
  const width = 720;
  const total = parts.reduce((a, p) => a + Math.max(0, p.value), 0);
  let x = 0;
  const summary = `${title}: ${parts.map((p) => `${p.label} ${format(p.value)}`).join(', ')}`;
  const svg = s('svg', { viewBox: `0 0 ${width} 40`, role: 'img', 'aria-label': summary, class: 'chart split' },
    s('title', null, summary),
    ...(total > 0
      ? parts.map((p) => {
        const w = (width * Math.max(0, p.value)) / total;
        const rect = s('rect', { x, y: 0, width: w, height: 40, class: `part ${p.key}` }, s('title', null, `${p.label}: ${format(p.value)}`));
        x += w;
        return rect;
      })
      : [s('rect', { x: 0, y: 0, width, height: 40, class: 'part none' })]));
  return h('figure', { class: 'chart-figure' },
    h('figcaption', null, title),
    svg,
    h('ul', { class: 'legend' }, parts.map((p) => h('li', null, h('span', { class: `swatch ${p.key}`, 'aria-hidden': 'true' }), `${p.label}: ${format(p.value)}`))));
}
