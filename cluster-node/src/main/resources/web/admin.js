// The admin app: the workspace of a tenant's owners and admins and of the platform operator, on
// top of the HTTP API (docs/admin.md). No framework, no build step; the same habits as the
// console (client.js's h() builds every element, so no data ever goes through innerHTML). The API
// enforces every rule: this page only shows what the caller's role may see and explains refusals.
import { h, sentenceFor, formatDuration, Session, Socket, socketBase, socketTicket } from './client.js';
import uPlot from './vendor/uplot.js';

const $ = (id) => document.getElementById(id);
const SESSION = 'videoshop-admin:session';
const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const SCOPES = ['tenant:read', 'tenant:write', 'users:read', 'users:write', 'users:admins', 'widget-keys:read',
  'widget-keys:write', 'audit:read', 'calls:read', 'billing:read', 'bookings:read', 'bookings:write', 'reports:read'];

const session = new Session(SESSION, { onEnded: (message) => signOut(message) });

const state = {
  tenantId: null,
  tenant: null,
  screen: null,
};

/** Read-only state for tests. */
window.__admin = {
  get screen() { return state.screen; },
  get tenantId() { return state.tenantId; },
  get signedIn() { return !!session.current; },
};

// ---- The API: tokens, refresh, problems -------------------------------------------------------

/** A problem+json answer of the API; `problem.errors` name fields. */
class Problem extends Error {
  constructor(problem, status) {
    super(explain(problem));
    this.problem = problem || {};
    this.status = status;
  }
}

/** The API's own words first (its message names what is wrong); a sentence of ours as fallback. */
function explain(problem) {
  if (!problem) return 'Something went wrong. Please try again.';
  if (Array.isArray(problem.errors) && problem.errors.length && problem.errors[0].message) return problem.errors[0].message;
  return problem.detail || problem.title || sentenceFor(problem);
}

async function api(method, path, { body, headers = {}, raw = false, retried = false } = {}) {
  if (!session.current) throw new Problem({ code: 'unauthenticated', detail: 'Please sign in.' }, 401);
  if (session.expiresWithin(15000)) await refresh().catch(() => {});
  if (!session.current) throw new Problem({ code: 'unauthenticated', detail: 'Please sign in.' }, 401);
  const init = { method, headers: Object.assign({ Authorization: 'Bearer ' + session.accessToken }, headers) };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path.startsWith('/') && !path.startsWith('/api/') && !path.startsWith('/health') ? '/api/v1' + path : path, init);
  } catch (e) {
    throw new Problem({ code: 'offline', detail: 'The server cannot be reached. Please check your connection and try again.' }, 0);
  }
  if (response.status === 401 && !retried) {
    await refresh();
    return api(method, path, { body, headers, raw, retried: true });
  }
  if (!response.ok) throw new Problem(await response.json().catch(() => ({ detail: 'The server answered ' + response.status + '.' })), response.status);
  if (raw) return response;
  if (response.status === 204) return null;
  return response.json();
}

const tenantPath = (rest = '') => '/tenants/' + encodeURIComponent(state.tenantId) + rest;

function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value != null && value !== '') search.set(name, value);
  const text = search.toString();
  return text ? '?' + text : '';
}

/** Downloads an API file (CSV, zip) with the token in the header: fetched, then saved from a blob. */
async function download(path, filename, { method = 'GET', body } = {}) {
  const response = await api(method, path, { raw: true, body });
  const url = URL.createObjectURL(await response.blob());
  const link = h('a', { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

// ---- Signing in and staying signed in ---------------------------------------------------------

$('sign-in-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const error = $('sign-in-error');
  error.hidden = true;
  const email = $('email').value.trim();
  const password = $('password').value;
  if (!email || !password) return showText(error, 'Please enter your email address and password.');
  $('sign-in-button').disabled = true;
  try {
    const response = await fetch('/api/v1/auth/login', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) return showText(error, body.code === 'invalid_credentials' || body.code === 'login_locked' ? sentenceFor(body) : explain(body));
    if (!['owner', 'admin', 'operator'].includes(body.user && body.user.role)) {
      fetch('/api/v1/auth/logout', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ refreshToken: body.refreshToken }) }).catch(() => {});
      return showText(error, 'The admin app is for a store\'s owners and admins and the platform operator. Agents work in the console at /console.');
    }
    $('password').value = '';
    signedIn(body);
  } catch (e) {
    showText(error, 'The server cannot be reached. Please check your connection and try again.');
  } finally {
    $('sign-in-button').disabled = false;
  }
});

$('sign-out').addEventListener('click', () => {
  session.signOut();
  signOut();
});

function signedIn(login) {
  session.start(login);
  start();
}

function signOut(message) {
  session.end();
  state.tenantId = null;
  state.tenant = null;
  $('me').hidden = true;
  $('nav').hidden = true;
  $('screen').replaceChildren();
  $('tenant-name').textContent = 'Admin';
  state.screen = 'sign-in';
  $('sign-in').hidden = false;
  if (message) showText($('sign-in-error'), message);
  $('email').focus();
}

/** Renews the tokens; a refused refresh (the session is over) is a problem like any other. */
function refresh() {
  return session.refresh().catch((e) => {
    throw e.ended ? new Problem({ code: 'invalid_refresh_token', detail: e.message }, 401) : e;
  });
}

// ---- The shell: role-based navigation, the tenant in view -------------------------------------

const SCREENS = [
  { id: 'dashboard', title: 'Dashboard', render: dashboard, tenant: true },
  { id: 'calls', title: 'Calls', render: calls, tenant: true },
  { id: 'team', title: 'Team', render: team, tenant: true },
  { id: 'settings', title: 'Settings', render: settings, tenant: true },
  { id: 'widget', title: 'Widget', render: widget, tenant: true },
  { id: 'api-keys', title: 'API keys', render: apiKeys, tenant: true },
  { id: 'billing', title: 'Billing', render: billing, tenant: true },
  { id: 'audit', title: 'Audit log', render: audit, tenant: true },
  { id: 'privacy', title: 'Privacy', render: privacy, tenant: true },
  { id: 'tenants', title: 'Tenants', render: tenants, operator: true },
  { id: 'health', title: 'Platform health', render: health, operator: true },
];

const isOperator = () => !!session.current && session.user.role === 'operator';
const visibleScreens = () => SCREENS.filter((screen) => !screen.operator || isOperator())
  .filter((screen) => !screen.tenant || state.tenantId);

async function start() {
  const user = session.user;
  $('sign-in').hidden = true;
  $('who').textContent = (user.displayName || user.email) + ' · ' + user.role;
  $('me').hidden = false;
  if (isOperator()) {
    $('tenant-name').textContent = 'Platform operator';
    await loadTenantPicker();
  } else {
    state.tenantId = user.tenantId;
    api('GET', tenantPath()).then((tenant) => { state.tenant = tenant; $('tenant-name').textContent = tenant.name; }).catch(() => {});
  }
  renderNav();
  route();
}

async function loadTenantPicker(selected) {
  const select = $('tenant-select');
  let list = [];
  try {
    list = await api('GET', '/tenants?limit=500');
  } catch (e) {
    banner(e.message);
  }
  const remembered = selected || state.tenantId || sessionStorage.getItem('videoshop-admin:tenant');
  select.replaceChildren(h('option', { value: '' }, '(no tenant)'), ...list.map((tenant) =>
    h('option', { value: tenant.id }, tenant.name + ' (' + tenant.slug + ')' + (tenant.status === 'suspended' ? ' · suspended' : ''))));
  state.tenantId = list.some((tenant) => tenant.id === remembered) ? remembered : (list[0] ? list[0].id : null);
  select.value = state.tenantId || '';
  $('tenant-pick').hidden = false;
}

$('tenant-select').addEventListener('change', () => {
  state.tenantId = $('tenant-select').value || null;
  sessionStorage.setItem('videoshop-admin:tenant', state.tenantId || '');
  renderNav();
  route();
});

function renderNav() {
  const nav = $('nav');
  // The link of the screen in view reloads it (a hash that does not change fires no hashchange).
  nav.replaceChildren(...visibleScreens().map((screen) => h('a', { href: '#' + screen.id, id: 'nav-' + screen.id,
    onclick: () => { if (location.hash === '#' + screen.id) route(); } }, screen.title)));
  nav.hidden = false;
}

window.addEventListener('hashchange', () => { if (session.current) route(); });

