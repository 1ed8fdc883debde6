// The dashboard's shell: sign-in with an API key, the site picker, the live event stream and the views.
import { key, whoIs, get, onUnauthorized, EventStream, ApiError } from './api.js';
import { h } from './ui.js';
import * as plan from './plan.js';
import * as chargers from './chargers.js';
import * as sessions from './sessions.js';
import * as review from './review.js';
import * as reconciliation from './reconciliation.js';
import * as privacy from './privacy.js';

const $ = (id) => document.getElementById(id);
const SITE = 'parkcharge.site';

const routes = [
  { pattern: /^#\/plan$/, view: plan },
  { pattern: /^#\/chargers$/, view: chargers },
  { pattern: /^#\/chargers\/([^/]+)\/messages$/, view: chargers, render: 'renderMessages' },
  { pattern: /^#\/sessions$/, view: sessions },
  { pattern: /^#\/sessions\/([^/]+)$/, view: sessions, render: 'renderDetail' },
  { pattern: /^#\/review$/, view: review },
  { pattern: /^#\/reconciliation$/, view: reconciliation },
  { pattern: /^#\/privacy$/, view: privacy },
];

const state = { me: null, sites: [], site: null, stream: null, current: null };

function showSignIn(message) {
  state.stream?.stop();
  state.stream = null;
  state.current?.dispose?.();
  state.current = null;
  state.me = null;
  $('view').replaceChildren();
  $('view').hidden = true;
  $('nav').hidden = true;
  $('who').hidden = true;
  $('sign-in').hidden = false;
  $('sign-in-error').textContent = message ?? '';
  $('api-key').value = '';
  $('api-key').focus();
}

async function signIn(apiKey) {
  try {
    const me = await whoIs(apiKey);
    key.set(apiKey);
    await start(me);
  } catch (e) {
    key.clear();
    if (e instanceof ApiError && e.status === 401) showSignIn('That API key was not accepted. Check it and try again.');
    else if (e instanceof ApiError && e.status === 403) showSignIn(`This key cannot read the API: ${e.message}`);
    else showSignIn(`The server could not be reached: ${e.message}`);
  }
}

async function start(me) {
  state.me = me;
  state.sites = await get('/sites');
  $('sign-in').hidden = true;
  $('nav').hidden = false;
  $('who').hidden = false;
  $('view').hidden = false;
  $('key-name').textContent = `${me.name} (${me.role})`;
  const select = $('site-select');
  select.replaceChildren(...state.sites.map((s) => h('option', { value: s.id }, `${s.name} (${s.id})`)));
  const wanted = sessionStorage.getItem(SITE);
  const site = state.sites.find((s) => s.id === wanted) ?? state.sites[0] ?? null;
  if (site) select.value = site.id;
  await selectSite(site?.id);
  if (!location.hash || !routes.some((r) => r.pattern.test(location.hash))) location.hash = '#/plan';
  else route();
}

async function selectSite(id) {
  state.stream?.stop();
  state.stream = null;
  state.site = id ? await get(`/sites/${encodeURIComponent(id)}`) : null;
  if (!state.site) {
    setLive('no site');
    return;
  }
  sessionStorage.setItem(SITE, id);
  state.stream = new EventStream(id, (event) => state.current?.onEvent?.(event), setLive).start();
}

function setLive(text) {
  const live = $('live');
  // (Re)connected: what happened while the stream was down is read again, so nothing is missed.
  if (text === 'live' && live.dataset.state !== 'live') state.current?.onEvent?.({ type: 'stream.connected' });
  live.textContent = text;
  live.dataset.state = text;
}

async function route() {
  if (!state.me) return;
  const match = routes.map((r) => ({ r, m: r.pattern.exec(location.hash) })).find((x) => x.m);
  if (!match) {
    location.hash = '#/plan';
    return;
  }
  for (const a of document.querySelectorAll('#nav a')) {
    if (location.hash.startsWith(a.getAttribute('href'))) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  state.current?.dispose?.();
  const view = $('view');
  if (!state.site) {
    view.replaceChildren(h('p', { class: 'notice' }, 'No site is configured yet: load a site file or PUT /api/v1/sites/{id}.'));
    return;
  }
  const ctx = {
    site: state.site,
    me: state.me,
    canOperate: state.me.policies.includes('operate'),
    params: match.m.slice(1).map(decodeURIComponent),
  };
  const render = match.r.view[match.r.render ?? 'render'];
  const current = render(ctx);
  state.current = current;
  view.replaceChildren(current.element);
  try {
    await current.load?.();
  } catch (e) {
    current.fail?.(e);
  }
}

$('sign-in-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const value = $('api-key').value.trim();
  if (value) signIn(value);
});
$('sign-out').addEventListener('click', () => {
  key.clear();
  sessionStorage.removeItem(SITE);
  showSignIn('Signed out.');
});
$('site-select').addEventListener('change', async (e) => {
  await selectSite(e.target.value);
  route();
});
window.addEventListener('hashchange', route);
onUnauthorized(() => {
  key.clear();
  showSignIn('The API key is no longer accepted (revoked or expired). Sign in again.');
});

if (key.get()) signIn(key.get());
else showSignIn();
