// VideoShop's browser client, shared by the shopper's widget (widget.js imports it) and the agent
// console (console.js). No framework, no build step. The protocol it speaks is docs/protocol.md.
//
//   Socket  one WebSocket with JSON messages, a send pace under the server's rate limit, and
//           reconnects with backoff (the server's `reconnect` message sets the delay)
//   Call    a call room: its socket, the RTCPeerConnection, signaling and the call's lifecycle
//   Session a signed-in person's tokens in this tab, renewed before they expire (console, admin)
//   text    readable sentences for the protocol's codes, durations, waits and opening times

import { TEXTS, textsFor } from './widget-texts.js';

const VERSION = 1;

/** ws(s)://host of an http(s) base URL such as the node's origin. */
export function socketBase(base) {
  return base.replace(/^http/, 'ws');
}

/**
 * A one-time ticket that opens a socket (docs/protocol.md): POSTed with the token in the body or
 * the `Authorization` header, never in a URL. Rejects with the HTTP status on a refusal.
 */
export async function socketTicket(base, path, body, headers = {}) {
  const response = await fetch(base + path, {
    method: 'POST',
    headers: Object.assign({ 'Content-Type': 'application/json' }, headers),
    body: JSON.stringify(body || {}),
  });
  if (!response.ok) {
    const error = new Error('no socket ticket: ' + response.status);
    error.status = response.status;
    throw error;
  }
  return (await response.json()).ticket;
}

/**
 * A signed-in person's tokens in this tab (sessionStorage under `storageKey`), shared by the console
 * and the admin app: {accessToken, refreshToken, expiresAt, user}. The access token is renewed a
 * minute before it expires (POST /api/v1/auth/refresh; the refresh token rotates each time), and
 * soon again after a failure (offline for a moment: the access token may still be good). A refused
 * refresh (revoked, expired, the user deactivated) ends the session and calls `onEnded(message)`.
 */
export class Session {
  static ENDED = 'Your session has ended. Please sign in again.';

  constructor(storageKey, { onEnded } = {}) {
    this.storageKey = storageKey;
    this.onEnded = onEnded || (() => {});
    this.timer = null;
    this.refreshing = null;
    try {
      this.current = JSON.parse(sessionStorage.getItem(storageKey));
    } catch (e) {
      this.current = null;
    }
  }

  get accessToken() {
    return this.current ? this.current.accessToken : null;
  }

  get user() {
    return this.current ? this.current.user : null;
  }

  /** Starts a session from a login's answer. */
  start(login) {
    this.current = { accessToken: login.accessToken, refreshToken: login.refreshToken, expiresAt: Date.now() + login.expiresIn * 1000, user: login.user };
    this.save();
    this.schedule();
  }

  /**
   * After a reload: carries on with the stored session (refreshed first when it expires within
   * `marginMs`). Resolves true when signed in, false when there is none; rejects when that
   * refresh failed (when it was refused, `onEnded` has been told).
   */
  resume(marginMs) {
    if (!this.current || !this.current.refreshToken) return Promise.resolve(false);
    if (this.expiresWithin(marginMs)) return this.refresh().then(() => true);
    this.schedule();
    return Promise.resolve(true);
  }

  expiresWithin(ms) {
    return !!this.current && this.current.expiresAt - Date.now() < ms;
  }

