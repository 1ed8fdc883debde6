// Parking sessions: a list searched by plate and status; one stay with its sightings, bay visits,
// charging, operator actions and its bill line by line.
import { get, ApiError } from './api.js';
import { h, fill, section, time, money, number, table, debounce, say, field } from './ui.js';

export function render(ctx) {
  const plate = h('input', { type: 'search', name: 'plate', autocomplete: 'off', spellcheck: 'false' });
  const similar = h('input', { type: 'checkbox', name: 'similar' });
  const status = h('select', { name: 'status' }, h('option', { value: '' }, 'any'), h('option', { value: 'Open' }, 'Open (inside)'), h('option', { value: 'Closed' }, 'Closed'));
  const results = h('div');
  const more = h('button', { type: 'button', onclick: () => page().catch(fail) }, 'More');
  const form = h('form', { class: 'search', role: 'search', onsubmit: (e) => { e.preventDefault(); load().catch(fail); } },
    field('Plate', plate), field('OCR-similar plates too', similar), field('Status', status), h('button', { type: 'submit' }, 'Search'));
  const { element, status: notice, fail } = section('Parking sessions', form, results);
  let cursor = null;
  let rows = [];

  function query() {
    const q = new URLSearchParams({ siteId: ctx.site.id, limit: '50' });
    if (plate.value.trim()) q.set('plate', plate.value.trim());
    if (similar.checked) q.set('similar', 'true');
    if (status.value) q.set('status', status.value);
    if (cursor) q.set('cursor', cursor);
    return q;
  }

  async function load() {
    cursor = null;
    rows = [];
    await page();
  }

  async function page() {
    const result = await get(`/parking-sessions?${query()}`);
    rows.push(...result.items);
    cursor = result.next;
    fill(results,
      table('Parking sessions, newest first', ['Plate', 'Status', 'Entered', 'Exited', 'Anomalies'],
        rows.map((s) => h('tr', { dataset: { session: s.id } },
          h('td', null, h('a', { href: `#/sessions/${encodeURIComponent(s.id)}` }, s.plateRaw || s.plate)),
          h('td', null, s.status),
          h('td', null, when(s.enteredAt, s.anomalies, 'EntryInferred')),
          h('td', null, when(s.exitedAt, s.anomalies, 'ExitInferred')),
          h('td', null, s.anomalies.join(', '))))),
      cursor ? more : null);
    say(notice, `${rows.length} session${rows.length === 1 ? '' : 's'}`);
  }

  return { element, load, fail, onEvent: debounce((e) => { if (e.type?.startsWith('parking.') && !cursor) load().catch(fail); }, 500) };
}

export function renderDetail(ctx) {
  const [id] = ctx.params;
  const body = h('div');
  const { element, status, fail } = section('Parking session', h('p', null, h('a', { href: '#/sessions' }, '← Parking sessions')), body);

  async function load() {
    const s = await get(`/parking-sessions/${encodeURIComponent(id)}`);
    let bill = null;
    let billProblem = null;
    try {
      bill = await get(`/parking-sessions/${encodeURIComponent(id)}/bill`);
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 404) throw e;
      billProblem = e.message;
    }
    fill(body,
      h('dl', { class: 'figures' },
        fig('Plate', s.plateRaw || s.plate), fig('Status', s.status), fig('Entered', when(s.enteredAt, s.anomalies, 'EntryInferred')), fig('Exited', when(s.exitedAt, s.anomalies, 'ExitInferred')),
        s.closedBy ? fig('Closed by', s.closedBy) : null, s.anomalies.length ? fig('Anomalies', s.anomalies.join(', ')) : null),
      h('h3', null, 'Bill'),
      bill ? billView(bill) : h('p', { class: 'empty' }, billProblem ?? 'No bill.'),
      h('h3', null, 'Sightings'),
      table('Camera sightings of this stay', ['First seen', 'Camera', 'Where', 'Plate read', 'Confidence', 'Reads'],
        (s.sightings ?? []).map((x) => [time(x.firstSeenAt), x.camera, x.lane ? `lane ${x.lane}` : `bay ${x.bay}`, x.plateRaw, x.bestConfidence == null ? '—' : number(x.bestConfidence, 2), String(x.readCount)])),
      h('h3', null, 'Bay visits'),
      table('Visits to EV bays', ['Bay', 'From', 'Until', 'Ended by', 'Charging finished', 'Idle since', 'ICE'],
        (s.bayVisits ?? []).map((v) => [v.bay, time(v.startedAt), time(v.endedAt ?? v.lastSeenAt), v.endReason ?? (v.endedAt ? '' : 'still there'),
          time(v.chargingFinishedAt), time(v.idleSince), v.iceDetectedAt ? time(v.iceDetectedAt) : '—'])),
      h('h3', null, 'Charging'),
      table('Charging sessions bound to this stay', ['Charger', 'Transaction', 'Plug-in', 'Binding', 'Method', 'Confidence'],
        (s.charging ?? []).map((b) => [`${b.chargerId} #${b.evseId ?? b.connectorId}`, b.transactionId, time(b.plugInAt), b.status, b.method ?? '—', number(b.confidence, 2)])),
      (s.audit ?? []).length
        ? [h('h3', null, 'Operator actions'), table('Operator actions on this stay', ['At', 'By', 'Action', 'Reason'], s.audit.map((a) => [time(a.at), a.by, a.action, a.reason]))]
        : null);
    say(status, `${s.plateRaw || s.plate}: ${s.status}`);
  }

  return { element, load, fail, onEvent: debounce(() => load().catch(fail), 500) };
}

