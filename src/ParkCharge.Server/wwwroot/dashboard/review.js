// The review queue: charging sessions whose vehicle is not certain (with candidates), and exits that
// could belong to more than one stay. An operator picks a candidate and gives a reason; read-only keys see the queue only.
import { get, post } from './api.js';
import { h, fill, section, time, number, debounce, say, field } from './ui.js';

export function render(ctx) {
  const bindings = h('div', { class: 'queue' });
  const anomalies = h('div', { class: 'queue' });
  const outcome = h('p', { class: 'notice', id: 'review-outcome', role: 'status', 'aria-live': 'polite' });
  const inferred = h('div', { class: 'queue' });
  const { element, status, fail } = section('Review queue', outcome,
    h('h3', null, 'Charging sessions to bind'), bindings,
    h('h3', null, 'Ambiguous exits'), anomalies,
    h('h3', null, 'Inferred stays'), inferred);

  async function load() {
    const id = encodeURIComponent(ctx.site.id);
    const [b, a, i] = await Promise.all([
      get(`/bindings?siteId=${id}&limit=100`),
      get(`/parking-anomalies?siteId=${id}&kind=ExitAmbiguous&resolved=false&limit=100`),
      get(`/parking-anomalies?siteId=${id}&kind=StayInferred&resolved=false&limit=100`),
    ]);
    // A stay whose entry or exit the gate did not read, inferred from the plate's bay reads and charges: to check, and to
    // correct with the stay's own actions if the evidence was wrong. A gate read arriving later replaces it by itself.
    fill(inferred, ...(i.items.length ? i.items.map(inferredItem) : [h('p', { class: 'empty' }, 'No inferred stay.')]));
    fill(bindings, ...(b.items.length ? b.items.map(bindingItem) : [h('p', { class: 'empty' }, 'Nothing to review.')]));
    const sessions = new Map();
    for (const s of new Set(a.items.flatMap((x) => x.candidates))) {
      sessions.set(s, await get(`/parking-sessions/${encodeURIComponent(s)}`).catch(() => null));
    }
    fill(anomalies, ...(a.items.length ? a.items.map((x) => anomalyItem(x, sessions)) : [h('p', { class: 'empty' }, 'Nothing to review.')]));
    say(status, `${b.items.length + a.items.length} item${b.items.length + a.items.length === 1 ? '' : 's'} to review`);
  }

  function bindingItem(item) {
    const name = `candidate-${item.chargingSessionId}`;
    const where = `${item.chargerId} #${item.evseId ?? item.connectorId}${item.bay ? `, bay ${item.bay}` : ''}`;
    const choices = item.candidates.map((c, i) => h('li', null,
      h('input', { type: 'radio', name, id: `${name}-${i}`, value: c.parkingSessionId ?? '', disabled: !c.parkingSessionId || !ctx.canOperate }),
      h('label', { for: `${name}-${i}` }, h('strong', null, c.plate), ` score ${number(c.score, 2)}`,
        c.bay ? `, bay ${c.bay}` : '', c.offsetSeconds != null ? `, read ${number(c.offsetSeconds, 0)} s from plug-in` : '', c.reason ? ` — ${c.reason}` : '')));
    return h('article', { class: 'review-item', dataset: { chargingSession: item.chargingSessionId } },
      h('h4', null, `${where}: plugged in ${time(item.plugInAt)}`),
      h('p', null, `Status ${item.status}${item.plate ? `, provisionally ${item.plate}` : ''}, confidence ${number(item.confidence, 2)}, transaction ${item.transactionId}`),
      item.candidates.length ? h('ul', { class: 'candidates', 'aria-label': `Candidates for ${where}` }, choices) : h('p', { class: 'empty' }, 'No candidate vehicle.'),
      ctx.canOperate ? resolveForm(`Bind ${where}`, name, (choice, reason) =>
        post(`/charging-sessions/${encodeURIComponent(item.chargingSessionId)}/binding`, { parkingSessionId: choice, reason })) : null);
  }

  function anomalyItem(item, sessions) {
    const name = `exit-${item.id}`;
    const choices = item.candidates.map((s, i) => {
      const session = sessions.get(s);
      return h('li', null,
        h('input', { type: 'radio', name, id: `${name}-${i}`, value: s, disabled: !ctx.canOperate }),
        h('label', { for: `${name}-${i}` }, h('strong', null, session ? session.plateRaw || session.plate : s), session ? ` entered ${time(session.enteredAt)}` : ''));
    });
    return h('article', { class: 'review-item', dataset: { anomaly: item.id } },
      h('h4', null, `Exit read ${item.plate ?? ''} at ${time(item.at)}${item.camera ? ` (${item.camera})` : ''}`),
      h('p', null, item.detail),
      h('ul', { class: 'candidates', 'aria-label': `Stays the exit read ${item.plate ?? ''} could close` }, choices),
      ctx.canOperate ? resolveForm(`Close the stay for ${item.plate ?? 'this read'}`, name, (choice, reason) =>
        post(`/parking-sessions/${encodeURIComponent(choice)}/close`, { reason, exitSightingId: item.sightingId ?? undefined })) : null);
  }

  function inferredItem(item) {
    return h('article', { class: 'inferred-item', dataset: { anomaly: item.id } },
      h('h4', null, h('a', { href: `#/sessions/${encodeURIComponent(item.parkingSessionId)}` }, item.plate ?? item.parkingSessionId),
        ' ', h('span', { class: 'mark inferred' }, 'inferred'), ` ${time(item.at)}`),
      h('p', null, item.detail));
  }

  function resolveForm(what, name, act) {
    const reason = h('input', { type: 'text', name: 'reason', required: true, autocomplete: 'off' });
    return h('form', { class: 'resolve', onsubmit: async (e) => {
      e.preventDefault();
      const choice = e.target.closest('article').querySelector(`input[name="${name}"]:checked`)?.value;
      if (!choice) {
        say(outcome, `${what}: choose a candidate first.`, 'error');
        return;
      }
      try {
        await act(choice, reason.value.trim());
        say(outcome, `${what}: resolved.`, 'ok');
        await load();
      } catch (err) {
        say(outcome, `${what} was refused: ${err.message}`, 'error');
      }
    } }, field('Reason (kept in the audit log)', reason), h('button', { type: 'submit' }, 'Resolve'));
  }

  return { element, load, fail, onEvent: debounce((e) => { if (/^(binding|parking)\./.test(e.type ?? '')) load().catch(fail); }, 300) };
}