  /** Renews the tokens (one request at a time); rejects with `ended` set when the session is over. */
  refresh() {
    if (this.refreshing) return this.refreshing;
    this.refreshing = (async () => {
      try {
        const response = await fetch('/api/v1/auth/refresh', {
          method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ refreshToken: this.current.refreshToken }),
        });
        if (response.status === 401 || response.status === 400) {
          this.end();
          this.onEnded(Session.ENDED);
          throw Object.assign(new Error(Session.ENDED), { ended: true });
        }
        if (!response.ok) throw new Error('refresh failed: ' + response.status);
        const body = await response.json();
        Object.assign(this.current, { accessToken: body.accessToken, refreshToken: body.refreshToken, expiresAt: Date.now() + body.expiresIn * 1000 });
        if (body.user) this.current.user = body.user;
        this.save();
        this.schedule();
      } catch (e) {
        if (this.current) {
          clearTimeout(this.timer);
          this.timer = setTimeout(() => this.refresh().catch(() => {}), 15000);
        }
        throw e;
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  /** Forgets the session in this tab (no request). */
  end() {
    clearTimeout(this.timer);
    this.current = null;
    sessionStorage.removeItem(this.storageKey);
  }

  /** Signs out: forgets the session and revokes its refresh token (POST /api/v1/auth/logout). */
  signOut() {
    const refreshToken = this.current && this.current.refreshToken;
    this.end();
    if (refreshToken) {
      fetch('/api/v1/auth/logout', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ refreshToken }) })
        .catch(() => {});
    }
  }

  save() {
    sessionStorage.setItem(this.storageKey, JSON.stringify(this.current));
  }

  schedule() {
    clearTimeout(this.timer);
    const inMs = Math.max(5000, this.current.expiresAt - Date.now() - 60000);
    this.timer = setTimeout(() => this.refresh().catch(() => {}), inMs);
  }
}

/**
 * A WebSocket that reconnects. Messages are sent at most `burst` at once and `perSecond` after
 * that (queued meanwhile), a little under the server's limits, so the client is never refused for
 * flooding. `onOpen(reopened)`, `onMessage(msg)`, `onDown({everOpened, opened, replaced})` report
 * what happens; the owner calls `reconnectLater()` when it wants the socket back. `url` is a
 * string or a function giving a promise of one, asked before every connect: tokens never go in a
 * socket URL (proxies log URLs), so each connect trades the token for a one-time ticket.
 */
export class Socket {
  constructor(url, { onOpen, onMessage, onDown, burst = 15, perSecond = 4, maxDelayMs = 10000 } = {}) {
    this.url = url;
    this.onOpen = onOpen || (() => {});
    this.onMessage = onMessage || (() => {});
    this.onDown = onDown || (() => {});
    this.burst = burst;
    this.perSecond = perSecond;
    this.maxDelayMs = maxDelayMs;
    this.tokens = burst;
    this.refilledAt = Date.now();
    this.outbox = [];
    this.attempt = 0;
    this.everOpened = false;
    this.stopped = false;
    this.nextDelayMs = null;
    this.ws = null;
    this.timer = null;
  }

  get open() {
    return !!this.ws && this.ws.readyState === WebSocket.OPEN;
  }

  connect() {
    this.stopped = false;
    clearTimeout(this.timer);
    if (typeof this.url !== 'function') {
      this.open_(this.url);
      return;
    }
    Promise.resolve().then(() => this.url()).then(
      (url) => { if (!this.stopped) this.open_(url); },
      () => { if (!this.stopped) this.onDown({ everOpened: this.everOpened, opened: false, replaced: false }); });
  }

