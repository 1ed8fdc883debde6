// Site plan: every EV bay as a tile (state, plate, power, energy), the gates' last reads, the cameras' health, occupancy.
// Live: any event of the site reloads the plan (a burst of events once).
import { get } from './api.js';
import { h, fill, section, clock, kw, kwh, debounce, say } from './ui.js';

/** A bay's state in words; ICE and idle are read from the occupant's timestamps. */
export function bayState(bay) {
  const o = bay.occupant;
  switch (bay.state) {
    case 'Free': return { key: 'free', label: 'Free' };
    case 'VehicleNotCharging':
      return o?.iceDetectedAt ? { key: 'ice', label: 'ICE: not charging' } : { key: 'vehicle', label: 'Vehicle, not charging' };
    case 'Charging': return { key: 'charging', label: 'Charging' };
    case 'ChargingFinished':
      return o?.idleSince ? { key: 'idle', label: 'Finished, idle' } : { key: 'finished', label: 'Charging finished' };
    default: return { key: 'unknown', label: 'Unknown' };
  }
}

export function render(ctx) {
  const site = ctx.site;
  const occupancy = h('dl', { class: 'figures', 'aria-label': 'Occupancy' });
  const bays = h('ul', { class: 'bays', 'aria-label': 'EV bays' });
  const gates = h('div', { class: 'gates' });
  const cameras = h('ul', { class: 'cameras', 'aria-label': 'Cameras' });
  const { element, status, fail } = section(`Site plan: ${site.name}`,
    h('h3', null, 'Occupancy'), occupancy,
    h('h3', null, 'EV bays'),
    h('p', { class: 'legend' }, ['free', 'vehicle', 'charging', 'finished', 'idle', 'ice', 'unknown'].map((k) => h('span', { class: `chip ${k}` }, legend[k]))),
    bays,
    h('h3', null, 'Gates'), gates,
    h('h3', null, 'Cameras'), cameras);

  async function load() {
    const id = encodeURIComponent(site.id);
    const [occ, bayList, recent, cameraList] = await Promise.all([
      get(`/sites/${id}/occupancy`),
      get(`/sites/${id}/bays`),
      get(`/parking-sessions?siteId=${id}&limit=25`),
      get(`/sites/${id}/cameras`),
    ]);
    fill(occupancy,
      figure('Vehicles inside', `${occ.vehiclesInside} / ${occ.capacity}`),
      figure('EV bays occupied', `${occ.evBaysOccupied} / ${occ.evBays}`),
      figure('Ordinary bays', occ.ordinaryBays));

    const sessionIds = bayList.map((b) => b.occupant?.chargingSessionIds?.at(-1)).filter(Boolean);
    const charging = new Map(await Promise.all(sessionIds.map(async (s) => [s, await get(`/charging-sessions/${encodeURIComponent(s)}`).catch(() => null)])));
    fill(bays, ...bayList.map((bay) => tile(bay, charging.get(bay.occupant?.chargingSessionIds?.at(-1)))));
    fill(gates, ...gateRows(site, recent.items));
    fill(cameras, ...cameraList.map(cameraTile));
    say(status, `Updated ${clock(new Date().toISOString())}`);
  }

  return { element, load, fail, onEvent: debounce(() => load().catch(fail), 200) };
}

const legend = {
  free: 'Free', vehicle: 'Vehicle, not charging', charging: 'Charging', finished: 'Charging finished', idle: 'Finished, idle', ice: 'ICE', unknown: 'Unknown',
};

function figure(label, value) {
  return h('div', null, h('dt', null, label), h('dd', null, String(value)));
}

function tile(bay, session) {
  const state = bayState(bay);
  const o = bay.occupant;
  const active = session && session.status === 'Active';
  return h('li', { class: `bay ${state.key}`, dataset: { bay: bay.id, state: state.key }, 'aria-label': `Bay ${bay.id}: ${state.label}${o ? `, ${o.plate}` : ''}` },
    h('strong', { class: 'bay-id' }, bay.id),
    h('span', { class: 'state' }, state.label),
    h('span', { class: 'plate' }, o?.plate ?? ''),
    h('span', { class: 'power', title: 'Power now' }, active && session.lastPowerW != null ? kw(session.lastPowerW) : ''),
    h('span', { class: 'energy', title: 'Energy of this charge' }, session?.energyWh != null ? kwh(session.energyWh) : ''),
    h('span', { class: 'connector' }, `${bay.chargerId} #${bay.connector}${bay.connectorStatus ? ` · ${bay.connectorStatus}` : ''}`),
    o?.parkingSessionId ? h('a', { href: `#/sessions/${encodeURIComponent(o.parkingSessionId)}` }, 'stay') : null);
}