// A time the gate did not read, inferred from the plate's bay reads and charges (docs/billing.md, "Inferred stays"): marked.
function when(at, anomalies, flag) {
  return anomalies.includes(flag)
    ? h('span', null, time(at), ' ', h('span', { class: 'mark inferred', title: 'Not read at the gate: inferred from other evidence of the plate' }, 'inferred'))
    : time(at);
}

function fig(label, value) {
  return h('div', null, h('dt', null, label), h('dd', null, value));
}

function billLines(caption, lines, currency) {
  return table(caption, ['What', 'Period', 'Quantity', 'Unit price', 'Excl. VAT', 'VAT', 'Incl. VAT', 'Rule'],
    lines.map((l) => h('tr', { class: `line ${String(l.kind).toLowerCase()}` },
      h('td', null, l.description),
      h('td', null, l.from ? `${time(l.from)} – ${time(l.to)}` : ''),
      h('td', { class: 'num' }, `${number(l.quantity)} ${l.unit}`),
      h('td', { class: 'num' }, money(l.unitPrice, currency)),
      h('td', { class: 'num' }, money(l.amountExclVat, currency)),
      h('td', { class: 'num' }, `${money(l.vat, currency)} (${number(l.vatPercent, 2)} %)`),
      h('td', { class: 'num' }, money(l.amountInclVat ?? l.amountExclVat + l.vat, currency)),
      h('td', { class: 'rule' }, l.rule))),
    { class: 'bill-lines' });
}

function billView(b) {
  const c = b.bill.currency;
  const total = b.bill.lines.reduce((sum, l) => sum + l.amountExclVat + l.vat, 0);
  return h('div', { class: 'bill', dataset: { status: b.status } },
    h('p', null, `${b.bill.status === 'Final' ? 'Final bill' : 'Estimate so far'} until ${time(b.bill.until)}${b.billId ? ` · ${b.billId}` : ''}`),
    billLines('Bill lines', b.bill.lines, c),
    h('dl', { class: 'figures totals' },
      fig('Total', money(b.bill.total ?? total, c)),
      b.adjustments.length ? fig('Adjustments', String(b.adjustments.length)) : null,
      fig('Paid', money(b.paid, c)),
      fig('Balance due', money(b.balanceDue, c))),
    b.adjustments.map((a) => h('div', { class: 'adjustment' }, h('h4', null, `Adjustment ${time(a.at)}: ${a.reason}`), billLines(`Adjustment ${a.id}`, a.lines, c))),
    b.payments.length
      ? table('Payments', ['At', 'Amount', 'Method', 'Reference', 'Recorded by'], b.payments.map((p) => [time(p.at), money(p.amount, p.currency), p.method, p.reference ?? '', p.recordedBy]))
      : null);
}