  open_(url) {
    const ws = new WebSocket(url);
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      const reopened = this.everOpened;
      this.everOpened = true;
      this.attempt = 0;
      this.onOpen(reopened);
      this.flush();
    };
    ws.onmessage = (event) => {
      let msg;
      try {
        msg = JSON.parse(event.data);
      } catch (e) {
        return;
      }
      if (msg.type === 'reconnect') {
        // `replaced`: the same participant opened this elsewhere (another tab); that one carries on.
        if (msg.reason === 'replaced') this.replaced = true;
        else if (typeof msg.afterMillis === 'number') this.nextDelayMs = msg.afterMillis;
      }
      this.onMessage(msg);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped) return;
      this.onDown({ everOpened: this.everOpened, opened, replaced: !!this.replaced });
    };
  }

  /** Reconnects after the server's requested delay, or 1 s, 2 s, 4 s, ... up to the maximum. */
  reconnectLater() {
    if (this.stopped) return;
    const delay = this.nextDelayMs != null ? this.nextDelayMs
      : Math.min(this.maxDelayMs, 1000 * Math.pow(2, this.attempt));
    this.nextDelayMs = null;
    this.attempt++;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  send(message) {
    this.outbox.push(JSON.stringify(Object.assign({ v: VERSION }, message)));
    this.flush();
  }

  flush() {
    clearTimeout(this.paceTimer);
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.perSecond);
    this.refilledAt = now;
    while (this.outbox.length && this.open && this.tokens >= 1) {
      this.ws.send(this.outbox.shift());
      this.tokens -= 1;
    }
    if (this.outbox.length && this.open) {
      this.paceTimer = setTimeout(() => this.flush(), Math.ceil(1000 / this.perSecond));
    }
  }

  /** Drops anything not sent yet (e.g. a `resume` written for a socket that died). */
  clearOutbox() {
    this.outbox = [];
  }

  close() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.paceTimer);
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      // Let queued frames (a last feedback, a hang-up) leave before the close frame.
      ws.close(1000);
    }
  }
}

/**
 * One participant's side of a call room (docs/protocol.md, "Call room"). The agent makes the
 * WebRTC offer once the call starts; the shopper answers. When the other side comes back after a
 * drop (or this side rejoins), both make a fresh RTCPeerConnection and the agent offers again: a
 * reloaded page has lost its connection anyway, and a fresh pair never trips over a changed DTLS
 * fingerprint.
 *
 * The agent drives: it negotiates (a fresh connection and an offer) at most once for a burst of
 * room events (a rejoin brings `room`, `peer-joined` and `call-started` close together), and
 * negotiates again when the connection fails or is not up 8 s after an offer. That also heals
 * what no event reports: an offer or answer lost while the room restarted, or an answer to an
 * older offer applied to a newer connection (answers carry nothing to match them to offers).
 *
 * `onEvent(type, detail)` reports: every room message by its type, plus `connection` (the peer
 * connection's state), `remote-stream`, `socket` ({up, everOpened}) and `lost` ({neverJoined,
 * replaced}: the room cannot be reached, or the call went on in another tab).
 */
export class Call {
  constructor({ base, roomToken, role, localStream, onEvent }) {
    this.role = role;
    this.localStream = localStream || null;
    this.onEvent = onEvent || (() => {});
    this.pc = null;
    this.iceServers = [];
    this.started = false;
    this.ended = false;
    this.pendingCandidates = [];
    this.earlyOffer = null;
    this.joined = false; // the current socket got its `room` message: the room takes requests
    this.unsent = [];
    this.statsSentFor = null;
    this.deviceSent = false;
    this.lostTimer = null;
    this.chain = Promise.resolve();
    this.socket = new Socket(() => socketTicket(base, '/api/v1/rooms/socket-ticket', { roomToken })
      .then((ticket) => socketBase(base) + '/ws/room?ticket=' + encodeURIComponent(ticket)), {
      burst: 40,
      perSecond: 12,
      maxDelayMs: 4000,
      onOpen: () => {
        clearTimeout(this.lostTimer);
        this.lostTimer = null;
        this.onEvent('socket', { up: true });
      },
      // One message at a time: an offer must be answered before the candidates after it are added.
      onMessage: (msg) => {
        this.chain = this.chain.then(() => this.handle(msg)).catch((e) => console.warn('[VideoShop] call:', e));
      },
      onDown: (how) => {
        this.joined = false;
        if (this.ended) return;
        if (how.replaced) {
          this.close();
          this.onEvent('lost', { replaced: true });
          return;
        }
        if (this.refused || (!how.everOpened && this.socket.attempt >= 2)) {
          // Refused three times before ever getting in: the room token is no good (expired, or
          // the room is gone). Nothing to wait for.
          this.socket.close();
          this.onEvent('lost', { neverJoined: true });
          return;
        }
        this.onEvent('socket', { up: false, everOpened: how.everOpened });
        // The room keeps a place for 30 s: try to come back within it, then give up.
        if (!this.lostTimer) {
          this.lostTimer = setTimeout(() => {
            this.socket.close();
            this.onEvent('lost', { neverJoined: !this.socket.everOpened });
          }, 35000);
        }
        this.socket.reconnectLater();
      },
    });
  }

