/*
 * VideoShop widget: live one-to-one video help on a merchant's store, embedded with one tag:
 *
 *   <script src="https://<videoshop node>/widget.js" data-key="vsw_..." async></script>
 *
 * How it looks comes from the tenant's settings (GET /widget/config); the tag's optional attributes
 * override them on its page: data-color, data-title, data-greeting, data-position, data-language.
 * Everything it shows lives in a shadow root with its own styles, so the store's CSS and the
 * widget's never meet. It talks to the node that served it: the queue over /ws/widget, the call
 * over /ws/room (docs/protocol.md). When the shopper presses "Add to cart" on a product the agent
 * shows, the store's page receives a `videoshop:add-to-cart` event on its document, with
 * detail {sku, title, price, productUrl}.
 */
(function () {
  'use strict';
  if (window.__videoshopWidget) return; // the tag twice on one page: one widget
  window.__videoshopWidget = true;

  var script = document.currentScript;
  if (!script || !script.src) {
    console.warn('[VideoShop] widget.js must be loaded with a <script src=...> tag');
    return;
  }
  var key = script.getAttribute('data-key');
  var base = new URL(script.src, location.href).origin;
  // ---- Appearance and language (docs/widget.md): the tenant's appearance (/widget/config), each
  // field overridden by the script tag's attribute; the texts (widget-texts.js) in the shopper's
  // language: the first of the browser's languages they exist in, else the store's default, else English.
  function attribute(name) {
    var value = script.getAttribute('data-' + name);
    return value && value.trim() ? value.trim() : null;
  }

  function start() {
    var config = fetch(base + '/widget/config?key=' + encodeURIComponent(key || ''), { credentials: 'omit' })
      .then(function (response) { return response.ok ? response.json() : {}; })
      .catch(function () { return {}; }); // unreachable: the defaults; the socket says why later
    Promise.all([import(base + '/web/client.js'), import(base + '/web/widget-texts.js'), config]).then(function (loaded) {
      // The tenant's setting asks for consent before storage, as the tag's data-consent does, unless the banner already answered.
      if (loaded[2] && loaded[2].consentBeforeStorage === true && !storageConsent.answered) storageConsent.storage = false;
      widget(loaded[0], appearance(loaded[1], loaded[2] || {}));
    }, function (e) {
      console.warn('[VideoShop] could not load the widget from ' + base, e);
    });
  }

  // Browser storage (docs/widget.md): with data-consent="required" (or the tenant's setting
  // consentBeforeStorage) the widget stores nothing until the store's consent banner calls
  // VideoShop.consent({storage: true}); {storage: false} removes it.
  var storagePrefix = 'videoshop:' + key + ':';
  var storageConsent = { storage: script.getAttribute('data-consent') !== 'required' };
  var memory = {};
  // The place and the call live in this tab only; a booking (days ahead) in the store's localStorage.
  var STORED = ['ticket', 'room', 'booking'];
  function storageFor(name) { return name === 'booking' ? localStorage : sessionStorage; }
  function persist(name) {
    try {
      if (memory[name] == null) storageFor(name).removeItem(storagePrefix + name);
      else storageFor(name).setItem(storagePrefix + name, JSON.stringify(memory[name]));
    } catch (e) { /* private mode: the place survives the socket, not a reload */ }
  }
  window.VideoShop = window.VideoShop || {};
  window.VideoShop.consent = function (choice) {
    storageConsent.storage = !!(choice && choice.storage);
    storageConsent.answered = true;
    if (storageConsent.storage) Object.keys(memory).forEach(persist);
    else STORED.forEach(function (name) {
      try { storageFor(name).removeItem(storagePrefix + name); } catch (e) { /* nothing stored */ }
    });
    return { storage: storageConsent.storage };
  };

  /** What this page shows: the tag's attributes over the tenant's settings over the defaults. */
  function appearance(texts, config) {
    var wanted = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language];
    var language = texts.pickLanguage(wanted, attribute('language') || config.language);
    var locale = wanted.filter(function (tag) { return String(tag || '').toLowerCase().split('-')[0] === language; })[0] || language;
    var t = texts.textsFor(language, locale);
    var position = attribute('position') || config.position;
    return {
      language: language,
      t: t,
      accent: attribute('color') || config.color || '#4338ca',
      launcher: attribute('title') || config.buttonText || t.launcher,
      greeting: attribute('greeting') || config.greeting || t.lead,
      side: position === 'left' ? 'left' : 'right',
    };
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();

  function widget(client, look) {
    var h = client.h;
    var t = look.t;
    var language = look.language;
    var store = {
      get: function (name) {
        if (!storageConsent.storage) return memory[name] == null ? null : memory[name];
        try { return JSON.parse(storageFor(name).getItem(storagePrefix + name)); } catch (e) { return null; }
      },
      set: function (name, value) {
        memory[name] = value;
        if (storageConsent.storage) persist(name);
      },
    };

    var state = {
      view: 'form', // form | connecting | waiting | notice | call | feedback | thanks
      open: false,
      socket: null,
      ticket: store.get('ticket'), // {ticketId, resumeToken}
      room: store.get('room'), // {roomId, roomToken, savedAt}
      position: null,
      wait: null,
      call: null,
      localStream: null,
      products: [],
      callStartedAt: null,
      rating: 0,
      appointment: store.get('booking'), // {bookingId, token, start, end, joinableFrom}: booked in this browser
      appointmentTimer: null,
    };
    if (state.room && Date.now() - (state.room.savedAt || 0) > 30 * 60 * 1000) {
      state.room = null; // its token has expired
      store.set('room', null);
    }
    if (state.appointment && !(Date.parse(state.appointment.end) > Date.now())) {
      state.appointment = null; // over (or unreadable)
      store.set('booking', null);
    }

    // ---- The host element and its shadow root ------------------------------------------------
    var host = h('div', { id: 'videoshop-widget' });
    // Inline styles beat the store's selectors: the box the widget sits in stays ours.
    host.setAttribute('style', 'all: initial; position: fixed; ' + look.side + ': 20px; bottom: 20px; z-index: 2147483000;');
    var root = host.attachShadow({ mode: 'open' });
    var sheet = css();
    if (root.adoptedStyleSheets !== undefined && typeof CSSStyleSheet === 'function' && 'replaceSync' in CSSStyleSheet.prototype) {
      var constructed = new CSSStyleSheet();
      constructed.replaceSync(sheet);
      root.adoptedStyleSheets = [constructed];
    } else {
      root.append(h('style', {}, sheet));
    }

    var launcherBadge = h('span', { class: 'badge', hidden: true });
    var launcher = h('button', { id: 'launcher', class: 'launcher', type: 'button', 'aria-expanded': 'false', onclick: function () { setOpen(!state.open); } },
      icon('camera'), h('span', { class: 'launcher-text' }, look.launcher), launcherBadge);

    var headerTitle = h('div', { class: 'title' }, t.title);
    var headerSubtitle = h('div', { class: 'subtitle' }, t.subtitle);
    var panel = h('section', { id: 'panel', class: 'panel', role: 'dialog', 'aria-label': t.title, hidden: true, lang: language },
      h('header', {},
        h('div', {}, headerTitle, headerSubtitle),
        h('button', { id: 'minimize', class: 'icon-button', type: 'button', 'aria-label': t.minimise, onclick: function () { setOpen(false); } }, '\u2013')));
    var body = h('div', { class: 'body' });
    panel.append(body);
    root.append(h('div', { class: 'frame' + (look.side === 'left' ? ' left' : ''), style: '--accent: ' + look.accent }, panel, launcher));

    window.__videoshop = {
      role: 'shopper',
      root: root,
      get view() { return state.view; },
      get pc() { return state.call ? state.call.pc : null; },
      get roomId() { return state.room ? state.room.roomId : null; },
      get position() { return state.position; },
      get appointment() { return state.appointment ? state.appointment.bookingId : null; },
      language: language,
    };

    // ---- Views ---------------------------------------------------------------------------------
    var formError = h('p', { id: 'form-error', class: 'error', role: 'alert', hidden: true });
    var fields = {
      name: input('join-name', 'text', { required: true, maxlength: 100, autocomplete: 'name' }),
      email: input('join-email', 'email', { maxlength: 254, autocomplete: 'email' }),
      phone: input('join-phone', 'tel', { maxlength: 32, autocomplete: 'tel' }),
      productInterest: input('join-interest', 'text', { maxlength: 200, placeholder: t.interestExample }),
      notes: h('textarea', { id: 'join-notes', maxlength: 500, rows: 2 }),
    };
    var consent = h('input', { id: 'join-consent', type: 'checkbox' });
    // Marketing is a purpose of its own (docs/privacy.md, "Consent"): never ticked for the shopper.
    var marketing = h('input', { id: 'join-marketing', type: 'checkbox' });
    var joinButton = h('button', { id: 'join', class: 'primary', type: 'submit' }, t.join);
    var appointmentButton = h('button', { id: 'join-appointment', class: 'primary', type: 'button', hidden: true,
      onclick: function () { openAppointment(); } });
    var formView = h('form', { id: 'join-form', class: 'view', novalidate: true, onsubmit: function (event) { event.preventDefault(); join(); } },
      appointmentButton,
      h('p', { class: 'lead', id: 'greeting' }, look.greeting),
      label(t.name, fields.name, true),
      h('div', { class: 'row' }, label(t.email, fields.email), label(t.phone, fields.phone)),
      label(t.interest, fields.productInterest),
      label(t.notes, fields.notes),
      h('label', { class: 'check' }, consent, h('span', {}, t.consent)),
      h('label', { class: 'check' }, marketing, h('span', {}, t.marketing)),
      formError,
      joinButton,
      h('button', { id: 'book-instead', class: 'secondary', type: 'button', onclick: function () { openBooking(); } }, t.bookInstead),
      h('p', { class: 'fineprint' }, t.fineprint));

    var placeText = h('p', { id: 'place', class: 'place' });
    var waitText = h('p', { id: 'wait', class: 'wait' });
    var waitingNote = h('p', { id: 'waiting-note', class: 'note', hidden: true });
    var waitingView = h('div', { id: 'waiting', class: 'view center' },
      h('div', { class: 'pulse' }, icon('camera')),
      placeText, waitText, waitingNote,
      h('p', { class: 'fineprint' }, t.keepOpen),
      h('button', { id: 'leave', class: 'secondary', type: 'button', onclick: leave }, t.leave));

    var connectingView = h('div', { id: 'connecting', class: 'view center' },
      h('div', { class: 'spinner', 'aria-hidden': 'true' }), h('p', {}, t.connecting));

    var noticeText = h('p', { id: 'notice-text', class: 'notice-text', role: 'alert' });
    var noticeButton = h('button', { id: 'notice-back', class: 'secondary', type: 'button', onclick: function () { setView('form'); } }, t.back);
    var noticeBook = h('button', { id: 'notice-book', class: 'primary', type: 'button', hidden: true, onclick: function () { openBooking(); } }, t.bookInstead);
    var noticeView = h('div', { id: 'notice', class: 'view center' }, icon('info'), noticeText, noticeBook, noticeButton);

    var remoteVideo = h('video', { id: 'remote-video', class: 'remote', autoplay: true, playsInline: true });
    var localVideo = h('video', { id: 'local-video', class: 'local', autoplay: true, playsInline: true, muted: true });
    var callStatus = h('div', { id: 'call-status', class: 'call-status' }, t.connectingExpert);
    var callClock = h('span', { id: 'call-clock', class: 'clock', hidden: true });
    var callNote = h('p', { id: 'call-note', class: 'note', hidden: true });
    var productList = h('div', { id: 'products', class: 'products' });
    var micButton = h('button', { id: 'mute', class: 'round', type: 'button', 'aria-label': t.mute, 'aria-pressed': 'false', onclick: function () { toggleTrack('audio', micButton); } }, icon('mic'));
    var camButton = h('button', { id: 'camera-off', class: 'round', type: 'button', 'aria-label': t.cameraOff, 'aria-pressed': 'false', onclick: function () { toggleTrack('video', camButton); } }, icon('camera'));
    var hangUpButton = h('button', { id: 'hang-up', class: 'round danger', type: 'button', 'aria-label': t.endCall, onclick: hangUp }, icon('phone'));
    var callView = h('div', { id: 'call', class: 'view call' },
      h('div', { class: 'stage' }, remoteVideo, localVideo, callStatus, callClock,
        h('div', { class: 'controls' }, micButton, camButton, hangUpButton)),
      h('aside', { class: 'side' },
        h('h3', {}, t.productsInCall),
        productList,
        callNote));

    var endedText = h('p', { id: 'ended-text', class: 'lead' });
    var stars = [];
    for (var i = 1; i <= 5; i++) stars.push(star(i));
    var comment = h('textarea', { id: 'feedback-comment', maxlength: 1000, rows: 3, placeholder: t.commentExample });
    var feedbackError = h('p', { id: 'feedback-error', class: 'error', role: 'alert', hidden: true });
    var sendFeedbackButton = h('button', { id: 'send-feedback', class: 'primary', type: 'submit', disabled: true }, t.send);
    var feedbackView = h('form', { id: 'feedback', class: 'view', onsubmit: function (event) { event.preventDefault(); sendFeedback(); } },
      endedText,
      h('p', { class: 'question' }, t.howWasCall),
      h('div', { class: 'stars', role: 'radiogroup', 'aria-label': t.rating }, stars),
      label(t.comment, comment),
      feedbackError,
      h('div', { class: 'buttons' },
        h('button', { id: 'skip-feedback', class: 'secondary', type: 'button', onclick: finishCall }, t.noThanks),
        sendFeedbackButton));

    var thanksView = h('div', { id: 'thanks', class: 'view center' }, icon('check'),
      h('p', { class: 'lead' }, t.thanks),
      h('button', { class: 'secondary', type: 'button', onclick: function () { setView('form'); setOpen(false); } }, t.close));

    var views = { form: formView, waiting: waitingView, connecting: connectingView, notice: noticeView, call: callView, feedback: feedbackView, thanks: thanksView };
    Object.keys(views).forEach(function (name) { views[name].hidden = true; body.append(views[name]); });

    (document.body || document.documentElement).append(host);

    // ---- Booking (widget-booking.js, docs/scheduling.md): "Book a time", and the mails' signed
    // link, which brings the token in the URL fragment (never sent to a server); taken out of the
    // address at once so it does not stay in the history.
    var booking = null;
    var policyVersion = script.getAttribute('data-policy-version') || null;
    function withBooking(then) {
      if (!booking) {
        booking = import(base + '/web/widget-booking.js').then(function (module) {
          return module.mount({
            client: client, base: base, key: key, language: language, root: root, setOpen: setOpen,
            words: t, policyVersion: policyVersion,
            // The booking's consent token: VideoShop.withdrawConsent then takes back the booking's.
            consented: function (token) { if (token) state.consentToken = token; },
            addView: function (name, element) { element.hidden = true; views[name] = element; body.append(element); },
            setView: setView,
            joinBooking: function (token, line) {
              state.joining = { line: line };
              setView('connecting');
              connectQueue().send({ type: 'join-booking', token: token });
            },
            remember: rememberAppointment,
          });
        });
      }
      booking.then(then, function (e) { console.warn('[VideoShop] could not load the booking view', e); });
    }
    function openBooking() { setOpen(true); withBooking(function (b) { b.open(); }); }

    // The booking made (or opened by its link) in this browser: at its time the launcher and the
    // form offer "Join your appointment", without the mail. Null forgets it (cancelled, over).
    function rememberAppointment(appointment) {
      state.appointment = appointment && Date.parse(appointment.end) > Date.now() ? appointment : null;
      store.set('booking', state.appointment);
      showAppointment();
    }
    function showAppointment() {
      clearTimeout(state.appointmentTimer);
      var appointment = state.appointment;
      var launcherText = launcher.querySelector('.launcher-text');
      if (!appointment || !(Date.parse(appointment.end) > Date.now())) {
        appointmentButton.hidden = true;
        launcherText.textContent = look.launcher;
        return;
      }
      var now = Date.now();
      var from = Date.parse(appointment.joinableFrom || appointment.start);
      var joinable = now >= from;
      appointmentButton.hidden = false;
      appointmentButton.textContent = joinable ? t.joinAppointment
        : t.yourAppointment.replace('{when}', new Intl.DateTimeFormat(language,
          { weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' }).format(new Date(appointment.start)));
      launcherText.textContent = joinable ? t.joinAppointment : look.launcher;
      // Turned into "Join" when the time comes, if the page is still open (at most a day ahead: timers drift).
      var next = joinable ? Date.parse(appointment.end) - now : from - now;
      if (next < 24 * 3600 * 1000) state.appointmentTimer = setTimeout(showAppointment, next + 500);
    }
    function openAppointment() {
      var appointment = state.appointment;
      if (!appointment) return;
      setOpen(true);
      setView('connecting');
      withBooking(function (b) { b.manage(appointment.token, { join: Date.now() >= Date.parse(appointment.joinableFrom || appointment.start) }); });
    }
    showAppointment();
    var linked = /(?:^#|&)videoshop-booking=([A-Za-z0-9_.-]{1,2048})/.exec(location.hash);
    if (linked) {
      try { history.replaceState(null, '', location.pathname + location.search); } catch (e) { /* keep the address */ }
    }

    // Back after a reload: into the call, or the queue, where the shopper was.
    if (linked && !state.room && !state.ticket) {
      setOpen(true);
      setView('connecting');
      withBooking(function (b) { b.manage(linked[1]); });
    } else if (state.room) {
      setOpen(true);
      startCall(state.room);
    } else if (state.ticket) {
      setOpen(true);
      setView('connecting');
      connectQueue();
    } else {
      setView('form');
    }
    setInterval(tick, 1000);

    // ---- Queue ---------------------------------------------------------------------------------
    // Withdrawing consent is as easy as giving it (docs/privacy.md, "Consent"): the store's page may
    // call VideoShop.withdrawConsent(['call-summary-mail', 'marketing']) (none named: both).
    window.VideoShop.withdrawConsent = function (purposes) {
      if (!state.consentToken) return false;
      connectQueue().send({ type: 'withdraw-consent', consentToken: state.consentToken, purposes: purposes || null });
      return true;
    };

    function connectQueue() {
      if (state.socket) return state.socket;
      var socket = new client.Socket(client.socketBase(base) + '/ws/widget?key=' + encodeURIComponent(key || ''), {
        onOpen: function (reopened) {
          waitingNote.hidden = true;
          if (state.ticket) {
            socket.clearOutbox();
            socket.send({ type: 'resume', ticketId: state.ticket.ticketId, resumeToken: state.ticket.resumeToken });
          }
        },
        onMessage: onQueueMessage,
        onDown: function (how) {
          if (!how.everOpened) {
            diagnose().then(function (problem) {
              if (problem) {
                closeQueue();
                forgetTicket();
                notice(t.sentence({ code: problem }));
              } else {
                retry();
              }
            });
          } else {
            retry();
          }
        },
      });
      function retry() {
        if (!state.ticket && state.view !== 'connecting') {
          closeQueue(); // nothing to keep: the next join connects again
          return;
        }
        if (state.view === 'waiting') {
          waitingNote.textContent = t.dropped;
          waitingNote.hidden = false;
        }
        socket.reconnectLater();
      }
      state.socket = socket;
      socket.connect();
      return socket;
    }

    function closeQueue() {
      if (state.socket) state.socket.close();
      state.socket = null;
    }

    /** Why the socket was refused (a browser cannot read the refusal itself), or null when it was not. */
    function diagnose() {
      var url = base + '/widget/status?key=' + encodeURIComponent(key || '') + '&origin=' + encodeURIComponent(location.origin);
      return fetch(url, { credentials: 'omit' }).then(function (response) { return response.json(); }).then(function (status) {
        if (status.allowed) return null;
        if (status.code === 'origin_not_allowed') {
          console.warn('[VideoShop] this page\'s origin ' + location.origin + ' is not among the widget key\'s allowed origins');
        } else if (status.code !== 'tenant_suspended') {
          console.warn('[VideoShop] the widget key in data-key is ' + (key ? 'not valid' : 'missing'));
        }
        return status.code;
      }, function () { return null; });
    }

    function join() {
      formError.hidden = true;
      var name = fields.name.value.trim();
      var problem = !name ? 'name'
        : fields.email.value.trim() && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(fields.email.value.trim()) ? 'email'
        : fields.phone.value.trim() && !/^[+0-9 ()./-]{3,32}$/.test(fields.phone.value.trim()) ? 'phone'
        : null;
      if (problem) return fieldError(problem);
      var page = client.safeUrl(location.href);
      var message = {
        type: 'join',
        name: name,
        email: fields.email.value.trim() || null,
        phone: fields.phone.value.trim() || null,
        language: primaryLanguage(),
        productInterest: fields.productInterest.value.trim() || null,
        productUrl: page && page.length <= 2048 ? page : null,
        notes: fields.notes.value.trim() || null,
        consent: consent.checked,
        policyVersion: policyVersion,
        purposes: marketing.checked ? ['marketing'] : null,
      };
      joinButton.disabled = true;
      setView('connecting');
      connectQueue().send(message);
    }

    function leave() {
      if (state.socket && state.socket.open) state.socket.send({ type: 'leave' });
      else {
        // Offline: forget the place; the queue gives it up when the reconnect grace runs out.
        forgetTicket();
        closeQueue();
        setView('form');
      }
    }

    function onQueueMessage(msg) {
      switch (msg.type) {
        case 'queued':
          if (msg.consentToken) state.consentToken = msg.consentToken; // memory only: docs/widget.md
          if (msg.resumeToken) {
            state.ticket = { ticketId: msg.ticketId, resumeToken: msg.resumeToken, line: state.joining ? state.joining.line : null };
            state.joining = null;
            store.set('ticket', state.ticket);
          }
          joinButton.disabled = false;
          showPlace(msg.position, msg.estimatedWait);
          setView('waiting');
          break;
        case 'position':
          showPlace(msg.position, msg.estimatedWait);
          break;
        case 'consent-withdrawn':
          if (!state.ticket) closeQueue();
          break;
        case 'assigned':
          forgetTicket();
          closeQueue();
          state.room = { roomId: msg.roomId, roomToken: msg.roomToken, savedAt: Date.now() };
          store.set('room', state.room);
          setOpen(true);
          startCall(state.room);
          break;
        case 'left':
          forgetTicket();
          closeQueue();
          if (msg.reason === 'abandoned') notice(t.abandoned);
          else if (msg.reason === 'timed_out') notice(t.timedOut);
          else setView('form');
          break;
        case 'refused':
          joinButton.disabled = false;
          forgetTicket();
          closeQueue();
          if (state.joining && booking) {
            state.joining = null;
            withBooking(function (b) { b.joinRefused(msg); });
            break;
          }
          notice(t.sentence(msg));
          noticeBook.hidden = msg.code !== 'queue_closed';
          break;
        case 'error':
          joinButton.disabled = false;
          if (state.joining && booking) {
            // A booked shopper's join: the booking view explains it.
            state.joining = null;
            closeQueue();
            withBooking(function (b) { b.joinRefused(msg); });
          } else if (msg.code === 'not_in_queue') {
            forgetTicket();
            setView('form');
          } else if (msg.code === 'already_queued') {
            // This socket has a place already: nothing to show.
          } else if (msg.code === 'unavailable' && state.ticket) {
            // The queue is moving to another node (failover): keep the place, ask again in 1 s.
            setView('waiting');
            waitingNote.textContent = t.reconnecting;
            waitingNote.hidden = false;
            setTimeout(function () {
              if (state.ticket && state.socket && state.socket.open) {
                state.socket.send({ type: 'resume', ticketId: state.ticket.ticketId, resumeToken: state.ticket.resumeToken });
              }
            }, 1000);
          } else if (state.view === 'connecting' || state.view === 'form') {
            if (msg.field) fieldError(msg.field, msg);
            else showFormError(t.sentence(msg));
            setView('form');
          } else {
            waitingNote.textContent = t.sentence(msg);
            waitingNote.hidden = false;
          }
          break;
        case 'reconnect':
          if (state.view === 'waiting') {
            waitingNote.textContent = t.reconnecting;
            waitingNote.hidden = false;
          }
          break;
        default:
          break;
      }
    }

    function showPlace(position, wait) {
      state.position = position;
      state.wait = wait || null;
      var line = state.ticket && state.ticket.line;
      placeText.textContent = line || (position <= 1 ? t.next : t.number.replace('{n}', position));
      var words = t.wait(wait);
      waitText.textContent = words ? t.say('estimatedWait', { wait: words }) : t.noEstimate;
      launcherBadge.textContent = '#' + position;
      launcherBadge.hidden = !!line;
    }

    function forgetTicket() {
      state.ticket = null;
      state.position = null;
      store.set('ticket', null);
      launcherBadge.hidden = true;
    }

    function notice(text) {
      noticeText.textContent = text;
      noticeBook.hidden = true;
      setView('notice');
    }

    // ---- Call ----------------------------------------------------------------------------------
    function startCall(room) {
      setView('call');
      state.products = [];
      state.callStartedAt = null;
      renderProducts();
      callStatus.textContent = t.connectingExpert;
      callStatus.hidden = false;
      callNote.hidden = true;
      headerSubtitle.textContent = t.inCall;
      client.openCameraAndMicrophone().then(function (media) {
        state.localStream = media.stream;
        localVideo.srcObject = media.stream;
        localVideo.hidden = !media.stream || media.stream.getVideoTracks().length === 0;
        if (media.problem) {
          showCallNote(media.problem === 'no-camera' ? t.noCamera : t.noMedia);
        }
        state.call = new client.Call({ base: base, roomToken: room.roomToken, role: 'shopper', localStream: media.stream, onEvent: onCallEvent });
        state.call.start();
      });
    }

    function onCallEvent(type, msg) {
      switch (type) {
        case 'room':
          state.products = (msg.products || []).slice();
          renderProducts();
          if (msg.state === 'ended') {
            showFeedback(null);
          } else if (!msg.peerConnected) {
            callStatus.textContent = t.waitingExpert;
          }
          break;
        case 'peer-joined':
          callStatus.textContent = t.expertJoining;
          callStatus.hidden = false;
          break;
        case 'call-started':
          state.callStartedAt = Date.now();
          break;
        case 'remote-stream':
          remoteVideo.srcObject = msg.stream;
          break;
        case 'connection':
          var words = t.connection(msg.state);
          if (words) setStatus(words);
          else callStatus.hidden = true;
          break;
        case 'peer-left':
          setStatus(t.expertDropped);
          break;
        case 'socket':
          if (!msg.up && msg.everOpened) setStatus(t.reconnectingCall);
          break;
        case 'product':
          state.products = state.products.filter(function (p) { return p.sku !== msg.sku; });
          state.products.push(msg);
          renderProducts();
          break;
        case 'call-ended':
          if (msg.reason === 'no-show') {
            // Nothing to rate: there was no call.
            endCall();
            notice(t.noShow);
          } else {
            showFeedback(msg);
          }
          break;
        case 'ok':
          if (msg.request === 'feedback') {
            setView('thanks');
            endCall();
          }
          break;
        case 'error':
          if (msg.code === 'already_given' && state.view === 'feedback') {
            setView('thanks');
            endCall();
          } else if (state.view === 'feedback') {
            feedbackError.textContent = t.sentence(msg);
            feedbackError.hidden = false;
            sendFeedbackButton.disabled = false;
          } else if (msg.code !== 'invalid_signal' && msg.code !== 'not_in_room') {
            showCallNote(t.sentence(msg));
          }
          break;
        case 'low-balance':
          // The merchant's balance is the merchant's business; the shopper only hears of the end.
          if (msg.exhausted) showCallNote(t.say('mayEnd', { duration: client.formatDuration(msg.graceSeconds) }));
          break;
        case 'lost':
          endCall();
          notice(msg.replaced ? t.lostReplaced : msg.neverJoined ? t.lostNeverJoined : t.lostConnection);
          break;
        default:
          break;
      }
    }

    function setStatus(text) {
      callStatus.textContent = text;
      callStatus.hidden = false;
    }

    function showCallNote(text) {
      callNote.textContent = text;
      callNote.hidden = false;
    }

    function renderProducts() {
      productList.replaceChildren();
      if (!state.products.length) {
        productList.append(h('p', { class: 'empty' }, t.productsEmpty));
        return;
      }
      state.products.slice().reverse().forEach(function (product) {
        var image = client.safeUrl(product.imageUrl);
        var link = client.safeUrl(product.productUrl);
        var add = h('button', { class: 'primary small add-to-cart', type: 'button', 'data-sku': product.sku }, t.addToCart);
        add.addEventListener('click', function () { addToCart(product, add); });
        productList.append(h('article', { class: 'product', 'data-sku': product.sku },
          image ? h('img', { src: image, alt: '', loading: 'lazy' }) : h('div', { class: 'no-image' }, icon('bag')),
          h('div', { class: 'product-text' },
            h('div', { class: 'product-title' }, product.title || product.sku),
            product.price ? h('div', { class: 'price' }, product.price) : null,
            h('div', { class: 'product-actions' }, add,
              link ? h('a', { href: link, target: '_blank', rel: 'noopener noreferrer' }, t.view) : null))));
      });
    }

    function addToCart(product, button) {
      if (state.call) state.call.send({ type: 'add-to-cart', sku: product.sku });
      // The store's own cart takes it from here.
      document.dispatchEvent(new CustomEvent('videoshop:add-to-cart', {
        bubbles: true,
        detail: { sku: product.sku, title: product.title || null, price: product.price || null, productUrl: product.productUrl || null },
      }));
      button.textContent = t.added;
      button.disabled = true;
      setTimeout(function () { button.textContent = t.addToCart; button.disabled = false; }, 2500);
    }

    function hangUp() {
      if (state.call) state.call.hangUp();
      hangUpButton.disabled = true;
      setStatus(t.ending);
    }

    function toggleTrack(kind, button) {
      var enabled = client.toggleTracks(state.localStream, kind);
      if (enabled === null) return;
      button.setAttribute('aria-pressed', String(!enabled));
      button.classList.toggle('off', !enabled);
    }

    function showFeedback(ended) {
      client.stopStream(state.localStream);
      state.localStream = null;
      remoteVideo.srcObject = null;
      localVideo.srcObject = null;
      hangUpButton.disabled = false;
      headerSubtitle.textContent = t.subtitle;
      endedText.textContent = t.ended(ended, client.formatDuration);
      state.rating = 0;
      stars.forEach(function (button) { button.setAttribute('aria-checked', 'false'); });
      sendFeedbackButton.disabled = true;
      feedbackError.hidden = true;
      setView('feedback');
      setOpen(true);
    }

    function sendFeedback() {
      if (!state.rating || !state.call) return;
      sendFeedbackButton.disabled = true;
      state.call.send({ type: 'feedback', rating: state.rating, comment: comment.value.trim() || null });
    }

    function finishCall() {
      endCall();
      setView('form');
      setOpen(false);
    }

    function endCall() {
      if (state.call) state.call.close();
      state.call = null;
      client.stopStream(state.localStream);
      state.localStream = null;
      state.room = null;
      store.set('room', null);
    }

    // ---- Small pieces --------------------------------------------------------------------------
    function setOpen(open) {
      state.open = open;
      panel.hidden = !open;
      launcher.setAttribute('aria-expanded', String(open));
      launcher.classList.toggle('compact', open);
      if (open && state.view === 'form') setTimeout(function () { fields.name.focus(); }, 0);
    }

    function setView(view) {
      state.view = view;
      Object.keys(views).forEach(function (name) { views[name].hidden = name !== view; });
      panel.classList.toggle('wide', view === 'call');
      if (view === 'form') joinButton.disabled = false;
    }

    function tick() {
      if (state.view === 'call' && state.callStartedAt) {
        callClock.textContent = client.formatClock((Date.now() - state.callStartedAt) / 1000);
        callClock.hidden = false;
      } else {
        callClock.hidden = true;
      }
    }

    function fieldError(field, problem) {
      showFormError(t.sentence(Object.assign({ code: 'invalid_field', field: field }, problem || {})));
      var element = fields[field];
      if (element) {
        element.setAttribute('aria-invalid', 'true');
        element.focus();
        element.addEventListener('input', function clear() {
          element.removeAttribute('aria-invalid');
          element.removeEventListener('input', clear);
        });
      }
    }

    function showFormError(text) {
      formError.textContent = text;
      formError.hidden = false;
    }

    function primaryLanguage() {
      var tag = (navigator.language || '').split('-')[0].toLowerCase();
      return /^[a-z]{2,3}$/.test(tag) ? tag : null;
    }

    function input(id, type, attributes) {
      return h('input', Object.assign({ id: id, type: type }, attributes));
    }

    function label(text, control, required) {
      return h('label', { class: 'field', for: control.id },
        h('span', {}, text, required ? h('span', { class: 'required', 'aria-hidden': 'true' }, ' *') : null), control);
    }

    function star(value) {
      var button = h('button', { type: 'button', class: 'star', role: 'radio', 'aria-checked': 'false', 'aria-label': t.say(value === 1 ? 'star' : 'stars', { n: value }), 'data-rating': value }, '\u2605');
      button.addEventListener('click', function () {
        state.rating = value;
        stars.forEach(function (other, index) {
          other.setAttribute('aria-checked', String(index + 1 === value));
          other.classList.toggle('lit', index < value);
        });
        sendFeedbackButton.disabled = false;
      });
      return button;
    }

    function icon(name) {
      var paths = {
        camera: 'M15 10l4.55-2.28A1 1 0 0121 8.62v6.76a1 1 0 01-1.45.9L15 14M5 18h8a2 2 0 002-2V8a2 2 0 00-2-2H5a2 2 0 00-2 2v8a2 2 0 002 2z',
        mic: 'M12 14a3 3 0 003-3V5a3 3 0 00-6 0v6a3 3 0 003 3zm5-3a5 5 0 01-10 0M12 19v3m-4 0h8',
        phone: 'M3 5a2 2 0 012-2h3.28a1 1 0 01.95.68l1.5 4.49a1 1 0 01-.5 1.21l-2.26 1.13a11.04 11.04 0 005.52 5.52l1.13-2.26a1 1 0 011.21-.5l4.49 1.5a1 1 0 01.68.95V19a2 2 0 01-2 2h-1C9.72 21 3 14.28 3 6V5z',
        info: 'M13 16h-1v-4h-1m1-4h.01M21 12a9 9 0 11-18 0 9 9 0 0118 0z',
        check: 'M5 13l4 4L19 7',
        bag: 'M16 11V7a4 4 0 00-8 0v4M5 9h14l1 12H4L5 9z',
      };
      var svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
      svg.setAttribute('viewBox', '0 0 24 24');
      svg.setAttribute('aria-hidden', 'true');
      svg.setAttribute('class', 'icon');
      var path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
      path.setAttribute('d', paths[name]);
      svg.append(path);
      return svg;
    }
  }

  function css() {
    return [
      ':host { all: initial; }',
      '.frame { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1f2330; display: flex; flex-direction: column; align-items: flex-end; gap: 12px; }',
      '[hidden] { display: none !important; }',
      '*, *::before, *::after { box-sizing: border-box; }',
      'button, input, textarea { font: inherit; color: inherit; }',
      '.icon { width: 20px; height: 20px; fill: none; stroke: currentColor; stroke-width: 2; stroke-linecap: round; stroke-linejoin: round; flex: none; }',
      '.frame.left { align-items: flex-start; }',
      '.launcher { display: inline-flex; align-items: center; gap: 10px; border: 0; border-radius: 999px; padding: 12px 20px 12px 16px; background: var(--accent); color: #fff; font-weight: 600; cursor: pointer; box-shadow: 0 6px 20px rgba(20, 20, 40, .25); }',
      '.launcher:hover { filter: brightness(1.08); }',
      '.launcher:focus-visible, button:focus-visible, a:focus-visible { outline: 3px solid color-mix(in srgb, var(--accent) 45%, white); outline-offset: 2px; }',
      '.launcher.compact .launcher-text { display: none; }',
      '.launcher.compact { padding: 12px; }',
      '.badge { background: #fff; color: var(--accent); border-radius: 999px; padding: 1px 8px; font-size: 12px; }',
      '.panel { width: 370px; max-width: calc(100vw - 40px); max-height: calc(100vh - 110px); display: flex; flex-direction: column; background: #fff; border-radius: 16px; box-shadow: 0 12px 40px rgba(20, 20, 40, .28); overflow: hidden; }',
      '.panel.wide { width: 760px; }',
      '.panel header { display: flex; align-items: center; justify-content: space-between; gap: 12px; padding: 14px 16px; background: var(--accent); color: #fff; }',
      '.title { font-weight: 700; font-size: 16px; }',
      '.subtitle { font-size: 12.5px; opacity: .9; }',
      '.icon-button { border: 0; background: rgba(255,255,255,.18); color: #fff; width: 30px; height: 30px; border-radius: 8px; cursor: pointer; font-size: 18px; line-height: 1; }',
      '.body { overflow: auto; }',
      '.view { padding: 16px; display: flex; flex-direction: column; gap: 10px; }',
      '.view.center { align-items: center; text-align: center; padding: 24px 20px; }',
      '.view.center > .icon { width: 40px; height: 40px; color: var(--accent); }',
      '.lead { margin: 0; }',
      '.field { display: flex; flex-direction: column; gap: 4px; font-size: 13px; font-weight: 600; color: #3b4050; min-width: 0; flex: 1; }',
      '.field input, .field textarea { font-weight: 400; border: 1px solid #c9cdd8; border-radius: 8px; padding: 8px 10px; background: #fff; width: 100%; resize: vertical; }',
      '.field input:focus, .field textarea:focus { outline: 2px solid var(--accent); border-color: transparent; }',
      '[aria-invalid="true"] { border-color: #c62828 !important; }',
      '.required { color: #c62828; }',
      '.row { display: flex; gap: 10px; }',
      '.check { display: flex; gap: 8px; align-items: flex-start; font-size: 13px; color: #3b4050; }',
      '.check input { margin-top: 3px; accent-color: var(--accent); }',
      '.primary, .secondary { border-radius: 10px; padding: 10px 16px; font-weight: 600; cursor: pointer; border: 1px solid var(--accent); }',
      '.primary { background: var(--accent); color: #fff; }',
      '.primary:disabled { opacity: .55; cursor: default; }',
      '.secondary { background: #fff; color: var(--accent); }',
      '.small { padding: 6px 12px; font-size: 13px; }',
      '.error { margin: 0; color: #b71c1c; background: #fdecea; border-radius: 8px; padding: 8px 10px; }',
      '.note { margin: 0; color: #6b4e00; background: #fff6db; border-radius: 8px; padding: 8px 10px; font-size: 13px; }',
      '.fineprint { margin: 0; font-size: 12px; color: #6b7080; }',
      '.place { margin: 8px 0 0; font-size: 20px; font-weight: 700; }',
      '.wait { margin: 0; color: #3b4050; }',
      '.pulse { width: 64px; height: 64px; border-radius: 50%; display: grid; place-items: center; background: color-mix(in srgb, var(--accent) 14%, white); color: var(--accent); animation: pulse 1.8s ease-in-out infinite; }',
      '.pulse .icon { width: 28px; height: 28px; }',
      '@keyframes pulse { 0%, 100% { box-shadow: 0 0 0 0 color-mix(in srgb, var(--accent) 35%, transparent); } 50% { box-shadow: 0 0 0 14px transparent; } }',
      '.spinner { width: 32px; height: 32px; border: 3px solid #e3e5ec; border-top-color: var(--accent); border-radius: 50%; animation: spin 1s linear infinite; }',
      '@keyframes spin { to { transform: rotate(360deg); } }',
      '.notice-text { margin: 0; font-size: 15px; }',
      '.call { flex-direction: row; gap: 14px; align-items: stretch; }',
      '.stage { position: relative; flex: 1 1 auto; min-height: 320px; background: #11131a; border-radius: 12px; overflow: hidden; }',
      '.remote { width: 100%; height: 100%; object-fit: cover; display: block; min-height: 320px; }',
      '.local { position: absolute; right: 10px; top: 10px; width: 28%; max-width: 140px; border-radius: 8px; border: 2px solid rgba(255,255,255,.7); background: #222; transform: scaleX(-1); }',
      '.call-status { position: absolute; left: 50%; top: 45%; transform: translate(-50%, -50%); color: #fff; background: rgba(0,0,0,.55); padding: 8px 14px; border-radius: 999px; font-size: 13px; text-align: center; max-width: 90%; }',
      '.clock { position: absolute; left: 10px; top: 10px; color: #fff; background: rgba(0,0,0,.5); padding: 2px 8px; border-radius: 6px; font-size: 12px; font-variant-numeric: tabular-nums; }',
      '.controls { position: absolute; left: 0; right: 0; bottom: 12px; display: flex; justify-content: center; gap: 12px; }',
      '.round { width: 44px; height: 44px; border-radius: 50%; border: 0; display: grid; place-items: center; background: rgba(255,255,255,.92); color: #1f2330; cursor: pointer; }',
      '.round.off { background: #5b5f6e; color: #fff; }',
      '.round.danger { background: #d32f2f; color: #fff; }',
      '.round.danger .icon { transform: rotate(135deg); }',
      '.side { width: 250px; flex: none; display: flex; flex-direction: column; gap: 10px; }',
      '.side h3 { margin: 0; font-size: 14px; }',
      '.products { display: flex; flex-direction: column; gap: 10px; overflow: auto; max-height: 330px; }',
      '.empty { margin: 0; color: #6b7080; font-size: 13px; }',
      '.product { display: flex; gap: 10px; border: 1px solid #e3e5ec; border-radius: 10px; padding: 8px; }',
      '.product img, .no-image { width: 64px; height: 64px; object-fit: cover; border-radius: 8px; background: #f1f2f6; flex: none; display: grid; place-items: center; color: #8a8fa0; }',
      '.product-text { display: flex; flex-direction: column; gap: 4px; min-width: 0; }',
      '.product-title { font-weight: 600; overflow-wrap: anywhere; }',
      '.price { color: #3b4050; }',
      '.product-actions { display: flex; gap: 10px; align-items: center; }',
      '.product-actions a { color: var(--accent); font-size: 13px; }',
      '.question { margin: 6px 0 0; font-weight: 700; }',
      '.stars { display: flex; gap: 4px; }',
      '.star { border: 0; background: none; font-size: 32px; line-height: 1; color: #c9cdd8; cursor: pointer; padding: 0 2px; }',
      '.star.lit { color: #f5a623; }',
      '.buttons { display: flex; gap: 10px; justify-content: flex-end; }',
      '@media (max-width: 600px) {',
      '  .panel, .panel.wide { width: calc(100vw - 24px); max-height: calc(100vh - 100px); }',
      '  .call { flex-direction: column; }',
      '  .side { width: auto; }',
      '  .row { flex-direction: column; }',
      '}',
    ].join('\n');
  }
})();
