// The day's reconciliation (GET sites/{id}/reports/daily): occupancy and energy per hour, the revenue
// split, what needs a look, and the CSV accounting imports.
import { get, download } from './api.js';
import { h, fill, section, money, number, time, table, say, field } from './ui.js';
import { barChart, splitBar } from './charts.js';

export function render(ctx) {
  const zone = ctx.site.timeZone;
  const date = h('input', { type: 'date', name: 'date', required: true, value: new Intl.DateTimeFormat('en-CA', { timeZone: zone }).format(new Date()) });
  const body = h('div');
  const csv = h('button', { type: 'button', onclick: () => download(`/sites/${encodeURIComponent(ctx.site.id)}/reports/daily?date=${date.value}&format=csv`, `${ctx.site.id}-${date.value}.csv`).catch(fail) }, 'Download CSV');
  const form = h('form', { class: 'search', onsubmit: (e) => { e.preventDefault(); load().catch(fail); } },
    field(`Day (${zone})`, date), h('button', { type: 'submit' }, 'Show'), csv);
  const { element, status, fail } = section('Reconciliation', form, body);

  async function load() {
    const r = await get(`/sites/${encodeURIComponent(ctx.site.id)}/reports/daily?date=${encodeURIComponent(date.value)}`);
    const c = r.currency;
    const hour = new Intl.DateTimeFormat(undefined, { timeZone: zone, hour: '2-digit', minute: '2-digit' });
    const labels = r.hours.map((x) => hour.format(new Date(x.from)));
    const m = (v) => money(v, c);
    fill(body,
      h('dl', { class: 'figures' },
        fig('Entries', r.entries), fig('Exits', r.exits), fig('Bills settled', r.billsSettled),
        fig('Revenue (incl. VAT)', m(r.revenue.total)), fig('Payments', m(r.revenue.payments)), fig('Adjustments', m(r.revenue.adjustments)),
        fig('Charging sessions', r.energy.chargingSessions), fig('Energy reported', `${number(r.energy.chargerReportedKwh)} kWh`), fig('Energy billed', `${number(r.energy.billedKwh)} kWh`)),
      h('div', { class: 'charts' },
        barChart({ title: 'Vehicles inside per hour', labels, values: r.hours.map((x) => x.vehiclesInside), unit: 'vehicles', className: 'occupancy' }),
        barChart({ title: 'Energy charged per hour', labels, values: r.hours.map((x) => Number(x.energyKwh)), unit: 'kWh', format: (v) => number(v, 1), className: 'energy' }),
        splitBar({ title: 'Revenue split (excl. VAT)', format: m, parts: [
          { key: 'parking', label: 'Parking', value: Number(r.revenue.parking) },
          { key: 'charging', label: 'Charging', value: Number(r.revenue.charging) },
          { key: 'idle', label: 'Idle fees', value: Number(r.revenue.idle) },
        ] })),
      h('h3', null, 'Needs a look'),
      table('Charging not bound to a vehicle', ['Charger', 'Transaction', 'Started', 'Binding', 'kWh'],
        r.unboundTransactions.map((u) => [u.chargerId, u.transactionId, time(u.startedAt), u.status, number(u.energyKwh)])),
      table('Stays without an exit', ['Plate', 'Entered', 'Status', 'Anomalies'],
        r.staysWithoutExit.map((s) => [h('a', { href: `#/sessions/${encodeURIComponent(s.parkingSessionId)}` }, s.plate), time(s.enteredAt), s.status, s.anomalies])),
      table('Meter anomalies', ['Charger', 'Transaction', 'Problem', 'kWh'], r.meterAnomalies.map((a) => [a.chargerId, a.transactionId, a.problem, number(a.energyKwh)])),
      table('Energy reported and billed differ', ['Charging session', 'Reported kWh', 'Billed kWh'], r.energyMismatches.map((x) => [x.chargingSessionId, number(x.chargerReportedKwh), number(x.billedKwh)])),
      h('h3', null, 'Settled bills'),
      table('Bills settled on the day', ['Plate', 'Settled', 'Parking', 'Charging', 'Idle', 'Total'],
        r.bills.map((b) => [h('a', { href: `#/sessions/${encodeURIComponent(b.parkingSessionId)}` }, b.plate), time(b.settledAt), m(b.parking), m(b.charging), m(b.idle), m(b.total)])));
    say(status, `${r.date} (${r.timeZone})`);
  }

  return { element, load, fail };
}

function fig(label, value) {
  return h('div', null, h('dt', null, label), h('dd', null, String(value)));
}