  start() {
    this.socket.connect();
  }

  /** Sent once the room has taken this participant in (before that, the room would refuse it). */
  send(message) {
    if (this.joined) this.socket.send(message);
    else this.unsent.push(message);
  }

  hangUp() {
    this.send({ type: 'hang-up' });
  }

  /** Leaves the room for good: closes the connection and the socket (the camera is the caller's). */
  close() {
    this.ended = true;
    clearTimeout(this.lostTimer);
    clearTimeout(this.negotiation);
    clearTimeout(this.watchdog);
    this.closePeer();
    this.socket.close();
  }

  async handle(msg) {
    trace('room message', msg.type, msg.type === 'signal' ? msg.kind : msg.state || msg.reason || '');
    switch (msg.type) {
      case 'room':
        this.iceServers = msg.iceServers || [];
        this.joined = true;
        // Signaling written for a connection before this (re)join is of no use any more.
        this.unsent.filter((m) => m.type !== 'signal').forEach((m) => this.socket.send(m));
        this.unsent = [];
        if (!this.deviceSent) {
          this.deviceSent = true;
          const connection = navigator.connection && navigator.connection.effectiveType;
          this.send({ type: 'device', connectionType: connection || null, platform: navigator.platform || null });
        }
        if (msg.state === 'ended') {
          this.ended = true;
          this.closePeer();
          break;
        }
        this.started = msg.state === 'in-call';
        this.peerAway = !msg.peerConnected;
        // (Re)joining: a fresh connection; the agent offers when the shopper is there already.
        this.newPeer();
        if (this.role === 'agent' && this.started && msg.peerConnected) this.negotiate();
        if (this.earlyOffer) {
          // The agent's offer overtook this side's `room` message.
          const offer = this.earlyOffer;
          this.earlyOffer = null;
          await this.onSignal(offer);
        }
        break;
      case 'call-started':
        this.started = true;
        this.peerAway = false;
        if (this.role === 'agent') this.negotiate();
        break;
      case 'peer-left':
        this.peerAway = true;
        clearTimeout(this.watchdog);
        break;
      case 'peer-joined':
        // During a call this is the shopper coming back (the first join comes before
        // `call-started`), perhaps on a new socket the room saw before it saw the old one go, so
        // without a `peer-left`: a fresh connection and a new offer. (A shopper whose agent came
        // back gets that agent's new offer and starts afresh on it: see onSignal.)
        this.peerAway = false;
        if (this.role === 'agent' && this.started) this.negotiate();
        break;
      case 'signal':
        await this.onSignal(msg);
        break;
      case 'call-ended':
        this.ended = true;
        this.closePeer();
        break;
      case 'error':
        // The room turned this token away (another call's, or the room is gone): do not retry.
        if (!this.joined && msg.code === 'not_in_this_room') this.refused = true;
        break;
      default:
        break;
    }
    this.onEvent(msg.type, msg);
  }

