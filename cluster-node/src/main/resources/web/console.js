// The agent console: sign in, set a presence, watch the live queue, take an offered shopper,
// talk on video, show products, wrap up. Talks to the node that serves it: the HTTP API for
// signing in, /ws/agent for the queue, /ws/room for a call (docs/protocol.md).
import {
  Call, Session, Socket, socketTicket, connectionSentence, describeEnd, formatClock, formatDuration, h, openCameraAndMicrophone, safeUrl,
  sentenceFor, socketBase, stopStream, toggleTracks,
} from './client.js';

const base = location.origin;
const $ = (id) => document.getElementById(id);
const SESSION = 'videoshop-console:session';
const ROOM = 'videoshop-console:room';
const RECENT = 'videoshop-console:recent-products';

const session = new Session(SESSION, { onEnded: (message) => signOut(message) });

const state = {
  tenant: null,
  socket: null,
  presence: 'offline',
  queue: null, // the last `queue` message
  queueReceivedAt: 0,
  serverOffsetMs: 0, // server clock minus ours, from `queue.at`
  offer: null,
  room: read(sessionStorage, ROOM), // {roomId, roomToken, ticket, savedAt}
  call: null,
  localStream: null,
  callStartedAt: null,
  view: 'sign-in',
  appointments: [], // the agent's booked appointments ahead (GET …/bookings)
  hours: null, // the agent's working hours as last loaded or saved
  appointmentTimer: null,
};

window.__videoshop = {
  role: 'agent',
  get view() { return state.view; },
  get pc() { return state.call ? state.call.pc : null; },
  get roomId() { return state.room ? state.room.roomId : null; },
  get presence() { return state.presence; },
  get appointments() { return state.appointments; },
};

// ---- Signing in and staying signed in ---------------------------------------------------------

$('sign-in-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const error = $('sign-in-error');
  error.hidden = true;
  const email = $('email').value.trim();
  const password = $('password').value;
  if (!email || !password) return showError(error, 'Please enter your email address and password.');
  $('sign-in-button').disabled = true;
  try {
    const response = await fetch('/api/v1/auth/login', {
      method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password }),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      if (body.code === 'login_locked') {
        const minutes = Math.ceil(Number(response.headers.get('Retry-After') || 900) / 60);
        return showError(error, 'Too many failed sign-ins. Please wait ' + minutes + ' minute' + (minutes === 1 ? '' : 's') + ' and try again.');
      }
      return showError(error, sentenceFor(body));
    }
    if (!body.user || !body.user.tenantId) {
      return showError(error, 'The platform operator has no agent console. Please sign in as a member of a store.');
    }
    $('password').value = '';
    signedIn(body);
  } catch (e) {
    showError(error, 'The server cannot be reached. Please check your connection and try again.');
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
  clearInterval(state.appointmentTimer);
  state.appointments = [];
  state.hours = null;
  if (state.socket) state.socket.close();
  state.socket = null;
  endCall();
  $('me').hidden = true;
  hideOffer();
  banner(null);
  setView('sign-in');
  if (message) showError($('sign-in-error'), message);
}

async function api(path) {
  const response = await fetch('/api/v1' + path, { headers: { Authorization: 'Bearer ' + session.accessToken } });
  if (!response.ok) throw new Error(path + ': ' + response.status);
  return response.json();
}