async function route() {
  const screens = visibleScreens();
  const wanted = location.hash.slice(1).split('/')[0];
  const screen = screens.find((s) => s.id === wanted) || screens[0];
  if (!screen) return;
  for (const link of $('nav').querySelectorAll('a')) {
    if (link.id === 'nav-' + screen.id) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  banner(null);
  const holder = h('section', { id: 'screen-' + screen.id, 'aria-busy': 'true' });
  $('screen').replaceChildren(holder);
  state.screen = screen.id + ':loading';
  try {
    await screen.render(holder, location.hash.slice(1).split('/').slice(1).map(decodeURIComponent));
  } catch (e) {
    holder.append(h('p', { class: 'error', role: 'alert' }, e.message));
  }
  holder.removeAttribute('aria-busy');
  if ($('screen').firstChild === holder) state.screen = screen.id;
}

// ---- Building blocks: cards, fields, forms that keep what was typed ---------------------------

function card(title, ...children) {
  return h('section', { class: 'card' }, title ? h('h2', {}, title) : null, ...children);
}

/** A labelled input whose errors (a problem's `errors[].field` = `name`) show under it. */
function field(label, name, input) {
  input.dataset.field = name;
  if (!input.id) input.id = 'f-' + name.replace(/[^a-zA-Z0-9]+/g, '-') + '-' + (++fieldCount);
  return h('div', { class: 'field', 'data-for': name },
    h('label', { for: input.id }, label), input, h('p', { class: 'field-error', role: 'alert', hidden: true }));
}
let fieldCount = 0;

function input(attributes) {
  return h('input', Object.assign({ maxlength: 500 }, attributes));
}

function select(options, value, attributes = {}) {
  const element = h('select', attributes, ...options.map((option) => {
    const [optionValue, text] = Array.isArray(option) ? option : [option, option];
    return h('option', { value: optionValue }, text);
  }));
  element.value = value == null ? '' : value;
  return element;
}

/**
 * A form that submits through `action(form)`: on a problem the message goes next to the field it
 * names (or above the buttons), the inputs keep what was typed, and the button comes back.
 */
function form(id, action, ...children) {
  const error = h('p', { class: 'error', role: 'alert', hidden: true, id: id + '-error' });
  const element = h('form', { id, novalidate: true }, ...children, error);
  element.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearProblems(element);
    const buttons = element.querySelectorAll('button[type=submit]');
    buttons.forEach((button) => { button.disabled = true; });
    try {
      await action(element);
    } catch (e) {
      showProblem(element, e);
    } finally {
      buttons.forEach((button) => { button.disabled = false; });
    }
  });
  return element;
}

function clearProblems(container) {
  container.querySelectorAll('.field.invalid').forEach((f) => f.classList.remove('invalid'));
  container.querySelectorAll('.field-error, form > .error, .action-error').forEach((p) => { p.hidden = true; p.textContent = ''; });
}

/** Shows a problem by the fields it names (the longest matching field name), else for the whole form. */
function showProblem(container, e) {
  if (!(e instanceof Problem)) {
    console.error(e);
    e = new Problem({ detail: e.message || 'Something went wrong. Please try again.' }, 0);
  }
  const named = (e.problem.errors || []).concat(e.problem.field ? [{ field: e.problem.field, message: explain(e.problem) }] : []);
  let placed = false;
  for (const item of named) {
    const target = fieldFor(container, item.field || '');
    if (!target) continue;
    target.classList.add('invalid');
    const text = target.querySelector('.field-error');
    text.textContent = item.message || explain(e.problem);
    text.hidden = false;
    placed = true;
  }
  if (!placed) {
    const general = container.querySelector(':scope > .error, .action-error');
    if (general) showText(general, e.message);
    else toast(e.message);
  }
  const first = container.querySelector('.field.invalid input, .field.invalid select, .field.invalid textarea');
  if (first) first.focus();
}

function fieldFor(container, name) {
  let best = null;
  for (const candidate of container.querySelectorAll('.field[data-for]')) {
    const key = candidate.dataset.for;
    if ((name === key || name.startsWith(key + '.') || name.startsWith(key + '[')) && (!best || key.length > best.dataset.for.length)) best = candidate;
  }
  return best;
}

/** A button whose action's problem shows beside it (for actions without a form: revoke, suspend). */
function action(text, run, attributes = {}) {
  const error = h('span', { class: 'action-error error', role: 'alert', hidden: true });
  const button = h('button', Object.assign({ type: 'button', class: 'secondary' }, attributes), text);
  button.addEventListener('click', async () => {
    error.hidden = true;
    button.disabled = true;
    try {
      await run();
    } catch (e) {
      showText(error, e instanceof Problem ? e.message : 'Something went wrong. Please try again.');
    } finally {
      button.disabled = false;
    }
  });
  return h('span', { class: 'action' }, button, ' ', error);
}

function table(headers, rows, attributes = {}) {
  return h('div', { class: 'table-wrap' }, h('table', Object.assign({ class: 'table' }, attributes),
    h('thead', {}, h('tr', {}, ...headers.map((header) => h('th', { scope: 'col' }, header)))),
    h('tbody', {}, ...rows)));
}

function showText(element, text) {
  element.textContent = text;
  element.hidden = false;
}

function banner(text) {
  $('banner').hidden = !text;
  $('banner').textContent = text || '';
}

let toastTimer = null;
function toast(text) {
  showText($('toast'), text);
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { $('toast').hidden = true; }, 4000);
}

const when = (iso) => (iso ? new Date(iso).toLocaleString() : '—');
const money = (minor, currency) => (minor == null ? '—' : new Intl.NumberFormat(undefined, { style: 'currency', currency: currency || 'EUR' }).format(minor / 100));
const percent = (rate) => (rate == null ? '—' : Math.round(rate * 1000) / 10 + ' %');
const seconds = (ms) => (ms == null ? '—' : formatDuration(ms / 1000));
const isoDay = (date) => date.toISOString().slice(0, 10);
const dayStart = (day) => (day ? new Date(day + 'T00:00:00').toISOString() : null);
const dayEnd = (day) => (day ? new Date(new Date(day + 'T00:00:00').getTime() + 86400000).toISOString() : null);
const value = (root, name) => { const element = root.querySelector('[data-field="' + name + '"]'); return element ? element.value.trim() : ''; };
const numberOrNull = (text) => (text === '' ? null : Number(text));

// ---- Dashboard: live figures and the last 30 days ---------------------------------------------

async function dashboard(holder) {
  const to = new Date();
  const from = new Date(to.getTime() - 29 * 86400000);
  const fromInput = input({ type: 'date', value: isoDay(from) });
  const toInput = input({ type: 'date', value: isoDay(to) });
  const live = h('div', { class: 'figures', id: 'live-figures' });
  const totals = h('div', { class: 'figures', id: 'report-totals' });
  const charts = h('div', { class: 'charts', id: 'charts' });
  const range = form('report-range', async () => { await load(); },
    h('div', { class: 'toolbar' }, field('From', 'from', fromInput), field('To', 'to', toInput),
      h('button', { type: 'submit', class: 'primary', id: 'report-apply' }, 'Show'),
      h('button', { type: 'button', class: 'secondary', id: 'report-csv', onclick: () => csv().catch((e) => showProblem(range, e)) }, 'Download CSV')));
  holder.append(card('Now', live), card('Calls, waits and sales', range, totals, charts));

  const params = () => query({ from: fromInput.value, to: toInput.value });
  async function csv() {
    clearProblems(range);
    await download(tenantPath('/reports/summary.csv' + params()), 'summary-' + fromInput.value + '-' + toInput.value + '.csv');
  }
  async function load() {
    const report = await api('GET', tenantPath('/reports/summary' + params()));
    const t = report.total || {};
    const q = t.queue || {}, c = t.calls || {}, f = t.feedback || {}, m = t.commerce || {};
    totals.replaceChildren(
      figure(q.queued ?? 0, 'shoppers queued'), figure(c.calls ?? 0, 'calls'), figure(percent(q.serviceLevel), 'service level'),
      figure(percent(q.abandonmentRate), 'abandoned'), figure(seconds(q.averageSpeedOfAnswerMs), 'average wait'),
      figure(f.averageRating == null ? '—' : f.averageRating.toFixed(2), 'average rating (CSAT)'), figure(percent(m.conversion), 'add-to-cart conversion'));
    // Every day of the range on the x axis: a day without a bucket counts nothing (rates: no point).
    const byDay = new Map(report.buckets.map((bucket) => [bucket.from, bucket.figures || {}]));
    const days = [];
    for (let day = new Date(report.from + 'T12:00:00Z'); isoDay(day) <= report.to; day = new Date(day.getTime() + 86400000)) days.push(isoDay(day));
    const xs = days.map((day) => new Date(day + 'T12:00:00Z').getTime() / 1000);
    const series = (pick) => days.map((day) => { const v = pick(byDay.get(day) || {}); return v == null ? null : v; });
    charts.replaceChildren();
    plot(charts, 'Calls per day', xs, series((x) => (x.calls || {}).calls ?? 0), 'calls');
    plot(charts, 'Service level', xs, series((x) => rate((x.queue || {}).serviceLevel)), '%');
    plot(charts, 'Abandonment', xs, series((x) => rate((x.queue || {}).abandonmentRate)), '%');
    plot(charts, 'Average wait (s)', xs, series((x) => ((x.queue || {}).averageSpeedOfAnswerMs == null ? null : x.queue.averageSpeedOfAnswerMs / 1000)), 's');
    plot(charts, 'Average rating', xs, series((x) => (x.feedback || {}).averageRating), 'stars');
    plot(charts, 'Add-to-cart conversion', xs, series((x) => rate((x.commerce || {}).conversion)), '%');
  }
  await load();
  followLiveFigures(live);
}