  newPeer() {
    // Candidates that came before any connection existed belong to the first one.
    const early = this.pc ? [] : this.pendingCandidates;
    this.closePeer();
    const pc = new RTCPeerConnection({ iceServers: this.iceServers });
    this.pc = pc;
    this.pendingCandidates = early;
    if (this.localStream) {
      for (const track of this.localStream.getTracks()) pc.addTrack(track, this.localStream);
    } else {
      // Without a camera this side still receives the other's video and sound.
      pc.addTransceiver('audio', { direction: 'recvonly' });
      pc.addTransceiver('video', { direction: 'recvonly' });
    }
    pc.onicecandidate = (event) => {
      if (pc !== this.pc || !event.candidate || !event.candidate.candidate) return;
      this.send({
        type: 'signal', kind: 'candidate', candidate: event.candidate.candidate,
        sdpMid: event.candidate.sdpMid, sdpMLineIndex: event.candidate.sdpMLineIndex,
      });
    };
    pc.ontrack = (event) => {
      if (pc !== this.pc) return;
      const stream = event.streams && event.streams[0] ? event.streams[0] : new MediaStream([event.track]);
      this.onEvent('remote-stream', { stream });
    };
    pc.onconnectionstatechange = () => {
      trace('connection', pc.connectionState, pc === this.pc ? '' : '(replaced)');
      if (pc !== this.pc) return;
      this.onEvent('connection', { state: pc.connectionState });
      if (pc.connectionState === 'connected') {
        clearTimeout(this.watchdog);
        this.reportStats(pc);
      }
      if (this.role === 'agent' && pc.connectionState === 'failed') this.negotiate();
      // A connection that drops may come back by itself: give it the watchdog's time.
      if (this.role === 'agent' && pc.connectionState === 'disconnected') this.watch();
    };
    this.onEvent('peer-connection', { pc });
  }

  /** Agent: a fresh connection and an offer, once for all the reasons given within 200 ms. */
  negotiate() {
    clearTimeout(this.negotiation);
    this.negotiation = setTimeout(() => {
      this.chain = this.chain.then(async () => {
        if (this.ended || this.peerAway || !this.joined) return;
        this.newPeer();
        await this.offer();
        this.watch();
      }).catch((e) => console.warn('[VideoShop] negotiation:', e));
    }, 200);
  }

  /** Agent: negotiate again if this connection is not up in 8 s. */
  watch() {
    clearTimeout(this.watchdog);
    const pc = this.pc;
    this.watchdog = setTimeout(() => {
      if (pc !== this.pc || this.ended || this.peerAway || (pc && pc.connectionState === 'connected')) return;
      trace('not connected 8 s after the offer: negotiating afresh');
      this.negotiate();
    }, 8000);
  }

  closePeer() {
    if (this.pc) {
      this.pc.onicecandidate = this.pc.ontrack = this.pc.onconnectionstatechange = null;
      this.pc.close();
      this.pc = null;
    }
  }

  async offer() {
    trace('offer');
    if (!this.pc || this.ended) return;
    const offer = await this.pc.createOffer();
    await this.pc.setLocalDescription(offer);
    this.send({ type: 'signal', kind: 'offer', sdp: this.pc.localDescription.sdp });
  }

  async onSignal(msg) {
    if (this.ended) return;
    if (!this.pc) {
      if (msg.kind === 'offer') this.earlyOffer = msg;
      else if (msg.kind === 'candidate' && msg.candidate) {
        this.pendingCandidates.push({ candidate: msg.candidate, sdpMid: msg.sdpMid, sdpMLineIndex: msg.sdpMLineIndex });
      }
      return;
    }
    const pc = this.pc;
    if (msg.kind === 'offer' && this.role === 'shopper') {
      if (pc.remoteDescription && fingerprint(pc.remoteDescription.sdp) !== fingerprint(msg.sdp)) {
        // Another connection of the agent's (the agent rejoined): start afresh. Same fingerprint:
        // an ICE restart of this connection, negotiated in place.
        this.newPeer();
        return this.onSignal(msg);
      }
      await pc.setRemoteDescription({ type: 'offer', sdp: msg.sdp });
      await this.addPendingCandidates(pc);
      const answer = await pc.createAnswer();
      await pc.setLocalDescription(answer);
      this.send({ type: 'signal', kind: 'answer', sdp: pc.localDescription.sdp });
    } else if (msg.kind === 'answer' && this.role === 'agent') {
      if (pc.signalingState !== 'have-local-offer') return;
      await pc.setRemoteDescription({ type: 'answer', sdp: msg.sdp });
      await this.addPendingCandidates(pc);
    } else if (msg.kind === 'candidate' && msg.candidate) {
      const candidate = { candidate: msg.candidate, sdpMid: msg.sdpMid, sdpMLineIndex: msg.sdpMLineIndex };
      if (pc.remoteDescription) await this.addCandidate(pc, candidate);
      else this.pendingCandidates.push(candidate);
    }
  }

