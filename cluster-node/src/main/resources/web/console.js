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
};

window.__videoshop = {
  role: 'agent',
  get view() { return state.view; },
  get pc() { return state.call ? state.call.pc : null; },
  get roomId() { return state.room ? state.room.roomId : null; },
  get presence() { return state.presence; },
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

// ---- The console socket: queue, presence, offers ----------------------------------------------

function start() {
  const user = session.user;
  $('who').textContent = user.displayName || user.email;
  $('me').hidden = false;
  if (!$('languages').value) $('languages').value = localStorage.getItem('videoshop-console:languages') || browserLanguages().join(', ');
  api('/tenants/' + user.tenantId).then((tenant) => {
    state.tenant = tenant;
    $('tenant-name').textContent = tenant.name;
  }).catch(() => {});
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
