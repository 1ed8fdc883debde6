// Chargers and connectors: connection state, status, faults, the charging going on; the message log;
// operator commands (remote start/stop, power limit, clear limit) with their outcome; in proxy mode, the
// charger's upstream backends with their connection state, queue and last error.
import { get, post } from './api.js';
import { h, fill, section, time, clock, kw, kwh, table, debounce, say, field } from './ui.js';

const FINAL = new Set(['Accepted', 'Rejected', 'TimedOut', 'Offline', 'Failed', 'Superseded']);

export function render(ctx) {
  const list = h('div', { class: 'chargers' });
  const outcome = h('p', { class: 'notice', id: 'command-outcome', role: 'status', 'aria-live': 'polite' });
  const { element, status, fail } = section('Chargers', ctx.canOperate ? outcome : null, list);

  async function load() {
    const id = encodeURIComponent(ctx.site.id);
    const [chargers, sessions] = await Promise.all([
      get(`/chargers?siteId=${id}`),
      get(`/charging-sessions?siteId=${id}&limit=100`),
    ]);
    const active = sessions.items.filter((s) => s.status === 'Active');
    // Proxy mode: the upstream backends of the chargers the site document proxies, with their connection state.
    const proxied = new Set((ctx.site.document?.chargers ?? []).filter((c) => c.upstreams?.length).map((c) => c.id));
    const upstreams = new Map(await Promise.all(chargers.filter((c) => proxied.has(c.id))
      .map(async (c) => [c.id, await get(`/chargers/${encodeURIComponent(c.id)}/upstreams`)])));
    fill(list, ...chargers.map((c) => card(c, active.filter((s) => s.chargerId === c.id), upstreams.get(c.id) ?? [])));
    if (chargers.length === 0) fill(list, h('p', { class: 'empty' }, 'No chargers registered at this site.'));
    say(status, `Updated ${clock(new Date().toISOString())}`);
  }

  function card(c, active, upstreams) {
    const conn = c.connection;
    // The connectors the charger reported, and the site's EV bays on it that it has not reported yet.
    const reported = c.connectors.map((k) => ({ ...k, outlet: k.evseId ?? k.connectorId }));
    const bays = (ctx.site.document?.evBays ?? []).filter((b) => b.charger === c.id);
    for (const bay of bays) {
      if (!reported.some((k) => k.outlet === bay.connector)) {
        reported.push({ outlet: bay.connector, connectorId: bay.connector, evseId: null, status: 'not reported yet', since: null });
      }
    }
    const connectors = reported.sort((a, b) => a.outlet - b.outlet || a.connectorId - b.connectorId);
    return h('article', { class: 'charger', dataset: { charger: c.id }, 'aria-labelledby': `charger-${c.id}` },
      h('header', null,
        h('h3', { id: `charger-${c.id}` }, c.displayName ? `${c.displayName} (${c.id})` : c.id),
        h('span', { class: `badge ${conn.connected ? 'ok' : 'off'}`, dataset: { connection: conn.connected ? 'connected' : 'disconnected' } },
          conn.connected ? `Connected since ${time(conn.connectedAt)}` : `Disconnected${conn.lastDisconnectedAt ? ` since ${time(conn.lastDisconnectedAt)}` : ''}${conn.lastDisconnectReason ? ` (${conn.lastDisconnectReason})` : ''}`),
        h('span', { class: 'meta' }, [c.ocppVersion ? `OCPP ${c.ocppVersion}` : null, c.vendor, c.model, c.firmwareVersion ? `fw ${c.firmwareVersion}` : null].filter(Boolean).join(' · ')),
        h('a', { href: `#/chargers/${encodeURIComponent(c.id)}/messages` }, 'Message log')),
      table(`Connectors of ${c.id}`, ['Connector', 'Status', 'Since', 'Fault', 'Charging', ctx.canOperate ? 'Commands' : null].filter(Boolean),
        connectors.map((k) => {
          const outlet = k.outlet;
          const bay = bays.find((b) => b.connector === outlet);
          const session = active.find((s) => (s.evseId ?? s.connectorId) === outlet);
          const fault = k.errorCode && k.errorCode !== 'NoError' ? [k.errorCode, k.info, k.vendorErrorCode].filter(Boolean).join(' · ') : '';
          return h('tr', { dataset: { connector: String(outlet) }, class: k.status === 'Faulted' ? 'faulted' : null },
            h('td', null, `${k.evseId != null ? `EVSE ${k.evseId} / ${k.connectorId}` : String(k.connectorId)}${bay ? ` (bay ${bay.id})` : ''}`),
            h('td', { class: 'status' }, k.status),
            h('td', null, time(k.since)),
            h('td', { class: 'fault' }, fault),
            h('td', null, session ? `tx ${session.transactionId}: ${kwh(session.energyWh)}${session.lastPowerW != null ? `, ${kw(session.lastPowerW)}` : ''}` : ''),
            ctx.canOperate ? h('td', { class: 'commands' }, commands(c, outlet, session)) : null);
        })),
      upstreams.length === 0 ? null : table(`Upstream backends of ${c.id}`, ['Upstream', 'Role', 'State', 'Queue', 'Forwarded', 'Last error'],
        upstreams.map((u) => h('tr', { dataset: { upstream: u.name, state: u.state } },
          h('td', null, h('span', { title: u.endpoint }, u.name)),
          h('td', null, u.role),
          h('td', { class: 'upstream-state' }, u.state === 'Connected' && u.connectedSince ? `Connected since ${time(u.connectedSince)}` : u.state),
          h('td', { class: 'queue' }, String(u.queueLength)),
          h('td', null, String(u.forwarded)),
          h('td', { class: 'fault' }, u.lastError ? `${u.lastError}${u.lastErrorAt ? ` (${time(u.lastErrorAt)})` : ''}` : '')))));
  }

  function commands(charger, outlet, session) {
    const where = `${charger.id} connector ${outlet}`;
    if (session) {
      const limit = h('input', { type: 'number', min: '0', step: '100', inputmode: 'numeric', placeholder: 'W', class: 'limit', 'aria-label': `Power limit for ${where} (W)` });
      return [
        h('button', { type: 'button', 'aria-label': `Stop charging on ${where}`, onclick: () => send(`Remote stop on ${where}`, { type: 'remoteStop', chargingSessionId: session.id }) }, 'Stop'),
        h('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); send(`Power limit on ${where}`, { type: 'setChargingLimit', chargerId: charger.id, connector: outlet, limit: Number(limit.value), unit: 'W' }); } },
          field('Limit (W)', limit), h('button', { type: 'submit' }, 'Set limit')),
        h('button', { type: 'button', 'aria-label': `Clear the power limit on ${where}`, onclick: () => send(`Clear limit on ${where}`, { type: 'clearChargingLimit', chargerId: charger.id, connector: outlet }) }, 'Clear limit'),
      ];
    }
    const token = h('input', { type: 'text', placeholder: 'id token', class: 'token', autocomplete: 'off', 'aria-label': `Id token to start ${where} with` });
    return h('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); send(`Remote start on ${where}`, { type: 'remoteStart', chargerId: charger.id, connector: outlet, idToken: token.value.trim() || undefined }); } },
      field('Id token', token), h('button', { type: 'submit' }, 'Start'));
  }

  /** Sends a command and follows it to its outcome (the charger's answer, a timeout, offline). */
  async function send(what, body) {
    say(outcome, `${what}: sending…`);
    try {
      let command = await post('/commands', { ...body, reason: 'dashboard' });
      say(outcome, `${what}: ${command.status}…`);
      for (let i = 0; i < 120 && !FINAL.has(command.status); i++) {
        await new Promise((r) => setTimeout(r, 500));
        command = await get(`/commands/${encodeURIComponent(command.id)}`);
      }
      const ok = command.status === 'Accepted';
      say(outcome, `${what}: ${command.status}${command.response && command.response !== command.status ? ` (${command.response})` : ''}${command.detail ? ` — ${command.detail}` : ''}`, ok ? 'ok' : 'error');
      outcome.dataset.status = command.status;
      load().catch(fail);
    } catch (e) {
      say(outcome, `${what} was refused: ${e.message}`, 'error');
      outcome.dataset.status = 'Refused';
    }
  }

  return { element, load, fail, onEvent: debounce(() => load().catch(fail), 300) };
}

/** A charger's OCPP message log, newest first, every frame both ways. */
export function renderMessages(ctx) {
  const [chargerId] = ctx.params;
  const body = h('div');
  const { element, status, fail } = section(`Message log: ${chargerId}`, h('p', null, h('a', { href: '#/chargers' }, '← Chargers')), body);
  let before = null;
  const rows = [];
  const more = h('button', { type: 'button', onclick: () => load().catch(fail) }, 'Older messages');

  async function load() {
    const page = await get(`/chargers/${encodeURIComponent(chargerId)}/messages?limit=100${before ? `&before=${encodeURIComponent(before)}` : ''}`);
    rows.push(...page.items);
    before = page.next;
    fill(body,
      table(`OCPP frames of ${chargerId}, newest first`, ['At', 'Direction', 'Action', 'Frame'],
        rows.map((m) => h('tr', null, h('td', null, time(m.at)), h('td', null, m.direction), h('td', null, m.action ?? m.errorCode ?? ''),
          h('td', null, h('code', { class: 'frame' }, m.frame))))),
      before ? more : null);
    say(status, `${rows.length} frames`);
  }

  return { element, load, fail };
}