  async addPendingCandidates(pc) {
    const pending = this.pendingCandidates;
    this.pendingCandidates = [];
    for (const candidate of pending) await this.addCandidate(pc, candidate);
  }

  async addCandidate(pc, candidate) {
    try {
      await pc.addIceCandidate(candidate);
    } catch (e) {
      // A candidate of a connection the other side has replaced since: harmless.
    }
  }

  /** Once per connection: the selected candidate pair's types, for the call's record. */
  async reportStats(pc) {
    if (this.statsSentFor === pc) return;
    this.statsSentFor = pc;
    try {
      const stats = await pc.getStats();
      let pair = null;
      stats.forEach((report) => {
        if (report.type === 'transport' && report.selectedCandidatePairId) pair = stats.get(report.selectedCandidatePairId);
      });
      if (!pair) {
        stats.forEach((report) => {
          if (report.type === 'candidate-pair' && (report.selected || report.nominated) && report.state === 'succeeded') pair = report;
        });
      }
      if (!pair) return;
      const local = stats.get(pair.localCandidateId);
      const remote = stats.get(pair.remoteCandidateId);
      if (!local || !remote || !local.candidateType || !remote.candidateType) return;
      this.send({
        type: 'stats',
        localCandidateType: local.candidateType,
        remoteCandidateType: remote.candidateType,
        roundTripMillis: typeof pair.currentRoundTripTime === 'number' ? Math.round(pair.currentRoundTripTime * 10000) / 10 : null,
      });
    } catch (e) {
      // Stats are a nicety; the call goes on without them.
    }
  }
}

/** What the call does, at the browser console's verbose level (for whoever debugs a call). */
function trace(...what) {
  console.debug('[VideoShop]', ...what);
}

function fingerprint(sdp) {
  const match = /a=fingerprint:[^\r\n]+/.exec(sdp || '');
  return match ? match[0] : '';
}

/** The camera and microphone, or null when the person refused or has none (the call goes on). */
export async function openCameraAndMicrophone() {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return { stream: null, problem: 'unsupported' };
  try {
    return { stream: await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 1280 }, height: { ideal: 720 } }, audio: true }) };
  } catch (e) {
    try {
      // No camera (or it is busy): sound alone is still a call.
      return { stream: await navigator.mediaDevices.getUserMedia({ audio: true }), problem: 'no-camera' };
    } catch (e2) {
      return { stream: null, problem: e && e.name === 'NotAllowedError' ? 'denied' : 'unavailable' };
    }
  }
}

export function stopStream(stream) {
  if (stream) stream.getTracks().forEach((track) => track.stop());
}

/** Mutes or unmutes the stream's `audio` or `video`; returns whether it is on now (null: none). */
export function toggleTracks(stream, kind) {
  const tracks = !stream ? [] : kind === 'audio' ? stream.getAudioTracks() : stream.getVideoTracks();
  if (!tracks.length) return null;
  const enabled = !tracks[0].enabled;
  tracks.forEach((track) => { track.enabled = enabled; });
  return enabled;
}

// ---- Readable text ----------------------------------------------------------------------------

const locale = () => (navigator.languages && navigator.languages[0]) || navigator.language || 'en';

/** "3 min 4 s", "45 s", "1 h 2 min". */
export function formatDuration(seconds) {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h) return h + ' h ' + m + ' min';
  if (m) return m + ' min' + (rest ? ' ' + rest + ' s' : '');
  return rest + ' s';
}