/** A change through the API; a refused one throws the problem (code, errors) for sentenceFor. */
async function apiSend(method, path, body) {
  const response = await fetch('/api/v1' + path, {
    method, headers: { Authorization: 'Bearer ' + session.accessToken, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw Object.assign(new Error(path + ': ' + response.status), { problem: answer });
  return answer;
}

// ---- The console socket: queue, presence, offers ----------------------------------------------

function start() {
  const user = session.user;
  $('who').textContent = user.displayName || user.email;
  $('me').hidden = false;
  if (!$('languages').value) $('languages').value = localStorage.getItem('videoshop-console:languages') || browserLanguages().join(', ');
  api('/tenants/' + user.tenantId).then((tenant) => {
    state.tenant = tenant;
    $('tenant-name').textContent = tenant.name;
    if (!state.hours || !state.hours.timeZone) $('hours-zone').placeholder = 'the shop\'s: ' + tenant.settings.timeZone;
  }).catch(() => {});
  loadHours().then(loadAppointments);
  clearInterval(state.appointmentTimer);
  state.appointmentTimer = setInterval(() => { if (session.current) loadAppointments(); }, 60000);
  if (state.room && Date.now() - state.room.savedAt < 30 * 60 * 1000) {
    startCall(state.room);
  } else {
    forgetRoom();
    setView('desk');
  }
  connect();
}

async function connect() {
  if (session.expiresWithin(30000)) {
    try { await session.refresh(); } catch (e) { if (!session.current) return; }
  }
  // Each (re)connect trades the access token for a one-time ticket: no token in the socket's URL.
  const socket = new Socket(async () => {
    let ticket;
    try {
      ticket = await socketTicket(base, '/api/v1/auth/socket-ticket', {}, { Authorization: 'Bearer ' + session.accessToken });
    } catch (e) {
      if (e.status !== 401) throw e;
      await session.refresh(); // the access token expired or was revoked: a fresh one, or signed out
      ticket = await socketTicket(base, '/api/v1/auth/socket-ticket', {}, { Authorization: 'Bearer ' + session.accessToken });
    }
    return socketBase(base) + '/ws/agent?ticket=' + encodeURIComponent(ticket);
  }, {
    burst: 24,
    perSecond: 8,
    onOpen: () => banner(null),
    onMessage: onConsoleMessage,
    onDown: async (how) => {
      if (state.socket !== socket || !session.current) return;
      banner('The connection to the queue dropped. Reconnecting\u2026');
      socket.reconnectLater();
    },
  });
  state.socket = socket;
  socket.connect();
}

function send(message) {
  if (state.socket) state.socket.send(message);
}

function onConsoleMessage(msg) {
  switch (msg.type) {
    case 'queue':
      state.queue = msg;
      state.queueReceivedAt = Date.now();
      state.serverOffsetMs = Date.parse(msg.at) - Date.now();
      fillInName(msg.tickets);
      renderQueue();
      break;
    case 'reservation':
      showOffer(msg);
      break;
    case 'reservation-ended':
      if (state.offer && state.offer.reservationId === msg.reservationId) {
        const name = shopperName(state.offer.ticket);
        hideOffer();
        banner(offerEndedSentence(msg.reason, name));
      }
      break;
    case 'assigned':
      hideOffer();
      if (state.call) endCall(); // taken during the last call's wrap-up: that room is done with
      state.room = { roomId: msg.roomId, roomToken: msg.roomToken, ticket: state.offerTicket || null, savedAt: Date.now() };
      sessionStorage.setItem(ROOM, JSON.stringify(state.room));
      startCall(state.room);
      break;
    case 'ok':
      if (msg.request === 'presence') banner(null);
      break;
    case 'error':
      if (msg.code === 'agent_not_busy') break; // the call was already finished for us
      if (msg.code === 'unknown_reservation' || msg.code === 'not_your_reservation') hideOffer();
      if (msg.code === 'unavailable') banner('The queue is moving to another server. Reconnecting\u2026');
      else if (msg.field === 'languages' || msg.code === 'invalid_presence') banner(sentenceFor({ code: 'invalid_presence' }));
      else banner(sentenceFor(msg));
      break;
    case 'reconnect':
      banner('The server asked us to reconnect. Reconnecting\u2026');
      break;
    case 'appointment-soon':
      appointmentSoon(msg);
      break;
    default:
      break;
  }
}

document.querySelectorAll('.presence-option').forEach((button) => {
  button.addEventListener('click', () => setPresence(button.dataset.presence));
});

function setPresence(presence) {
  const languages = $('languages').value.split(/[\s,;]+/).map((tag) => tag.trim().toLowerCase()).filter(Boolean);
  localStorage.setItem('videoshop-console:languages', languages.join(', '));
  send({ type: 'presence', presence, languages });
}

$('languages').addEventListener('change', () => {
  // New languages apply at once when available; otherwise with the next status change.
  if (state.presence === 'available' || state.presence === 'away') setPresence(state.presence);
});

function renderQueue() {
  const queue = state.queue;
  if (!queue) return;
  const me = session.user.id;
  const mine = queue.agents.find((agent) => agent.agentId === me);
  state.presence = mine ? mine.presence : 'offline';
  for (const button of document.querySelectorAll('.presence-option')) {
    button.setAttribute('aria-checked', String(button.dataset.presence === state.presence));
    button.disabled = state.presence === 'busy';
  }
  $('presence-text').textContent = {
    available: 'You are available: the next suitable shopper is offered to you.',
    away: 'You are away: no shoppers are offered to you.',
    offline: 'You are offline.',
    busy: 'You are in a call.',
  }[state.presence] || '';

  $('queue-open').textContent = queue.open ? 'Open' : 'Closed';
  $('queue-open').classList.toggle('closed', !queue.open);
  const rows = $('queue-rows');
  rows.replaceChildren();
  const elapsed = (Date.now() - state.queueReceivedAt) / 1000;
  for (const ticket of queue.tickets) {
    const reserved = ticket.reservedFor
      ? h('span', { class: 'tag' + (ticket.reservedFor === me ? ' mine' : '') }, ticket.reservedFor === me ? 'Offered to you' : 'Offered to a colleague')
      : !ticket.connected ? h('span', { class: 'tag away' }, 'Reconnecting') : null;
    const link = safeUrl(ticket.productUrl);
    rows.append(h('tr', { 'data-ticket': ticket.ticketId },
      h('td', {}, ticket.position),
      h('td', {}, shopperName(ticket)),
      h('td', {}, ticket.productInterest || '', link ? h('div', {}, h('a', { href: link, target: '_blank', rel: 'noopener noreferrer' }, 'their page')) : null),
      h('td', {}, ticket.language || '\u2013'),
      h('td', { class: 'waiting' }, formatClock(ticket.waitingSeconds + elapsed)),
      h('td', {}, reserved)));
  }
  $('queue').hidden = queue.tickets.length === 0;
  $('queue-empty').hidden = queue.tickets.length > 0;
  $('queue-empty').textContent = queue.open ? 'Nobody is waiting right now.' : 'The queue is closed: shoppers cannot join right now.';

  const agents = $('agents');
  agents.replaceChildren();
  for (const agent of queue.agents) {
    const label = agent.agentId === me ? 'You' : 'Colleague \u00b7 ' + agent.agentId.slice(0, 4);
    agents.append(h('li', {}, h('span', {}, h('span', { class: 'dot ' + agent.presence }), label),
      h('span', { class: 'muted' }, agent.connected ? presenceWord(agent.presence) : 'reconnecting')));
  }
  if (!queue.agents.length) agents.append(h('li', { class: 'muted' }, 'No agent has set a status yet.'));
}

/** An offer can come before the queue has decrypted the shopper's name; a later `queue` has it. */
function fillInName(tickets) {
  const offered = state.offerTicket;
  if (!offered || offered.name) return;
  const named = tickets.find((ticket) => ticket.ticketId === offered.ticketId && ticket.name);
  if (!named) return;
  offered.name = named.name;
  if (state.offer) $('offer-name').textContent = named.name;
}

function presenceWord(presence) {
  return { available: 'available', away: 'away', offline: 'offline', busy: 'in a call' }[presence] || presence;
}

function showOffer(offer) {
  state.offer = offer;
  state.offerTicket = offer.ticket;
  const ticket = offer.ticket;
  $('offer-name').textContent = shopperName(ticket);
  $('offer-details').textContent = [
    ticket.productInterest ? 'Looking for: ' + ticket.productInterest : null,
    ticket.language ? 'Language: ' + ticket.language : null,
    'waiting ' + formatDuration(ticket.waitingSeconds),
  ].filter(Boolean).join(' \u00b7 ');
  $('accept').disabled = false;
  $('reject').disabled = false;
  $('offer').hidden = false;
  state.offerTotalMs = Math.max(1000, Date.parse(offer.expiresAt) - (Date.now() + state.serverOffsetMs));
  document.title = 'New shopper \u00b7 VideoShop';
  tick();
}

function hideOffer() {
  state.offer = null;
  $('offer').hidden = true;
  document.title = 'VideoShop \u00b7 Agent console';
}

$('accept').addEventListener('click', () => {
  if (!state.offer) return;
  $('accept').disabled = true;
  $('reject').disabled = true;
  send({ type: 'accept', reservationId: state.offer.reservationId });
});

$('reject').addEventListener('click', () => {
  if (!state.offer) return;
  $('accept').disabled = true;
  $('reject').disabled = true;
  send({ type: 'reject', reservationId: state.offer.reservationId });
});

function offerEndedSentence(reason, name) {
  switch (reason) {
    case 'expired': return 'The offer of ' + name + ' expired, so you are now away. Set yourself available to get the next shopper.';
    case 'rejected': return 'You passed on ' + name + '. You are now away; set yourself available when you are ready.';
    case 'ticket_left': return name + ' left the queue.';
    case 'shopper_disconnected': return name + '\u2019s connection dropped, so the offer was withdrawn.';
    case 'agent_unavailable': return 'The offer of ' + name + ' was withdrawn because you are no longer available.';
    case 'agent_disconnected': return 'The offer of ' + name + ' was withdrawn because your connection dropped.';
    default: return 'The offer of ' + name + ' ended.';
  }
}

function shopperName(ticket) {
  return (ticket && ticket.name) || 'A shopper';
}

// ---- The call -----------------------------------------------------------------------------------

async function startCall(room) {
  setView('call');
  $('call').classList.remove('ended');
  const ticket = room.ticket || {};
  $('shopper-name').textContent = shopperName(ticket);
  $('shopper-details').textContent = [
    ticket.productInterest ? 'Looking for: ' + ticket.productInterest : null,
    ticket.language ? 'Language: ' + ticket.language : null,
  ].filter(Boolean).join(' \u00b7 ');
  $('product-card').hidden = false;
  $('wrap-up-card').hidden = true;
  $('hang-up').disabled = false;
  $('call-note').hidden = true;
  state.callStartedAt = null;
  renderShown([]);
  $('carted').replaceChildren();
  $('carted-empty').hidden = false;
  renderRecent();
  status('Connecting\u2026');
  const media = await openCameraAndMicrophone();
  state.localStream = media.stream;
  $('local-video').srcObject = media.stream;
  $('local-video').hidden = !media.stream || media.stream.getVideoTracks().length === 0;
  if (media.problem) {
    note(media.problem === 'no-camera' ? 'Your camera is not available: the shopper hears you but does not see you.'
      : 'Your camera and microphone are not available. Allow them in the browser and reload the page to be seen and heard.');
  }
  state.call = new Call({ base, roomToken: room.roomToken, role: 'agent', localStream: media.stream, onEvent: onCallEvent });
  state.call.start();
}

function onCallEvent(type, msg) {
  switch (type) {
    case 'room':
      renderShown(msg.products || []);
      if (msg.state === 'ended') showWrapUp(null);
      else if (!msg.peerConnected) status('Waiting for the shopper to join\u2026');
      break;
    case 'peer-joined':
      status('The shopper is joining\u2026');
      break;
    case 'call-started':
      state.callStartedAt = Date.now();
      break;
    case 'remote-stream':
      $('remote-video').srcObject = msg.stream;
      break;
    case 'connection': {
      const words = connectionSentence(msg.state);
      if (words) status(words);
      else $('call-status').hidden = true;
      break;
    }
    case 'peer-left':
      status('The shopper\u2019s connection dropped. Waiting ' + (msg.graceSeconds || 30) + ' s for them to come back\u2026');
      break;
    case 'socket':
      if (!msg.up && msg.everOpened) status('Reconnecting to the call\u2026');
      break;
    case 'product':
      addShown(msg);
      if (state.sharing === msg.sku) {
        // The room shows what it took to both sides: that is the confirmation.
        state.sharing = null;
        $('product-form').reset();
        $('share-product').disabled = false;
      }
      break;
    case 'added-to-cart':
      addedToCart(msg.sku);
      break;
    case 'ok':
      if (msg.request === 'wrap-up') {
        finishCall();
      }
      break;
    case 'error':
      if ($('wrap-up-card').hidden === false) {
        if (msg.code === 'already_given') return finishCall();
        showError($('wrap-up-error'), sentenceFor(msg));
        $('save-wrap-up').disabled = false;
      } else if (msg.code !== 'invalid_signal' && msg.code !== 'not_in_room') {
        state.sharing = null;
        $('share-product').disabled = false;
        showError($('product-error'), sentenceFor(msg));
      }
      break;
    case 'low-balance':
      note(msg.exhausted
        ? 'Your store\u2019s prepaid balance is used up: the call ends in ' + formatDuration(msg.graceSeconds) + ' unless it is topped up.'
        : 'Your store\u2019s prepaid balance is running low.');
      break;
    case 'call-ended':
      showWrapUp(msg);
      break;
    case 'lost':
      if (msg.replaced) {
        endCall(); // the other tab has the call: the queue must not hear it is over
        setView('desk');
      } else {
        finishCall();
      }
      banner(msg.replaced ? 'This call goes on in another tab or window.'
        : msg.neverJoined ? 'The call could not be joined: the room is no longer open.'
        : 'The connection to the call was lost.');
      break;
    default:
      break;
  }
}

function status(text) {
  $('call-status').textContent = text;
  $('call-status').hidden = false;
}

function note(text) {
  $('call-note').textContent = text;
  $('call-note').hidden = false;
}

$('hang-up').addEventListener('click', () => {
  if (!state.call) return;
  $('hang-up').disabled = true;
  state.call.hangUp();
  status('Ending the call\u2026');
});

$('mute').addEventListener('click', () => toggleTrack('audio', $('mute')));
$('camera-off').addEventListener('click', () => toggleTrack('video', $('camera-off')));

function toggleTrack(kind, button) {
  const enabled = toggleTracks(state.localStream, kind);
  if (enabled !== null) button.setAttribute('aria-pressed', String(!enabled));
}

$('product-form').addEventListener('submit', (event) => {
  event.preventDefault();
  $('product-error').hidden = true;
  const product = {
    sku: $('product-sku').value.trim(),
    title: $('product-title').value.trim(),
    price: $('product-price').value.trim() || null,
    imageUrl: $('product-image').value.trim() || null,
    productUrl: $('product-url').value.trim() || null,
  };
  if (!product.sku) return showError($('product-error'), sentenceFor({ code: 'invalid_field', field: 'sku' }));
  if (!product.title) return showError($('product-error'), sentenceFor({ code: 'invalid_field', field: 'title' }));
  for (const field of ['imageUrl', 'productUrl']) {
    if (product[field] && !safeUrl(product[field])) return showError($('product-error'), sentenceFor({ code: 'invalid_field', field }));
  }
  if (!state.call) return;
  $('share-product').disabled = true;
  state.sharing = product.sku;
  state.call.send(Object.assign({ type: 'product' }, product));
  remember(product);
});

function renderShown(products) {
  $('shown').replaceChildren();
  $('shown-empty').hidden = products.length > 0;
  products.forEach(addShown);
}

function addShown(product) {
  const list = $('shown');
  list.querySelectorAll('li').forEach((item) => { if (item.dataset.sku === product.sku) item.remove(); });
  const image = safeUrl(product.imageUrl);
  list.prepend(h('li', { 'data-sku': product.sku },
    image ? h('img', { src: image, alt: '' }) : null,
    h('span', {}, h('strong', {}, product.title || product.sku), ' ', h('span', { class: 'muted' }, product.sku + (product.price ? ' \u00b7 ' + product.price : '')))));
  $('shown-empty').hidden = true;
}

function addedToCart(sku) {
  const shown = document.querySelector('#shown li[data-sku="' + CSS.escape(sku) + '"] strong');
  const what = shown ? shown.textContent + ' (' + sku + ')' : sku;
  $('carted').prepend(h('li', { 'data-sku': sku }, '\u2713 ' + what));
  $('carted-empty').hidden = true;
  toast(shopperName(state.room && state.room.ticket) + ' added ' + what + ' to the cart.');
}

/** Products this agent showed lately, one click to show again (kept in this browser only). */
function remember(product) {
  const recent = (read(localStorage, RECENT) || []).filter((other) => other.sku !== product.sku);
  recent.unshift(product);
  localStorage.setItem(RECENT, JSON.stringify(recent.slice(0, 8)));
}

function renderRecent() {
  const recent = read(localStorage, RECENT) || [];
  const chips = $('recent-products');
  chips.replaceChildren(...recent.map((product) => h('button', {
    type: 'button', class: 'chip', title: 'Fill in ' + product.title,
    onclick: () => {
      $('product-sku').value = product.sku || '';
      $('product-title').value = product.title || '';
      $('product-price').value = product.price || '';
      $('product-image').value = product.imageUrl || '';
      $('product-url').value = product.productUrl || '';
    },
  }, product.title || product.sku)));
  chips.hidden = recent.length === 0;
}

function showWrapUp(ended) {
  $('call').classList.add('ended');
  stopStream(state.localStream);
  state.localStream = null;
  $('remote-video').srcObject = null;
  $('local-video').srcObject = null;
  state.callStartedAt = null;
  status('The call has ended.');
  $('product-card').hidden = true;
  $('wrap-up-card').hidden = false;
  $('wrap-up-error').hidden = true;
  $('save-wrap-up').disabled = false;
  $('ended-text').textContent = describeEnd(ended, 'agent');
  state.view = 'wrap-up';
}

$('wrap-up-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const chosen = document.querySelector('input[name="outcome"]:checked');
  if (!chosen) return showError($('wrap-up-error'), sentenceFor({ code: 'invalid_field', field: 'outcome' }));
  if (!state.call) return finishCall();
  $('save-wrap-up').disabled = true;
  state.call.send({ type: 'wrap-up', outcome: chosen.value, note: $('wrap-up-note').value.trim() || null });
});

$('skip-wrap-up').addEventListener('click', () => finishCall());

/** After the wrap-up: leave the room and tell the queue this agent can take the next shopper. */
function finishCall() {
  endCall();
  $('wrap-up-form').reset();
  send({ type: 'finish-call' });
  setView('desk');
}

function endCall() {
  if (state.call) state.call.close();
  state.call = null;
  stopStream(state.localStream);
  state.localStream = null;
  forgetRoom();
}

function forgetRoom() {
  state.room = null;
  sessionStorage.removeItem(ROOM);
}

// ---- Small pieces -------------------------------------------------------------------------------

// ---- Appointments and working hours (docs/scheduling.md) --------------------------------------

const DAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const DAY_NAMES = { monday: 'Monday', tuesday: 'Tuesday', wednesday: 'Wednesday', thursday: 'Thursday', friday: 'Friday', saturday: 'Saturday', sunday: 'Sunday' };
const APPOINTMENT_DAYS = 7;
/** How today's appointments that are over turned out, as the agent reads it (docs/scheduling.md). */
const OUTCOMES = {
  attended: 'Attended',
  no_show: 'No-show: the shopper did not come',
  missed: 'Missed: the shopper came but got no call',
};

/** The zone the agent's times are shown in: their working hours' zone, else this device's. */
function agentZone() {
  const zone = state.hours && state.hours.timeZone;
  return zone || Intl.DateTimeFormat().resolvedOptions().timeZone;
}

function inZone(iso, options) {
  try {
    return new Intl.DateTimeFormat(undefined, { ...options, timeZone: agentZone() }).format(new Date(iso));
  } catch (e) {
    return new Intl.DateTimeFormat(undefined, options).format(new Date(iso));
  }
}

function dayKey(iso) {
  return inZone(iso, { year: 'numeric', month: '2-digit', day: '2-digit' });
}

async function loadAppointments() {
  const user = session.current && session.user;
  if (!user) return;
  const now = new Date(Date.now() + state.serverOffsetMs);
  const from = new Date(now.getTime() - 86400000); // today's that are over too, with their outcome
  const to = new Date(now.getTime() + APPOINTMENT_DAYS * 86400000);
  try {
    // An agent sees their own bookings only: the server picks them.
    const page = await api('/tenants/' + user.tenantId + '/bookings?from=' + encodeURIComponent(from.toISOString())
      + '&to=' + encodeURIComponent(to.toISOString()) + '&limit=200');
    const today = dayKey(now.toISOString());
    state.appointments = (page.items || []).filter((booking) => booking.status === 'booked'
      ? Date.parse(booking.end) > now.getTime() : OUTCOMES[booking.status] && dayKey(booking.start) === today);
    $('appointments-error').hidden = true;
  } catch (e) {
    showError($('appointments-error'), 'Your appointments could not be loaded. They are tried again in a minute.');
  }
  renderAppointments();
}

function renderAppointments() {
  const list = $('appointments');
  list.replaceChildren();
  $('appointments-zone').textContent = 'Times in ' + agentZone();
  const now = Date.now() + state.serverOffsetMs;
  const today = dayKey(new Date(now).toISOString());
  const tomorrow = dayKey(new Date(now + 86400000).toISOString());
  let day = null;
  let ul = null;
  for (const booking of state.appointments) {
    const key = dayKey(booking.start);
    if (key !== day) {
      day = key;
      const label = key === today ? 'Today' : key === tomorrow ? 'Tomorrow' : inZone(booking.start, { weekday: 'long', day: 'numeric', month: 'long' });
      ul = h('ul', { class: 'appointments', 'aria-label': label });
      list.append(h('h3', { class: 'appointment-day' }, label), ul);
    }
    const soon = booking.status === 'booked' && Date.parse(booking.start) - now < 15 * 60000;
    const outcome = OUTCOMES[booking.status];
    const time = inZone(booking.start, { hour: '2-digit', minute: '2-digit' }) + '\u2013' + inZone(booking.end, { hour: '2-digit', minute: '2-digit' });
    const shopperZone = booking.shopperTimeZone && booking.shopperTimeZone !== agentZone() ? 'their time zone: ' + booking.shopperTimeZone : null;
    ul.append(h('li', { class: soon ? 'soon' : null, 'data-booking': booking.bookingId },
      h('span', { class: 'time' }, time),
      h('span', {}, h('strong', {}, booking.name || 'A shopper'),
        booking.productInterest ? h('span', { class: 'muted' }, ' \u00b7 ' + booking.productInterest) : null,
        shopperZone ? h('div', { class: 'muted small' }, shopperZone) : null,
        outcome ? h('div', { class: 'muted small outcome', 'data-status': booking.status }, outcome) : null)));
  }
  $('appointments-empty').hidden = state.appointments.length > 0;
}

/** The console's notice before an appointment (the push is its twin when the tab is hidden). */
async function appointmentSoon(notice) {
  if (!state.appointments.some((booking) => booking.bookingId === notice.bookingId)) await loadAppointments();
  const booking = state.appointments.find((b) => b.bookingId === notice.bookingId);
  const who = booking && booking.name ? booking.name : 'a booked shopper';
  const text = 'Your appointment with ' + who + ' starts at ' + inZone(notice.startsAt, { hour: '2-digit', minute: '2-digit' }) + '.';
  $('appointment-soon').textContent = text;
  $('appointment-soon').hidden = false;
  toast(text);
  renderAppointments();
}

async function loadHours() {
  const user = session.current && session.user;
  if (!user) return;
  try {
    const view = await api('/tenants/' + user.tenantId + '/agents/' + user.id + '/working-hours');
    state.hours = view.hours;
    $('hours-error').hidden = true;
  } catch (e) {
    state.hours = null;
    showError($('hours-error'), 'Your working hours could not be loaded.');
  }
  renderHours();
}

function renderHours() {
  const hours = state.hours || { takesBookings: false, hours: null, timeZone: null, daysOff: [] };
  $('hours-takes-bookings').checked = !!hours.takesBookings;
  $('hours-mode-shop').checked = !hours.hours;
  $('hours-mode-own').checked = !!hours.hours;
  $('hours-zone').value = hours.timeZone || '';
  $('hours-days-off').value = (hours.daysOff || []).join(', ');
  const weekly = (hours.hours && hours.hours.weekly) || {};
  const rows = $('hours-rows');
  rows.replaceChildren();
  let more = !!(hours.hours && hours.hours.exceptions && hours.hours.exceptions.length);
  for (const day of DAYS) {
    const windows = weekly[day] || [];
    if (windows.length > 1) more = true;
    const first = windows[0] || null;
    const works = h('input', { type: 'checkbox', id: 'hours-' + day + '-works', 'aria-label': DAY_NAMES[day] + ': works' });
    works.checked = !!first || (!hours.hours && DAYS.indexOf(day) < 5);
    const from = h('input', { type: 'time', id: 'hours-' + day + '-from', value: first ? first.from : '09:00', 'aria-label': DAY_NAMES[day] + ' from' });
    const to = h('input', { type: 'time', id: 'hours-' + day + '-to', value: first ? first.to : '17:00', 'aria-label': DAY_NAMES[day] + ' to' });
    const sync = () => { from.disabled = !works.checked; to.disabled = !works.checked; };
    works.addEventListener('change', sync);
    sync();
    rows.append(h('tr', {}, h('th', { scope: 'row' }, DAY_NAMES[day]), h('td', {}, works), h('td', {}, from), h('td', {}, to)));
  }
  $('hours-note').textContent = more ? 'An admin gave you further windows or dated exceptions; they are kept when you save.' : '';
  $('hours-note').hidden = !more;
  renderHoursMode();
}

function renderHoursMode() {
  $('hours-days').hidden = !$('hours-mode-own').checked;
}

$('hours-mode-shop').addEventListener('change', renderHoursMode);
$('hours-mode-own').addEventListener('change', renderHoursMode);

/** The form as the API's WorkingHours: the first window of each day from the form, further ones kept. */
function hoursFromForm() {
  const before = state.hours && state.hours.hours;
  let own = null;
  if ($('hours-mode-own').checked) {
    const weekly = {};
    for (const day of DAYS) {
      const kept = before && before.weekly && before.weekly[day] ? before.weekly[day].slice(1) : [];
      const windows = $('hours-' + day + '-works').checked
        ? [{ from: $('hours-' + day + '-from').value, to: $('hours-' + day + '-to').value }, ...kept] : [];
      if (windows.length) weekly[day] = windows;
    }
    own = { weekly, exceptions: (before && before.exceptions) || [] };
  }
  const zone = $('hours-zone').value.trim();
  const daysOff = $('hours-days-off').value.split(/[\s,;]+/).map((d) => d.trim()).filter(Boolean);
  return { takesBookings: $('hours-takes-bookings').checked, hours: own, timeZone: zone || null, daysOff };
}

$('hours-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const user = session.user;
  const error = $('hours-error');
  error.hidden = true;
  $('hours-save').disabled = true;
  try {
    const view = await apiSend('PUT', '/tenants/' + user.tenantId + '/agents/' + user.id + '/working-hours', hoursFromForm());
    state.hours = view.hours;
    renderHours();
    renderAppointments();
    toast('Your working hours are saved.');
  } catch (e) {
    const problem = e.problem || {};
    const field = problem.errors && problem.errors[0] ? problem.errors[0].field : '';
    showError(error, field === 'timeZone' ? 'The time zone is not known. Use a name such as Europe/Berlin.'
      : field.startsWith('daysOff') ? 'Write days off as dates such as 2026-12-24, separated by commas.'
      : field.startsWith('hours') ? 'A day\'s hours are not valid: give each working day a start and an end.'
      : problem.code ? sentenceFor(problem) : 'Your hours could not be saved. Please try again.');
  } finally {
    $('hours-save').disabled = false;
  }
});

function setView(view) {
  state.view = view;
  $('sign-in').hidden = view !== 'sign-in';
  $('desk').hidden = view !== 'desk';
  $('call').hidden = view !== 'call';
  if (view === 'desk') renderQueue();
}

function banner(text) {
  $('banner').textContent = text || '';
  $('banner').hidden = !text;
}

function showError(element, text) {
  element.textContent = text;
  element.hidden = false;
}

let toastTimer = null;
function toast(text) {
  $('toast').textContent = text;
  $('toast').hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { $('toast').hidden = true; }, 5000);
}