const rate = (r) => (r == null ? null : Math.round(r * 1000) / 10);

function figure(text, label) {
  return h('div', { class: 'figure' }, h('strong', {}, String(text)), h('span', {}, label));
}

function showLiveFigures(live, waiting, longestWaitMs, callsInProgress, presence) {
  live.replaceChildren(figure(waiting, 'waiting now'), figure(seconds(longestWaitMs), 'longest wait now'),
    figure(callsInProgress, 'calls in progress'), figure(presence.available || 0, 'agents available'),
    figure(presence.away || 0, 'agents away'), figure(presence.offline || 0, 'agents offline'));
}

/**
 * The figures of this moment, while the dashboard is on screen. An owner or admin gets them pushed
 * over /ws/live as the queue changes (docs/protocol.md, "Live figures"); the longest wait counts up
 * here each second. The operator, who belongs to no tenant, reads them every 10 s instead.
 */
function followLiveFigures(live) {
  const onScreen = () => live.isConnected && !!session.current;
  if (isOperator()) {
    const poll = async () => {
      try {
        const now = await api('GET', tenantPath('/reports/live'));
        showLiveFigures(live, now.waiting, now.longestWaitMs, now.callsInProgress, now.agentsByPresence || {});
      } catch (e) {
        live.replaceChildren(h('p', { class: 'muted' }, e.message));
      }
    };
    poll();
    const timer = setInterval(() => { if (onScreen()) poll(); else clearInterval(timer); }, 10000);
    return;
  }
  let latest = null;
  const render = () => {
    if (!latest) return;
    const since = latest.longestWaitingSince ? Date.parse(latest.longestWaitingSince) : null;
    showLiveFigures(live, latest.waiting, since == null ? null : Math.max(0, Date.now() - since), latest.callsInProgress,
      latest.agents || {});
  };
  const socket = new Socket(async () => socketBase(location.origin) + '/ws/live?ticket=' + encodeURIComponent(
    await socketTicket(location.origin, '/api/v1/auth/socket-ticket', {}, { Authorization: 'Bearer ' + session.accessToken })), {
    onMessage: (msg) => { if (msg.type === 'figures') { latest = msg; render(); } },
    onDown: () => { if (onScreen()) socket.reconnectLater(); },
  });
  socket.connect();
  const tick = setInterval(() => {
    if (onScreen()) render();
    else { clearInterval(tick); socket.close(); }
  }, 1000);
}

function plot(holder, title, xs, ys, unit) {
  const box = h('div', { class: 'plot' });
  const chart = h('figure', { class: 'chart card', 'data-chart': title }, h('h3', {}, title), box);
  holder.append(chart);
  const width = Math.max(220, box.clientWidth || 320);
  new uPlot({
    width, height: 180,
    series: [{}, { label: title, stroke: '#4338ca', fill: 'rgba(67,56,202,.08)', width: 2, spanGaps: true, value: (u, v) => (v == null ? '—' : v + ' ' + unit) }],
    axes: [{}, { size: 50 }],
    legend: { show: false },
    cursor: { drag: { x: false, y: false } },
  }, [xs, ys], box);
}

// ---- Calls: a filtered list and a call's record with its timeline -----------------------------

async function calls(holder, [roomId]) {
  if (roomId) return callRecord(holder, roomId);
  const users = await api('GET', tenantPath('/users')).catch(() => []);
  const names = new Map(users.map((user) => [user.id, user.displayName || user.email]));
  const filters = h('div', { class: 'toolbar' },
    field('From', 'from', input({ type: 'date' })), field('To', 'to', input({ type: 'date' })),
    field('Agent', 'agentId', select([['', 'Any agent'], ...users.map((user) => [user.id, names.get(user.id)])], '')),
    field('Status', 'status', select([['', 'Any'], 'waiting', 'in-call', 'ended'], '')),
    field('Outcome', 'outcome', select([['', 'Any'], 'sale', 'no-sale', 'follow-up'], '')),
    h('button', { type: 'submit', class: 'primary', id: 'calls-apply' }, 'Show'));
  const list = h('div', { id: 'calls-list' });
  const more = h('div', { class: 'buttons' });
  let offset = 0;
  const filterForm = form('calls-filter', async (f) => { offset = 0; list.replaceChildren(); await load(f); }, filters);
  holder.append(card('Calls', filterForm, list, more));
  async function load(f) {
    const page = await api('GET', tenantPath('/calls' + query({
      from: dayStart(value(f, 'from')), to: dayEnd(value(f, 'to')), agentId: value(f, 'agentId'), status: value(f, 'status'),
      outcome: value(f, 'outcome'), limit: 50, offset,
    })));
    const rows = page.items.map((call) => h('tr', {},
      h('td', {}, h('a', { href: '#calls/' + encodeURIComponent(call.roomId), class: 'room-link' }, when(call.createdAt))),
      h('td', {}, names.get(call.agentId) || call.agentId || '—'), h('td', {}, call.status),
      h('td', {}, call.durationSeconds == null ? '—' : formatDuration(call.durationSeconds)),
      h('td', {}, String(call.productsShown ?? 0) + ' / ' + String(call.addedToCart ?? 0)),
      h('td', {}, call.rating == null ? '—' : call.rating + ' ★'), h('td', {}, call.outcome || '—')));
    if (!list.firstChild) {
      list.append(page.items.length ? table(['Opened', 'Agent', 'Status', 'Duration', 'Shown / carted', 'Rating', 'Outcome'], rows, { id: 'calls-table' })
        : h('p', { class: 'muted' }, 'No calls match these filters.'));
    } else {
      list.querySelector('tbody').append(...rows);
    }
    more.replaceChildren();
    if (page.nextOffset != null) {
      offset = page.nextOffset;
      more.append(action('More calls', () => load(filterForm)));
    }
  }
  await load(filterForm);
}