/** Per lane of the site document, its last reads (from the newest parking sessions' entries and exits). */
function gateRows(site, sessions) {
  const lanes = site.document?.lanes ?? [];
  if (lanes.length === 0) return [h('p', null, 'No lanes configured.')];
  return lanes.map((lane) => {
    const reads = [];
    for (const s of sessions) {
      if (s.entryLane === lane.id && s.enteredAt) reads.push({ at: s.enteredAt, plate: s.plateRaw || s.plate, what: 'in', id: s.id });
      if (s.exitLane === lane.id && s.exitedAt) reads.push({ at: s.exitedAt, plate: s.plateRaw || s.plate, what: 'out', id: s.id });
    }
    reads.sort((a, b) => (a.at < b.at ? 1 : -1));
    return h('div', { class: 'gate', dataset: { lane: lane.id } },
      h('h4', null, `${lane.id} (${lane.direction ?? 'lane'})`),
      reads.length
        ? h('ol', { class: 'reads' }, reads.slice(0, 5).map((r) => h('li', null, h('time', { datetime: r.at }, clock(r.at)), ' ',
          h('a', { href: `#/sessions/${encodeURIComponent(r.id)}` }, r.plate), ` ${r.what}`)))
        : h('p', { class: 'empty' }, 'No reads yet.'));
  });
}

/** A camera's health in words: its open alarms first (silent, clock, poor reads), else Ok or no reads yet. */
export function cameraHealth(camera) {
  const alarms = [];
  if (camera.silentSince) alarms.push(`silent since ${clock(camera.silentSince)}`);
  if (camera.clockSkewedSince) alarms.push(`clock ${offset(camera.clockOffset)}`);
  if (camera.degradedSince) alarms.push(`poor reads (${Math.round((camera.lowConfidenceShare + camera.unreadableShare) * 100)} %)`);
  if (alarms.length) return { key: camera.silentSince ? 'silent' : 'unwell', label: alarms.join(', ') };
  return camera.lastReadAt ? { key: 'ok', label: 'Ok' } : { key: 'none', label: 'No reads yet' };
}

/** A TimeSpan as the API writes it ("-00:03:00") in words: "3 min behind", "40 s ahead". */
function offset(span) {
  if (!span) return 'off';
  const negative = span.startsWith('-');
  const [hh, mm, ss] = span.replace('-', '').split(':').map(Number);
  const seconds = Math.round(hh * 3600 + mm * 60 + ss);
  const text = seconds >= 120 ? `${Math.round(seconds / 60)} min` : `${seconds} s`;
  return `${text} ${negative ? 'behind' : 'ahead'}`;
}

function cameraTile(camera) {
  const health = cameraHealth(camera);
  const where = camera.lane ? `lane ${camera.lane}` : `bays ${camera.bays.join(', ')}`;
  const usual = camera.usualReadsPerHour != null ? ` (usually ${camera.usualReadsPerHour})` : '';
  return h('li', { class: `camera ${health.key}`, dataset: { camera: camera.id, health: health.key }, 'aria-label': `Camera ${camera.id}: ${health.label}` },
    h('strong', null, camera.id), ` · ${where} · `,
    h('span', { class: 'health' }, health.label),
    h('span', { class: 'figures-line' },
      camera.lastReadAt ? ['last push ', h('time', { datetime: camera.lastReadAt }, clock(camera.lastReadAt))] : 'no push yet',
      ` · ${camera.readsLastHour} in the last hour${usual}`,
      camera.clockOffset && !camera.clockSkewedSince ? ` · clock ${offset(camera.clockOffset)}` : '',
      camera.recentReads ? ` · poor reads ${Math.round((camera.lowConfidenceShare + camera.unreadableShare) * 100)} % of ${camera.recentReads}` : ''));
}