/** "0:42", "12:05" for a running clock. */
export function formatClock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const m = Math.floor(s / 60);
  return m + ':' + String(s % 60).padStart(2, '0');
}

// The console's and the admin app's sentences are in English: the widget's English texts
// (widget-texts.js) where the widget says the same, and the few only staff meet, below.
const EN = TEXTS.en;

/** Codes and fields only the console and the admin app meet; every other sentence is the widget's English one. */
const STAFF_CODES = {
  // The console
  unknown_reservation: 'That offer is no longer open.',
  not_your_reservation: 'That shopper was offered to another agent.',
  invalid_presence: 'Your status could not be set. Check your languages: short codes such as en or de, separated by commas.',
  agent_not_busy: 'You are not in a call.',
  // Signing in
  invalid_credentials: 'That email address and password do not match an account.',
  login_locked: 'Too many failed sign-ins. Please wait a few minutes and try again.',
  token_expired: 'Your session has ended. Please sign in again.',
  invalid_token: 'Your session has ended. Please sign in again.',
  invalid_refresh_token: 'Your session has ended. Please sign in again.',
  unauthenticated: 'Please sign in.',
};

const STAFF_FIELDS = {
  note: 'Please keep the note under 2,000 characters.',
  outcome: 'Please choose how the call ended.',
  sku: 'Please enter the product\'s SKU (up to 64 characters).',
  title: 'Please enter the product\'s name (up to 200 characters).',
  price: 'Please enter the price in at most 32 characters, such as 89.00 EUR.',
  imageUrl: 'Please enter the image\'s web address, starting with https://.',
  languages: 'Please enter languages as short codes such as en or de, separated by commas.',
  presence: 'That status does not exist.',
};

const STAFF = textsFor('en', locale(), { codes: STAFF_CODES, fields: STAFF_FIELDS });

/** When the queue opens again, in the reader's time zone: "today at 09:00", "Monday 1 December at 09:00". */
export function describeOpening(isoInstant, now = new Date()) {
  return STAFF.opening(isoInstant, now);
}

/** What to show over the video for a peer connection's state; null once it is connected. */
export function connectionSentence(connectionState) {
  return STAFF.connection(connectionState);
}

/** How a call ended, for `role` (shopper or agent): "Your expert ended the call. It lasted 3 min 4 s." */
export function describeEnd(ended, role) {
  const other = role === 'shopper' ? 'Your expert' : 'The shopper';
  const how = !ended ? EN.ended
    : ended.reason === 'hung-up' ? (ended.endedBy === role ? EN.endedByYou : other + ' ended the call.')
    : ended.reason === 'max-length' ? EN.endedMaxLength
    : ended.reason === 'participant-lost' ? EN.endedLost
    : ended.reason === 'no-show' ? other + ' did not join the call.'
    : ended.reason === 'balance-exhausted' && role === 'agent' ? 'The call ended because the store\'s prepaid balance ran out.'
    : EN.ended;
  return how + (ended && ended.durationSeconds ? ' ' + STAFF.say('lasted', { duration: formatDuration(ended.durationSeconds) }) : '');
}

/**
 * A sentence for an `error`/`refused` message or an HTTP problem: never a bare code. Field errors
 * name the field in words; unknown codes get a general sentence (and the code goes to the console).
 */
export function sentenceFor(problem) {
  return STAFF.sentence(problem);
}

/** The element or text helper both pages use: h('div', {class: 'x', onclick: f}, 'text', child). */
export function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value == null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else if (name in element && typeof value !== 'string') element[name] = value;
    else element.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child == null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

/** Only http(s) links are followed (a product URL comes from another person). */
export function safeUrl(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' || parsed.protocol === 'http:' ? parsed.href : null;
  } catch (e) {
    return null;
  }
}