async function callRecord(holder, roomId) {
  const call = await api('GET', tenantPath('/calls/' + encodeURIComponent(roomId)));
  const people = (call.participants || []).map((p) => h('tr', {}, h('td', {}, p.role), h('td', {}, when(p.firstJoinedAt)), h('td', {}, when(p.lastLeftAt)),
    h('td', {}, [p.platform, p.connectionType, p.localCandidateType && p.localCandidateType + '/' + p.remoteCandidateType].filter(Boolean).join(' · ') || '—'),
    h('td', { class: 'muted' }, p.userAgent || '—')));
  const products = (call.products || []).map((p) => h('li', {}, p.title + ' (' + p.sku + ')' + (p.price ? ' · ' + p.price : '')
    + ((call.addedToCart || []).includes(p.sku) ? ' · added to cart' : '')));
  holder.append(
    h('p', {}, h('a', { href: '#calls' }, '← All calls')),
    card('Call ' + call.roomId,
      h('div', { class: 'figures' }, figure(call.status, 'status'), figure(call.durationSeconds == null ? '—' : formatDuration(call.durationSeconds), 'duration'),
        figure(call.endReason || '—', 'end'), figure(call.minutes ?? 0, 'minutes billed'),
        figure(call.feedback ? call.feedback.rating + ' ★' : '—', 'feedback'), figure(call.wrapUp ? call.wrapUp.outcome : '—', 'wrap-up')),
      call.feedback && call.feedback.comment ? h('p', {}, 'Comment: ', call.feedback.comment) : null,
      call.wrapUp && call.wrapUp.note ? h('p', {}, 'Wrap-up note: ', call.wrapUp.note) : null),
    card('Participants and devices', table(['Who', 'Joined', 'Left', 'Device', 'Browser'], people)),
    card('Products', products.length ? h('ul', {}, ...products) : h('p', { class: 'muted' }, 'No product was shown.')),
    card('Timeline', h('ol', { class: 'timeline', id: 'timeline' }, ...(call.timeline || []).map((entry) => h('li', {},
      h('time', { datetime: entry.at }, new Date(entry.at).toLocaleTimeString()), h('strong', {}, String(entry.event).replace(/([A-Z])/g, ' $1').toLowerCase()),
      h('span', { class: 'muted' }, describeDetails(entry.details)))))));
}

function describeDetails(details) {
  if (!details || typeof details !== 'object') return '';
  return Object.entries(details).filter(([, v]) => v != null && v !== '').map(([k, v]) => k + ': ' + (typeof v === 'object' ? JSON.stringify(v) : v)).join(' · ');
}

// ---- Team: users, roles, invitations ----------------------------------------------------------

async function team(holder) {
  const [users, invitations, live] = await Promise.all([api('GET', tenantPath('/users')), api('GET', tenantPath('/invitations')),
    api('GET', tenantPath('/reports/live')).catch(() => ({ agents: [] }))]);
  const presence = new Map((live.agents || []).map((agent) => [agent.agentId, agent]));
  const me = session.user;
  const rows = users.map((user) => {
    const role = select(['owner', 'admin', 'agent'], user.role, { 'aria-label': 'Role of ' + user.email, disabled: user.status !== 'active' || user.id === me.id });
    const roleAction = action('Change role', async () => {
      await api('PATCH', tenantPath('/users/' + encodeURIComponent(user.id)), { body: { role: role.value } });
      toast('Role changed.');
      route();
    }, { 'data-user': user.email, class: 'secondary change-role' });
    return h('tr', { 'data-email': user.email },
      h('td', {}, user.displayName || '—'), h('td', {}, user.email), h('td', {}, role, ' ', user.status === 'active' && user.id !== me.id ? roleAction : null),
      h('td', {}, user.status), h('td', {}, presenceOf(presence.get(user.id))),
      h('td', {}, user.status === 'active' && user.id !== me.id ? action('Deactivate', async () => {
        if (!confirm('Deactivate ' + user.email + '? Their sessions end at once.')) return;
        await api('POST', tenantPath('/users/' + encodeURIComponent(user.id) + '/deactivate'));
        toast('Deactivated.');
        route();
      }, { class: 'secondary deactivate' }) : null, user.status === 'erased' ? null : dataRights(user, user.id === me.id)));
  });
  const pending = invitations.filter((invitation) => invitation.status === 'pending' || invitation.status === 'expired');
  const inviteForm = form('invite', async (f) => {
    const body = { email: value(f, 'email'), role: value(f, 'role'), language: value(f, 'language') };
    await api('POST', tenantPath('/invitations'), { body });
    toast('Invitation sent to ' + body.email + '.');
    route();
  }, h('div', { class: 'row' },
    field('Email', 'email', input({ type: 'email', maxlength: 254, id: 'invite-email' })),
    field('Role', 'role', select(['agent', 'admin', 'owner'], 'agent', { id: 'invite-role' })),
    field('Mail language', 'language', select([['en', 'English'], ['de', 'Deutsch']], 'en'))),
  h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary', id: 'invite-send' }, 'Send invitation')));
  holder.append(
    card('People', table(['Name', 'Email', 'Role', 'Status', 'Presence', ''], rows, { id: 'users-table' })),
    card('Invite someone', inviteForm),
    card('Invitations', pending.length ? table(['Email', 'Role', 'Status', 'Expires', ''], pending.map((invitation) => h('tr', { 'data-email': invitation.email },
      h('td', {}, invitation.email), h('td', {}, invitation.role), h('td', {}, invitation.status), h('td', {}, when(invitation.expiresAt)),
      h('td', {}, action('Resend', async () => {
        // A new invitation to the same address replaces the pending one (docs/access.md).
        await api('POST', tenantPath('/invitations'), { body: { email: invitation.email, role: invitation.role, language: invitation.language } });
        toast('Invitation sent again.');
        route();
      }, { class: 'secondary resend' })))), { id: 'invitations-table' }) : h('p', { class: 'muted' }, 'No open invitations.')));
}

/**
 * A user's data rights (docs/privacy.md): their export (a zip), a correction of their name or email,
 * and the erasure of their data after a confirmation. The API decides who may (an admin cannot
 * touch an owner; the tenant keeps an active owner) and each refusal shows beside its button.
 */
function dataRights(user, self) {
  const userPath = tenantPath('/privacy/users/' + encodeURIComponent(user.id));
  const name = input({ value: user.displayName || '', maxlength: 200, class: 'correct-name' });
  const email = input({ type: 'email', value: user.email, maxlength: 254, class: 'correct-email' });
  const correction = form('correct-' + user.id, async () => {
    const body = {};
    if (name.value.trim() !== (user.displayName || '')) body.displayName = name.value.trim();
    if (email.value.trim() !== user.email) body.email = email.value.trim();
    if (!Object.keys(body).length) throw new Problem({ errors: [{ field: 'displayName', message: 'Change the name or the email first.' }] }, 0);
    await api('PUT', userPath + '/details', { body });
    toast('Details corrected.');
    route();
  }, field('Name', 'displayName', name), field('Email (their sign-in)', 'email', email),
  h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'secondary correct-save' }, 'Save details')));
  return h('details', { class: 'data-rights' }, h('summary', {}, 'Data rights'),
    h('div', { class: 'buttons' },
      action('Download their data', () => download(userPath + '/export', 'user-export-' + user.id + '.zip', { method: 'POST' }),
        { class: 'secondary export-user' }),
      self ? null : action('Erase their data…', async () => {
        if (!confirm('Erase ' + user.email + '? Their name and email become a pseudonym everywhere (the audit trail keeps every entry), '
          + 'their sessions end and nobody can sign in as them again. This cannot be undone.')) return;
        const asked = await api('POST', userPath + '/erasure');
        toast('Erasure requested: ' + asked.status + '.');
        route();
      }, { class: 'primary danger erase-user' })),
    correction);
}

/** "available since 14:02" with a coloured dot, or a dash for someone the queue has not seen. */
function presenceOf(agent) {
  if (!agent) return '—';
  return h('span', {}, h('span', { class: 'dot ' + agent.presence }), agent.presence + ' since ' + new Date(agent.since).toLocaleTimeString());
}

// ---- Settings: business hours and exceptions, queue policy, allowed origins -------------------

/** "09:00-12:00, 13:00-17:00" ⇄ [{from, to}]; an empty text is a closed day. */
function windowsText(windows) {
  return (windows || []).map((w) => w.from + '-' + w.to).join(', ');
}

function parseWindows(text, name) {
  if (!text.trim()) return [];
  return text.split(',').map((part) => {
    const match = /^\s*(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})\s*$/.exec(part);
    if (!match) throw new Problem({ errors: [{ field: name, message: 'Write opening times as 09:00-17:00, several separated by commas; leave empty for closed.' }] }, 0);
    const pad = (t) => t.padStart(5, '0');
    return { from: pad(match[1]), to: pad(match[2]) };
  });
}