function tick() {
  if (state.offer) {
    const leftMs = Date.parse(state.offer.expiresAt) - (Date.now() + state.serverOffsetMs);
    $('offer-seconds').textContent = String(Math.max(0, Math.ceil(leftMs / 1000)));
    $('offer-bar').style.width = Math.max(0, Math.min(100, (leftMs / state.offerTotalMs) * 100)) + '%';
  }
  if (state.view === 'desk' && state.queue) {
    const elapsed = (Date.now() - state.queueReceivedAt) / 1000;
    document.querySelectorAll('#queue-rows tr').forEach((row, index) => {
      const ticket = state.queue.tickets[index];
      if (ticket) row.querySelector('.waiting').textContent = formatClock(ticket.waitingSeconds + elapsed);
    });
  }
  if (state.callStartedAt) {
    $('call-clock').textContent = formatClock((Date.now() - state.callStartedAt) / 1000);
    $('call-clock').hidden = false;
  } else {
    $('call-clock').hidden = true;
  }
}
setInterval(tick, 1000);

function browserLanguages() {
  const tags = (navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || 'en'])
    .map((tag) => tag.split('-')[0].toLowerCase());
  return [...new Set(tags)];
}

function read(storage, name) {
  try { return JSON.parse(storage.getItem(name)); } catch (e) { return null; }
}

// Signed in already (a reload): carry on; else the sign-in form.
session.resume(60000).then((signedIn) => {
  if (signedIn) start();
  else setView('sign-in');
}, () => {});
