// Small DOM and formatting helpers. Text always goes in as text (never as HTML): plates and names are data.

/** h('div', { class: 'x', onclick: f }, 'text', child, [more]) */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/** Replaces an element's children (skipping null, false, undefined; flattening arrays). */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/** A table with a caption, column headers and rows of cells (text or nodes). */
export function table(caption, headers, rows, attrs) {
  return h('table', attrs,
    h('caption', null, caption),
    h('thead', null, h('tr', null, headers.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', null, rows.length
      ? rows.map((r) => (r instanceof Node ? r : h('tr', null, r.map((c) => h('td', null, c)))))
      : h('tr', null, h('td', { colspan: headers.length, class: 'empty' }, 'Nothing here.'))));
}

export const time = (iso) => (iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'medium' }) : '—');
export const clock = (iso) => (iso ? new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' }) : '—');
export const money = (amount, currency) =>
  (amount === null || amount === undefined ? '—' : new Intl.NumberFormat(undefined, { style: 'currency', currency: currency || 'EUR' }).format(amount));
export const kwh = (wh) => (wh === null || wh === undefined ? '—' : `${(Number(wh) / 1000).toFixed(2)} kWh`);
export const kw = (w) => (w === null || w === undefined ? '—' : `${(Number(w) / 1000).toFixed(1)} kW`);
export const number = (n, digits = 3) => (n === null || n === undefined ? '—' : Number(n).toLocaleString(undefined, { maximumFractionDigits: digits }));

/** A message area for a view: loading, errors, outcomes (announced to screen readers). */
export function notice() {
  return h('p', { class: 'notice', role: 'status', 'aria-live': 'polite' });
}

export function say(el, text, kind) {
  el.textContent = text;
  el.className = `notice ${kind ?? ''}`;
}

/** A labelled control: <label for> + the input. */
export function field(label, input) {
  const id = input.id || `f-${Math.random().toString(36).slice(2, 9)}`;
  input.id = id;
  return h('span', { class: 'field' }, h('label', { for: id }, label), input);
}

/** Runs fn at most once per ms, at the end of a burst (a burst of events reloads a view once). */
export function debounce(fn, ms = 250) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** The common shape of a view: a titled section with a notice line; errors land in the notice. */
export function section(title, ...children) {
  const status = notice();
  const element = h('section', { class: 'view', 'aria-labelledby': 'view-title' }, h('h2', { id: 'view-title' }, title), status, ...children);
  return { element, status, fail: (e) => say(status, `Could not load: ${e.message}`, 'error') };
}