async function settings(holder) {
  const tenant = await api('GET', tenantPath());
  const s = tenant.settings;
  const weekly = (s.businessHours && s.businessHours.weekly) || {};
  const exceptionsList = h('div', { id: 'exceptions' });
  // The API names an exception's fields by its place in the list (businessHours.exceptions[1].date):
  // after a removal the rows below move up, and so do their names.
  const renumber = () => [...exceptionsList.children].forEach((row, i) => {
    for (const [part, selector] of [['date', '.exception-date'], ['windows', '.exception-windows']]) {
      const box = row.querySelector(selector);
      box.dataset.field = box.closest('.field').dataset.for = 'businessHours.exceptions[' + i + '].' + part;
    }
  });
  const addException = (exception) => {
    const row = h('div', { class: 'exception' },
      field('Date', 'businessHours.exceptions.date', input({ type: 'date', value: exception.date || '', class: 'exception-date' })),
      field('Open (empty: closed all day)', 'businessHours.exceptions.windows', input({ value: windowsText(exception.windows), placeholder: '10:00-14:00', class: 'exception-windows' })));
    row.append(h('button', { type: 'button', class: 'link remove-exception', onclick: () => { row.remove(); renumber(); } }, 'Remove'));
    exceptionsList.append(row);
    renumber();
  };
  ((s.businessHours && s.businessHours.exceptions) || []).forEach(addException);
  const q = s.queue || {};
  const c = s.calls || {};
  const settingsForm = form('settings-form', async (f) => {
    $('settings-saved').hidden = true; // "Saved." speaks of this save only
    const body = {
      timeZone: value(f, 'timeZone'),
      currency: s.currency,
      businessHours: {
        weekly: Object.fromEntries(DAYS.map((day) => [day, parseWindows(value(f, 'businessHours.weekly.' + day), 'businessHours.weekly.' + day)])),
        exceptions: [...exceptionsList.children].map((row, i) => ({
          date: row.querySelector('.exception-date').value,
          windows: parseWindows(row.querySelector('.exception-windows').value, 'businessHours.exceptions[' + i + '].windows'),
        })),
      },
      queue: Object.fromEntries(Object.entries({
        maxLength: numberOrNull(value(f, 'queue.maxLength')), maxWaitSeconds: numberOrNull(value(f, 'queue.maxWaitSeconds')),
        reservationTimeoutSeconds: numberOrNull(value(f, 'queue.reservationTimeoutSeconds')), routingStrategy: value(f, 'queue.routingStrategy') || null,
      }).filter(([, v]) => v != null)),
      allowedOrigins: value(f, 'allowedOrigins').split(/\s+/).filter(Boolean),
    };
    const calls = Object.fromEntries(Object.entries({ maxCallMinutes: numberOrNull(value(f, 'calls.maxCallMinutes')), wrapUpSeconds: numberOrNull(value(f, 'calls.wrapUpSeconds')) })
      .filter(([, v]) => v != null));
    if (Object.keys(calls).length) body.calls = calls;
    await api('PUT', tenantPath('/settings'), { body });
    toast('Settings saved.');
    $('settings-saved').hidden = false;
  },
  h('h2', {}, 'Business hours'),
  h('p', { class: 'muted small' }, 'In the store\'s time zone. Write opening times as 09:00-17:00, several separated by commas; an empty day is closed; a window ending at or before its start runs past midnight.'),
  field('Time zone', 'timeZone', input({ value: s.timeZone, id: 'time-zone', maxlength: 64 })),
  h('div', { class: 'week', id: 'weekly' }, ...DAYS.map((day) => field(day[0].toUpperCase() + day.slice(1), 'businessHours.weekly.' + day,
    input({ value: windowsText(weekly[day]), id: 'hours-' + day, placeholder: 'closed' })))),
  h('h2', {}, 'Exceptions'),
  h('p', { class: 'muted small' }, 'Dated days with other hours (holidays, late openings).'),
  exceptionsList,
  h('div', { class: 'buttons' }, h('button', { type: 'button', class: 'secondary', id: 'add-exception', onclick: () => addException({}) }, 'Add an exception')),
  h('h2', {}, 'Queue policy'),
  h('div', { class: 'row' },
    field('Longest queue', 'queue.maxLength', input({ type: 'number', value: q.maxLength ?? '', id: 'queue-max-length' })),
    field('Longest wait (s)', 'queue.maxWaitSeconds', input({ type: 'number', value: q.maxWaitSeconds ?? '' })),
    field('Offer timeout (s)', 'queue.reservationTimeoutSeconds', input({ type: 'number', value: q.reservationTimeoutSeconds ?? '' })),
    field('Routing', 'queue.routingStrategy', select([['', '(default)'], 'longest-idle', 'round-robin'], q.routingStrategy || ''))),
  h('div', { class: 'row' },
    field('Longest call (min)', 'calls.maxCallMinutes', input({ type: 'number', value: c.maxCallMinutes ?? '' })),
    field('Wrap-up time (s)', 'calls.wrapUpSeconds', input({ type: 'number', value: c.wrapUpSeconds ?? '' }))),
  h('h2', {}, 'Allowed origins'),
  field('Store addresses allowed to show the widget (one per line)', 'allowedOrigins',
    h('textarea', { rows: 3, id: 'allowed-origins', maxlength: 5000 }, (s.allowedOrigins || []).join('\n'))),
  h('p', { class: 'muted small', id: 'settings-saved', hidden: true }, 'Saved.'),
  h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary', id: 'save-settings' }, 'Save settings')));
  holder.append(card(null, settingsForm));
}

// ---- Widget: keys, origins, the snippet, and how the widget looks (with a live preview) -------

const LANGUAGE_NAMES = [['en', 'English'], ['de', 'Deutsch'], ['fr', 'Français'], ['es', 'Español']];

async function widget(holder) {
  const [keys, tenant] = await Promise.all([api('GET', tenantPath('/widget-keys')), api('GET', tenantPath())]);
  const live = keys.filter((key) => !key.revokedAt);
  const look = tenant.settings.widget || {};
  const colour = input({ type: 'color', value: look.color || '#4338ca', id: 'appearance-colour' });
  const title = input({ value: look.buttonText || '', id: 'appearance-title', maxlength: 40, placeholder: 'Video call with an expert (in the shopper\'s language)' });
  const greeting = h('textarea', { id: 'appearance-greeting', rows: 2, maxlength: 200, placeholder: 'Leave your name and we will connect you with an expert for a video call.' }, look.greeting || '');
  const position = select([['right', 'Bottom right'], ['left', 'Bottom left']], look.position || 'right', { id: 'appearance-position' });
  const language = select([['', 'English (the default)'], ...LANGUAGE_NAMES.slice(1)], look.language || '', { id: 'appearance-language' });
  const consentFirst = h('input', { type: 'checkbox', id: 'appearance-consent-first', checked: look.consentBeforeStorage === true });
  const browser = select([['', 'Your browser\'s languages'], ...LANGUAGE_NAMES, ['pt', 'Português (not offered: the default language shows)']], '', { id: 'preview-browser' });
  const preview = h('iframe', { id: 'widget-preview', class: 'widget-preview', title: 'Preview of the widget', src: 'about:blank' });
  // The preview is the real widget.js on a page of its own, given the values being edited.
  let previewTimer = null;
  const showPreview = () => {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(() => {
      const values = { color: colour.value, title: title.value.trim(), greeting: greeting.value.trim(), position: position.value,
        language: language.value, browser: browser.value };
      const hash = new URLSearchParams(Object.entries(values).filter(([, v]) => v)).toString();
      preview.src = '/widget/preview#' + hash;
    }, 250);
  };
  [colour, title, greeting, position, language, browser].forEach((element) => {
    element.addEventListener('input', showPreview);
    element.addEventListener('change', showPreview);
  });
  showPreview();
  const appearanceForm = form('appearance-form', async () => {
    const saved = await api('PUT', tenantPath('/widget-appearance'), { body: {
      color: colour.value, buttonText: title.value.trim() || null, greeting: greeting.value.trim() || null,
      position: position.value, language: language.value || null, consentBeforeStorage: consentFirst.checked,
    } });
    toast('Appearance saved: every store page shows it from its next load.');
    $('appearance-saved').hidden = false;
    colour.value = saved.color || colour.value;
  },
  field('Brand colour', 'color', colour),
  field('Button text (empty: "Video call with an expert" in the shopper\'s language)', 'buttonText', title),
  field('Greeting over the form (empty: the widget\'s own, in the shopper\'s language)', 'greeting', greeting),
  field('Position', 'position', position),
  field('Language when the shopper\'s browser asks for none the widget has (it speaks English, Deutsch, Français, Español)', 'language', language),
  h('div', { class: 'field', 'data-for': 'consentBeforeStorage' }, h('label', { class: 'check' }, consentFirst,
    ' Store nothing in the shopper\'s browser until the store\'s consent banner calls VideoShop.consent({storage: true})'),
  h('p', { class: 'field-error', role: 'alert', hidden: true })),
  h('p', { class: 'muted small', id: 'appearance-saved', hidden: true }, 'Saved.'),
  h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary', id: 'appearance-save' }, 'Save appearance')));
  const keyPick = select(live.map((key) => [key.publicKey, key.name + ' (' + key.publicKey.slice(0, 12) + '…)']), live.length ? live[0].publicKey : '', { id: 'snippet-key' });
  const snippet = h('pre', { class: 'snippet', id: 'snippet' });
  const update = () => {
    snippet.textContent = live.length ? '<script src="' + location.origin + '/widget.js" data-key="' + keyPick.value + '" async></script>' : 'Create a widget key first.';
  };
  keyPick.addEventListener('input', update);
  keyPick.addEventListener('change', update);
  update();
  const createForm = form('widget-key-create', async (f) => {
    await api('POST', tenantPath('/widget-keys'), { body: { name: value(f, 'name'), allowedOrigins: value(f, 'allowedOrigins').split(/\s+/).filter(Boolean) } });
    toast('Widget key created.');
    route();
  }, h('div', { class: 'row' }, field('Name', 'name', input({ id: 'widget-key-name', maxlength: 200 })),
    field('Allowed origins (one per line; empty: the store\'s)', 'allowedOrigins', h('textarea', { rows: 2, id: 'widget-key-origins', maxlength: 5000 }))),
  h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary', id: 'widget-key-submit' }, 'Create widget key')));
  const rows = keys.map((key) => {
    const origins = h('textarea', { rows: 2, maxlength: 5000, 'aria-label': 'Allowed origins of ' + key.name }, (key.allowedOrigins || []).join('\n'));
    const originsForm = form('origins-' + key.id, async () => {
      await api('PUT', tenantPath('/widget-keys/' + encodeURIComponent(key.id) + '/origins'), { body: { allowedOrigins: origins.value.split(/\s+/).filter(Boolean) } });
      toast('Origins saved.');
    }, field('Allowed origins', 'allowedOrigins', origins), key.revokedAt ? null : h('button', { type: 'submit', class: 'secondary' }, 'Save origins'));
    return h('tr', { 'data-key': key.publicKey }, h('td', {}, key.name), h('td', { class: 'snippet' }, key.publicKey), h('td', {}, originsForm),
      h('td', {}, key.revokedAt ? 'revoked ' + when(key.revokedAt) : when(key.createdAt)),
      h('td', {}, key.revokedAt ? null : action('Revoke', async () => {
        if (!confirm('Revoke ' + key.name + '? Stores using it lose the widget.')) return;
        await api('DELETE', tenantPath('/widget-keys/' + encodeURIComponent(key.id)));
        route();
      })));
  });
  holder.append(
    card('Widget keys', keys.length ? table(['Name', 'Key', 'Origins', 'Created', ''], rows, { id: 'widget-keys-table' }) : h('p', { class: 'muted' }, 'No widget keys yet.')),
    card('New widget key', createForm),
    card('How the widget looks',
      h('div', { class: 'columns' },
        h('div', { class: 'column' }, appearanceForm),
        h('div', { class: 'column' }, field('Preview for a shopper whose browser speaks', 'preview-browser', browser), preview))),
    card('Put the widget on your store',
      field('Key', 'snippet-key', keyPick),
      h('p', { class: 'muted small' }, 'Paste this line before </body> on every page of the store. The look above applies to every key; '
        + 'a tag\'s own data-color, data-title, data-greeting, data-position or data-language attribute overrides it on that page.'), snippet,
      h('div', { class: 'buttons' }, h('button', { type: 'button', class: 'secondary', id: 'copy-snippet', onclick: () => {
        navigator.clipboard.writeText(snippet.textContent).then(() => toast('Copied.'), () => toast('Select the line and copy it.'));
      } }, 'Copy'))));
}

// ---- API keys ---------------------------------------------------------------------------------

async function apiKeys(holder) {
  const keys = await api('GET', tenantPath('/api-keys'));
  const secret = h('div', { id: 'new-secret', hidden: true });
  const createForm = form('api-key-create', async (f) => {
    const scopes = [...f.querySelectorAll('input[name=scope]:checked')].map((box) => box.value);
    const created = await api('POST', tenantPath('/api-keys'), { body: { name: value(f, 'name'), scopes } });
    secret.replaceChildren(h('p', { class: 'note' }, 'Copy this key now: it is shown this once.'), h('pre', { class: 'secret', id: 'api-key-secret' }, created.key));
    secret.hidden = false;
    f.reset();
    list.replaceChildren(keyTable(await api('GET', tenantPath('/api-keys'))));
  }, field('Name', 'name', input({ id: 'api-key-name', maxlength: 200 })),
  h('div', { class: 'field', 'data-for': 'scopes' }, h('span', {}, 'Scopes'),
    h('div', { class: 'scopes' }, ...SCOPES.map((scope) => h('label', {}, h('input', { type: 'checkbox', name: 'scope', value: scope }), scope))),
    h('p', { class: 'field-error', role: 'alert', hidden: true })),
  h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary', id: 'api-key-submit' }, 'Create API key')));
  const keyTable = (list) => (list.length ? table(['Name', 'Prefix', 'Scopes', 'Created', 'Last used', ''], list.map((key) => h('tr', {},
    h('td', {}, key.name), h('td', { class: 'snippet' }, key.prefix), h('td', {}, (key.scopes || []).join(', ')), h('td', {}, when(key.createdAt)),
    h('td', {}, when(key.lastUsedAt)), h('td', {}, key.revokedAt ? 'revoked' : action('Revoke', async () => {
      if (!confirm('Revoke ' + key.name + '? Systems using it are refused at once.')) return;
      await api('DELETE', tenantPath('/api-keys/' + encodeURIComponent(key.id)));
      route();
    })))), { id: 'api-keys-table' }) : h('p', { class: 'muted' }, 'No API keys yet.'));
  const list = h('div', {}, keyTable(keys));
  holder.append(card('API keys', list), card('New API key', createForm, secret), card('Usage, last 30 days', await usageTable(keys)));
}

/** Each key's calls per day (UTC) and route class, from its usage records (GET …/api-usage). */
async function usageTable(keys) {
  const records = await api('GET', tenantPath('/api-usage?days=30'));
  if (!records.length) return h('p', { class: 'muted', id: 'api-usage' }, 'No calls with an API key in the last 30 days.');
  const names = new Map(keys.map((key) => [key.id, key.name + ' (' + key.prefix + '…)']));
  return h('div', { id: 'api-usage' },
    h('p', { class: 'muted small' }, 'Each day (UTC) once it is over also goes into the audit log as api_key.usage_recorded.'),
    table(['Day', 'Key', 'Calls', 'By route class'], records.map((record) => h('tr', {},
      h('td', {}, record.day), h('td', {}, names.get(record.keyId) || record.keyId), h('td', {}, String(record.requests)),
      h('td', { class: 'muted' }, Object.entries(record.byRouteClass || {}).map(([name, count]) => name + ': ' + count).join(' · ')))),
    { id: 'api-usage-table' }));
}

// ---- Billing ----------------------------------------------------------------------------------

async function billing(holder) {
  const wallet = await api('GET', tenantPath('/wallet'));
  const currency = wallet.currency;
  const plan = wallet.plan || {};
  const month = input({ type: 'month', value: new Date().toISOString().slice(0, 7), id: 'statement-month' });
  const statement = h('div', { id: 'statement' });
  const statementForm = form('statement-form', async () => {
    const s = await api('GET', tenantPath('/wallet/statement' + query({ month: month.value })));
    statement.replaceChildren(h('div', { class: 'figures' }, figure(money(s.openingBalance, currency), 'opening balance'),
      figure(money(s.totalCredits, currency), 'credits'), figure(s.totalMinutes, 'minutes'), figure(money(s.totalUsage, currency), 'usage'),
      figure(money(s.totalPlanFees, currency), 'plan fees'), figure(money(s.closingBalance, currency), s.closed ? 'closing balance' : 'balance so far')));
  }, h('div', { class: 'toolbar' }, field('Month', 'month', month), h('button', { type: 'submit', class: 'primary' }, 'Show'),
    h('button', { type: 'button', class: 'secondary', id: 'statement-csv', onclick: () => download(tenantPath('/wallet/statement.csv' + query({ month: month.value })),
      'statement-' + month.value + '.csv').catch((e) => showProblem(statementForm, e)) }, 'Download CSV')));
  const ledger = h('div', { id: 'ledger' });
  const topUps = h('div', { id: 'top-ups' });
  const ledgerRows = (items) => table(['When', 'Kind', 'Amount', 'Balance after', 'Reference'], items.map((entry) => h('tr', {},
    h('td', {}, when(entry.at)), h('td', {}, entry.kind), h('td', {}, (entry.type === 'debit' ? '−' : '+') + money(Math.abs(entry.amount), currency)),
    h('td', {}, money(entry.balanceAfter, currency)), h('td', { class: 'muted' }, entry.note || entry.reference || ''))));
  holder.append(
    card('Wallet', h('div', { class: 'figures' }, figure(money(wallet.balance, currency), 'balance'), figure(plan.kind || '—', 'plan'),
      plan.kind === 'trial' ? figure(when(plan.endsAt), 'trial ends') : null,
      figure(wallet.minutesLeft == null ? 'unlimited' : wallet.minutesLeft, 'minutes left'), figure(wallet.includedMinutesLeft ?? 0, 'included minutes left'),
      figure(wallet.usage ? wallet.usage.minutes : 0, 'minutes this period'), figure(wallet.level || '—', 'level')),
    wallet.scheduledPlan ? h('p', { class: 'muted' }, 'From ' + wallet.scheduledFrom + ': ' + wallet.scheduledPlan.kind) : null),
    card('Statement', statementForm, statement),
    card('Top-ups and credits', topUps),
    card('Ledger', ledger));
  const [entries, credits] = await Promise.all([api('GET', tenantPath('/wallet/ledger?limit=50')), api('GET', tenantPath('/wallet/ledger?type=credit&limit=50'))]);
  ledger.replaceChildren(entries.items.length ? ledgerRows(entries.items) : h('p', { class: 'muted' }, 'No entries yet (the ledger trails the wallet by about a second).'));
  topUps.replaceChildren(credits.items.length ? ledgerRows(credits.items) : h('p', { class: 'muted' }, 'No credits yet.'));
  statementForm.requestSubmit();
}

// ---- Audit log --------------------------------------------------------------------------------

async function audit(holder) {
  const list = h('div', { id: 'audit-list' });
  const more = h('div', { class: 'buttons' });
  let cursor = null;
  const filters = form('audit-filter', async (f) => { cursor = null; list.replaceChildren(); await load(f); },
    h('div', { class: 'toolbar' }, field('Action', 'action', input({ placeholder: 'user.role_changed', maxlength: 100 })),
      field('Actor id', 'actorId', input({ maxlength: 100 })), field('Target id', 'targetId', input({ maxlength: 100 })),
      field('From', 'from', input({ type: 'date' })), field('To', 'to', input({ type: 'date' })),
      h('button', { type: 'submit', class: 'primary' }, 'Show')));
  holder.append(card('Audit log', h('p', { class: 'muted small' }, 'Every change, newest first.'), filters, list, more));
  async function load(f) {
    const path = '/tenants/' + encodeURIComponent(state.tenantId) + '/audit';
    const page = await api('GET', path + query({ action: value(f, 'action'), actorId: value(f, 'actorId'), targetId: value(f, 'targetId'),
      from: dayStart(value(f, 'from')), to: dayEnd(value(f, 'to')), cursor, limit: 50 }));
    const rows = page.items.map((item) => h('tr', {}, h('td', {}, when(item.at)), h('td', {}, h('strong', {}, item.action)),
      h('td', {}, item.actorType + (item.actorId ? ' ' + item.actorId : '')), h('td', {}, (item.targetType || '') + ' ' + (item.targetId || '')),
      h('td', {}, item.before || item.after ? h('details', {}, h('summary', {}, 'Before / after'),
        h('pre', { class: 'change' }, 'Before: ' + JSON.stringify(item.before ?? null, null, 2)),
        h('pre', { class: 'change' }, 'After: ' + JSON.stringify(item.after ?? null, null, 2))) : '')));
    if (!list.firstChild) list.append(page.items.length ? table(['When', 'Action', 'By', 'Target', 'Change'], rows, { id: 'audit-table' }) : h('p', { class: 'muted' }, 'Nothing matches.'));
    else list.querySelector('tbody').append(...rows);
    more.replaceChildren();
    if (page.nextCursor != null) {
      cursor = page.nextCursor;
      more.append(action('Older entries', () => load(filters)));
    }
  }
  await load(filters);
}

// ---- Privacy: data rights requests, a shopper's export and erasure, retention -----------------

const SHOPPER_REFERENCES = [['email', 'Email address'], ['phone', 'Phone number'], ['ticketId', 'Ticket id'], ['bookingId', 'Booking id'], ['roomId', 'Call (room) id']];

async function privacy(holder) {
  const [requests, region] = await Promise.all([api('GET', tenantPath('/privacy/requests')), api('GET', '/privacy/region').catch(() => null)]);
  // Which shopper: one reference (the API wants exactly one), the same form for export and erasure.
  const kind = select(SHOPPER_REFERENCES, 'email', { id: 'privacy-kind' });
  const reference = input({ id: 'privacy-reference', maxlength: 254 });
  const body = () => ({ [kind.value]: reference.value.trim() });
  const shopperForm = form('privacy-shopper', async (f) => {
    if (!reference.value.trim()) throw new Problem({ errors: [{ field: kind.value, message: 'Enter the shopper\'s ' + kind.selectedOptions[0].text.toLowerCase() + '.' }] }, 0);
    const wanted = f.dataset.wanted;
    if (wanted === 'export') {
      // An export job: its bundle is built in the background; the link is given to whoever asked, once it is ready.
      const asked = await api('POST', tenantPath('/privacy/export-jobs'), { body: body() });
      toast('Export requested: it downloads as soon as it is ready.');
      await downloadExport(asked.id);
      route();
    } else {
      if (!confirm('Erase every personal detail of the shopper with ' + kind.selectedOptions[0].text.toLowerCase() + ' ' + reference.value.trim()
        + ' (name, email, phone, notes, in the queue, bookings and calls)? This cannot be undone.')) return;
      const asked = await api('POST', tenantPath('/privacy/erasures'), { body: body() });
      toast('Erasure requested: ' + asked.status + '.');
      route();
    }
  }, h('div', { class: 'row' }, field('The shopper, by', 'kind', kind),
    h('div', { class: 'field', 'data-for': kind.value }, h('label', { for: 'privacy-reference' }, 'Reference'), reference,
      h('p', { class: 'field-error', role: 'alert', hidden: true }))),
  h('div', { class: 'buttons' },
    h('button', { type: 'submit', class: 'secondary', id: 'privacy-export', onclick: (e) => { e.target.form.dataset.wanted = 'export'; } }, 'Download their data'),
    h('button', { type: 'submit', class: 'primary danger', id: 'privacy-erase', onclick: (e) => { e.target.form.dataset.wanted = 'erase'; } }, 'Erase their data…')));
  // Errors name the reference's field (email, phone, ...): the reference input answers to each.
  kind.addEventListener('change', () => { reference.closest('.field').dataset.for = kind.value; });
  // The list never carries a download link: an export of one's own that is still kept gets a button that asks for it.
  const mine = (request) => request.kind === 'export' && request.status === 'done' && request.requestedBy === session.user.id
    && request.result && request.result.expiresAt && new Date(request.result.expiresAt) > new Date();
  const rows = requests.items.map((request) => h('tr', { 'data-request': request.id }, h('td', {}, when(request.createdAt)), h('td', {}, request.kind),
    h('td', {}, request.referenceType), h('td', { class: request.status === 'failed' ? 'status-bad' : request.status === 'done' ? 'status-ok' : '' }, request.status),
    h('td', {}, when(request.finishedAt)), h('td', { class: 'muted' }, request.result ? describeDetails(request.result) : ''),
    h('td', {}, mine(request) ? action('Download', () => downloadExport(request.id), { class: 'secondary download-export' }) : null)));
  const retention = h('div', { id: 'retention' });
  holder.append(
    card('A shopper\'s data', h('p', { class: 'muted small' }, 'Export or erase what the store holds about one shopper (docs/privacy.md). Both are recorded in the audit log.'), shopperForm),
    card('Requests', rows.length ? table(['Asked', 'Kind', 'By', 'Status', 'Finished', 'Result', ''], rows, { id: 'privacy-requests' })
      : h('p', { class: 'muted', id: 'privacy-requests' }, 'No requests yet.')),
    card('Retention', retention));
  if (isOperator()) {
    const due = await api('GET', '/privacy/retention');
    retention.append(table(['Data class', 'Kept for', 'Older than', 'Rows due now', 'Tenant'], due.classes.map((c) => h('tr', {},
      h('td', {}, c.dataClass), h('td', {}, c.retention), h('td', {}, when(c.cutoff)), h('td', {}, String(c.rows)), h('td', {}, c.tenantId || 'default')))));
  }
  retention.append(await tenantRetention());
  if (region) retention.append(h('p', { class: 'muted small', id: 'privacy-region' }, 'Data is processed and stored in: ' + region.region + '.'));
}

/** The tenant's own periods for the classes it may set, within the platform's limits; an owner changes them. */
async function tenantRetention() {
  const { classes } = await api('GET', tenantPath('/privacy/retention'));
  const mayChange = isOperator() || session.user.role === 'owner';
  const inputs = new Map(classes.map((c) => [c.dataClass, input({ type: 'number', min: c.minDays, max: c.maxDays, inputmode: 'numeric',
    value: c.overrideDays == null ? '' : String(c.overrideDays), placeholder: String(c.defaultDays), id: 'retention-' + c.dataClass,
    disabled: !mayChange, 'aria-label': 'Days to keep ' + c.dataClass })]));
  const rows = classes.map((c) => h('tr', { 'data-class': c.dataClass }, h('td', {}, c.dataClass), h('td', {}, c.defaultDays + ' days'),
    h('td', {}, c.minDays + ' to ' + c.maxDays + ' days'), h('td', {}, field('Days', 'overrides.' + c.dataClass, inputs.get(c.dataClass))),
    h('td', { class: 'applies' }, c.effectiveDays + ' days')));
  return form('retention-form', async () => {
    const overrides = {};
    for (const [name, box] of inputs) if (box.value.trim() !== '') overrides[name] = Number(box.value);
    await api('PUT', tenantPath('/privacy/retention'), { body: { overrides } });
    toast('Retention saved.');
    route();
  }, h('p', { class: 'muted small' }, 'How long this store keeps each kind of data (empty: the platform\'s default); then it is deleted or '
    + 'anonymised. Billing records and inactive shoppers follow the platform\'s periods (docs/privacy.md, "Retention").'),
  table(['Data class', 'Platform default', 'Allowed', 'This store', 'Applies'], rows, { id: 'retention-table' }),
  mayChange ? h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary', id: 'retention-save' }, 'Save retention')) : null);
}

/** Waits for an export job, then downloads its bundle by the link the API gives only to whoever asked for it. */
async function downloadExport(id) {
  for (let waited = 0; waited < 300; waited++) {
    const request = await api('GET', tenantPath('/privacy/requests/' + encodeURIComponent(id)));
    if (request.status === 'failed') throw new Problem({ detail: 'The export did not complete. Please ask again.' }, 0);
    if (request.status === 'done') {
      if (!request.result || !request.result.downloadPath) throw new Problem({ detail: 'The export is no longer available. Please ask again.' }, 0);
      await download(request.result.downloadPath, 'export-' + request.referenceType + '-' + request.createdAt.slice(0, 10) + '.zip');
      toast('The export is downloaded.');
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Problem({ detail: 'The export is taking long; its download appears in the list of requests when it is ready.' }, 0);
}

// ---- Operator: tenants, top-ups, platform health ----------------------------------------------

async function tenants(holder) {
  const list = await api('GET', '/tenants?limit=500');
  const rows = list.map((tenant) => h('tr', { 'data-slug': tenant.slug }, h('td', {}, tenant.name), h('td', {}, tenant.slug),
    h('td', { class: tenant.status === 'active' ? 'status-ok' : 'status-bad' }, tenant.status), h('td', {}, tenant.plan || '—'),
    h('td', {}, tenant.status === 'active'
      ? action('Suspend', async () => {
        if (!confirm('Suspend ' + tenant.name + '? Its widgets are refused at once.')) return;
        await api('POST', '/tenants/' + encodeURIComponent(tenant.id) + '/suspend');
        await loadTenantPicker(state.tenantId);
        route();
      }, { class: 'secondary suspend' })
      : action('Resume', async () => {
        await api('POST', '/tenants/' + encodeURIComponent(tenant.id) + '/reactivate');
        await loadTenantPicker(state.tenantId);
        route();
      }, { class: 'secondary resume' }),
    ' ', h('button', { type: 'button', class: 'link', onclick: () => { $('tenant-select').value = tenant.id; $('tenant-select').dispatchEvent(new Event('change')); location.hash = '#dashboard'; } }, 'Open'))));
  const createForm = form('tenant-create', async (f) => {
    const created = await api('POST', '/tenants', { body: { name: value(f, 'name'), slug: value(f, 'slug'), timeZone: value(f, 'timeZone') || 'UTC', currency: value(f, 'currency') || 'EUR' } });
    toast('Created ' + created.name + '.');
    await loadTenantPicker(state.tenantId);
    renderNav();
    route();
  }, h('div', { class: 'row' }, field('Name', 'name', input({ id: 'tenant-name-input', maxlength: 200 })), field('Slug', 'slug', input({ id: 'tenant-slug', maxlength: 63 })),
    field('Time zone', 'timeZone', input({ value: 'UTC', maxlength: 64 })), field('Currency', 'currency', input({ value: 'EUR', maxlength: 3 }))),
  h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary', id: 'tenant-create-submit' }, 'Create tenant')));
  const topUpForm = form('top-up', async (f) => {
    const tenantId = value(f, 'tenantId');
    const amount = Math.round(Number(value(f, 'amount').replace(',', '.')) * 100);
    if (!tenantId) throw new Problem({ errors: [{ field: 'tenantId', message: 'Choose a tenant.' }] }, 0);
    if (!Number.isFinite(amount) || amount < 1) throw new Problem({ errors: [{ field: 'amount', message: 'Enter an amount such as 50.00.' }] }, 0);
    // One key per submitted form: pressing again after a lost answer credits once (Idempotency-Key).
    f.dataset.key = f.dataset.key || 'admin-' + crypto.randomUUID();
    const done = await api('POST', '/tenants/' + encodeURIComponent(tenantId) + '/wallet/top-ups', {
      headers: { 'Idempotency-Key': f.dataset.key }, body: { amount, kind: value(f, 'kind'), note: value(f, 'note') || undefined },
    });
    delete f.dataset.key;
    toast('Credited ' + money(done.amount, done.currency) + '; balance ' + money(done.balanceAfter, done.currency) + '.');
    f.reset();
  }, h('div', { class: 'row' },
    field('Tenant', 'tenantId', select([['', 'Choose…'], ...list.map((tenant) => [tenant.id, tenant.name])], state.tenantId || '')),
    field('Amount', 'amount', input({ inputmode: 'decimal', placeholder: '50.00', maxlength: 12 })),
    field('Kind', 'kind', select(['top_up', 'refund', 'adjustment', 'trial_grant'], 'top_up')),
    field('Note', 'note', input({ maxlength: 500 }))),
  h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary', id: 'top-up-submit' }, 'Credit the wallet')));
  holder.append(card('Tenants', table(['Name', 'Slug', 'Status', 'Plan', ''], rows, { id: 'tenants-table' })),
    card('New tenant', createForm), card('Wallet top-up', topUpForm));
}

async function health(holder) {
  const response = await fetch('/health/ready');
  const report = await response.json().catch(() => ({}));
  holder.append(card('Platform health',
    h('p', { class: response.ok ? 'status-ok' : 'status-bad', id: 'health-status' }, response.ok ? 'Ready' : 'Not ready (' + response.status + ')'),
    h('pre', { class: 'change' }, JSON.stringify(report, null, 2)),
    h('p', { class: 'muted small' }, 'Prometheus metrics: ', h('a', { href: '/metrics' }, '/metrics'))));
}

// ---- Start ------------------------------------------------------------------------------------

// Signed in already (a reload): carry on; else the sign-in form.
session.resume(30000).then((signedIn) => {
  if (signedIn) start();
  else signOut();
}, () => {});
