/*
 * VideoShop widget, "Book a time" (docs/scheduling.md): loaded by widget.js on first use, into the
 * widget's own shadow root. Free slots of the next days in the shopper's own time zone (from
 * GET /api/v1/widget/slots), a short form (name and email required), then the confirmation with
 * the time in the shopper's zone and in the shop's. The mails' signed link opens the same module
 * on the booking (lookup, reschedule, cancel within the change notice, and joining the queue as
 * the booking once its time is near). Texts are plain text nodes, never HTML.
 */

const TEXTS = {
  en: {
    title: 'Book a video call', lead: 'Pick a time that suits you. Times are shown in your time zone ({zone}).',
    loading: 'Looking for free times\u2026', none: 'There are no free times in the next days. Please try the live queue or come back later.',
    day: 'Day', time: 'Time', name: 'Your name', email: 'Email', phone: 'Phone', interest: 'What are you looking for?',
    notes: 'Anything else we should know?', consent: 'You may contact me by email about this appointment.',
    book: 'Book this time', booking: 'Booking\u2026', back: 'Back', pick: 'Please pick a time first.',
    booked: 'Your video call is booked', yourTime: 'Your time', shopTime: 'The shop\u2019s time ({zone})',
    sent: 'A confirmation with a calendar invitation is on its way to {email}.', addToCalendar: 'Add to my calendar',
    changeUntil: 'You can change or cancel it until {when}, with the link in the email.', done: 'Done',
    manageTitle: 'Your appointment', statusCancelled: 'This appointment was cancelled.',
    statusOver: 'This appointment is over. Thank you!', join: 'Join the video call now',
    joinFrom: 'You can join the video call from {when}. Keep this page at hand.', reschedule: 'Choose another time',
    cancel: 'Cancel the appointment', cancelSure: 'Cancel this appointment?', cancelYes: 'Yes, cancel it',
    cancelNo: 'No, keep it', cancelled: 'Your appointment is cancelled. We sent you a confirmation.',
    tooLateToChange: 'It is too late to change this appointment online. Please contact the shop.',
    move: 'Move to this time', moved: 'Your appointment is moved. We sent you an updated invitation.',
    waitingLine: 'Your appointment is at {time}. Your expert will be with you then: keep this page open.',
  },
  de: {
    title: 'Videotermin buchen', lead: 'Wählen Sie eine passende Zeit. Die Zeiten sind in Ihrer Zeitzone ({zone}).',
    loading: 'Freie Zeiten werden gesucht\u2026', none: 'In den nächsten Tagen sind keine Zeiten frei. Nutzen Sie die Live-Warteschlange oder schauen Sie später wieder vorbei.',
    day: 'Tag', time: 'Uhrzeit', name: 'Ihr Name', email: 'E-Mail', phone: 'Telefon', interest: 'Wonach suchen Sie?',
    notes: 'Sollen wir noch etwas wissen?', consent: 'Sie dürfen mich zu diesem Termin per E-Mail kontaktieren.',
    book: 'Diesen Termin buchen', booking: 'Wird gebucht\u2026', back: 'Zurück', pick: 'Bitte wählen Sie zuerst eine Zeit.',
    booked: 'Ihr Videotermin ist gebucht', yourTime: 'Ihre Zeit', shopTime: 'Zeit des Shops ({zone})',
    sent: 'Eine Bestätigung mit Kalendereinladung ist unterwegs an {email}.', addToCalendar: 'In meinen Kalender',
    changeUntil: 'Bis {when} können Sie ihn über den Link in der E-Mail ändern oder absagen.', done: 'Fertig',
    manageTitle: 'Ihr Termin', statusCancelled: 'Dieser Termin wurde abgesagt.',
    statusOver: 'Dieser Termin ist vorbei. Vielen Dank!', join: 'Jetzt zum Videogespräch',
    joinFrom: 'Ab {when} können Sie dem Videogespräch beitreten. Halten Sie diese Seite bereit.', reschedule: 'Andere Zeit wählen',
    cancel: 'Termin absagen', cancelSure: 'Diesen Termin absagen?', cancelYes: 'Ja, absagen',
    cancelNo: 'Nein, behalten', cancelled: 'Ihr Termin ist abgesagt. Sie erhalten eine Bestätigung.',
    tooLateToChange: 'Für eine Änderung online ist es zu spät. Bitte wenden Sie sich an den Shop.',
    move: 'Auf diese Zeit verschieben', moved: 'Ihr Termin ist verschoben. Sie erhalten eine neue Einladung.',
    waitingLine: 'Ihr Termin ist um {time}. Ihr Experte ist dann für Sie da: Lassen Sie diese Seite offen.',
  },
  fr: {
    title: 'Réserver un appel vidéo', lead: 'Choisissez un horaire. Les heures sont dans votre fuseau horaire ({zone}).',
    loading: 'Recherche des créneaux libres\u2026', none: 'Aucun créneau libre ces prochains jours. Essayez la file en direct ou revenez plus tard.',
    day: 'Jour', time: 'Heure', name: 'Votre nom', email: 'E-mail', phone: 'Téléphone', interest: 'Que recherchez-vous ?',
    notes: 'Autre chose à nous dire ?', consent: 'Vous pouvez me contacter par e-mail à propos de ce rendez-vous.',
    book: 'Réserver ce créneau', booking: 'Réservation\u2026', back: 'Retour', pick: 'Choisissez d\u2019abord un horaire.',
    booked: 'Votre appel vidéo est réservé', yourTime: 'Votre heure', shopTime: 'Heure de la boutique ({zone})',
    sent: 'Une confirmation avec une invitation d\u2019agenda est envoyée à {email}.', addToCalendar: 'Ajouter à mon agenda',
    changeUntil: 'Vous pouvez le modifier ou l\u2019annuler jusqu\u2019au {when}, avec le lien de l\u2019e-mail.', done: 'Terminé',
    manageTitle: 'Votre rendez-vous', statusCancelled: 'Ce rendez-vous a été annulé.',
    statusOver: 'Ce rendez-vous est passé. Merci !', join: 'Rejoindre l\u2019appel vidéo',
    joinFrom: 'Vous pourrez rejoindre l\u2019appel vidéo à partir du {when}. Gardez cette page sous la main.', reschedule: 'Choisir un autre horaire',
    cancel: 'Annuler le rendez-vous', cancelSure: 'Annuler ce rendez-vous ?', cancelYes: 'Oui, l\u2019annuler',
    cancelNo: 'Non, le garder', cancelled: 'Votre rendez-vous est annulé. Nous vous avons envoyé une confirmation.',
    tooLateToChange: 'Il est trop tard pour modifier ce rendez-vous en ligne. Contactez la boutique.',
    move: 'Déplacer à cet horaire', moved: 'Votre rendez-vous est déplacé. Nous vous avons envoyé une nouvelle invitation.',
    waitingLine: 'Votre rendez-vous est à {time}. Votre expert sera là à ce moment : gardez cette page ouverte.',
  },
  es: {
    title: 'Reservar una videollamada', lead: 'Elija un horario. Las horas están en su zona horaria ({zone}).',
    loading: 'Buscando horarios libres\u2026', none: 'No hay horarios libres en los próximos días. Pruebe la cola en directo o vuelva más tarde.',
    day: 'Día', time: 'Hora', name: 'Su nombre', email: 'Correo electrónico', phone: 'Teléfono', interest: '¿Qué está buscando?',
    notes: '¿Algo más que debamos saber?', consent: 'Pueden contactarme por correo sobre esta cita.',
    book: 'Reservar este horario', booking: 'Reservando\u2026', back: 'Volver', pick: 'Elija primero un horario.',
    booked: 'Su videollamada está reservada', yourTime: 'Su hora', shopTime: 'Hora de la tienda ({zone})',
    sent: 'Le enviamos una confirmación con una invitación de calendario a {email}.', addToCalendar: 'Añadir a mi calendario',
    changeUntil: 'Puede cambiarla o cancelarla hasta el {when}, con el enlace del correo.', done: 'Listo',
    manageTitle: 'Su cita', statusCancelled: 'Esta cita fue cancelada.',
    statusOver: 'Esta cita ya pasó. ¡Gracias!', join: 'Entrar ahora en la videollamada',
    joinFrom: 'Podrá entrar en la videollamada a partir del {when}. Tenga esta página a mano.', reschedule: 'Elegir otro horario',
    cancel: 'Cancelar la cita', cancelSure: '¿Cancelar esta cita?', cancelYes: 'Sí, cancelarla',
    cancelNo: 'No, mantenerla', cancelled: 'Su cita está cancelada. Le enviamos una confirmación.',
    tooLateToChange: 'Ya es tarde para cambiar esta cita en línea. Contacte con la tienda.',
    move: 'Mover a este horario', moved: 'Su cita se ha movido. Le enviamos una invitación actualizada.',
    waitingLine: 'Su cita es a las {time}. Su experto le atenderá entonces: mantenga esta página abierta.',
  },
};

/** Sentences for the booking API's and the booked join's codes (others: client.sentenceFor, in English). */
const PROBLEMS = {
  en: {
    slot_taken: 'Someone just took that time. Please pick another one.', slot_in_past: 'That time has passed. Please pick another one.',
    slot_outside_policy: 'That time cannot be booked any more. Please pick another one.',
    invalid_booking_link: 'This booking link is not valid any more. Please use the link in your latest email.',
    booking_not_found: 'We could not find this appointment.', booking_cancelled: 'This appointment was cancelled.',
    change_too_late: 'It is too late to change this appointment online. Please contact the shop.',
    arrival_too_early: 'It is a bit early: you can join shortly before your appointment.', invalid_ticket: 'You are already waiting for this appointment in another window or tab.', booking_over: 'This appointment is over.',
    name: 'Please enter your name.', email: 'Please enter a valid email address, such as ada@example.com.',
    phone: 'Please enter a valid phone number: digits, spaces and + ( ) . / - only.', consent: 'Please agree to be contacted about the appointment.',
    notes: 'Please keep your notes under 1,000 characters.', productInterest: 'Please describe what you are looking for in at most 500 characters.',
    rate_limited: 'That was a bit fast. Please wait a moment and try again.', calendar_unavailable: 'We could not reach the calendar just now. Please try again.',
    network: 'We could not reach the shop just now. Please check your connection and try again.',
  },
  de: {
    slot_taken: 'Diese Zeit wurde gerade vergeben. Bitte wählen Sie eine andere.', slot_in_past: 'Diese Zeit ist vorbei. Bitte wählen Sie eine andere.',
    slot_outside_policy: 'Diese Zeit kann nicht mehr gebucht werden. Bitte wählen Sie eine andere.',
    invalid_booking_link: 'Dieser Link ist nicht mehr gültig. Bitte nutzen Sie den Link aus Ihrer neuesten E-Mail.',
    booking_not_found: 'Wir finden diesen Termin nicht.', booking_cancelled: 'Dieser Termin wurde abgesagt.',
    change_too_late: 'Für eine Änderung online ist es zu spät. Bitte wenden Sie sich an den Shop.',
    arrival_too_early: 'Das ist etwas früh: Sie können kurz vor Ihrem Termin beitreten.', invalid_ticket: 'Sie warten bereits in einem anderen Fenster oder Tab auf diesen Termin.', booking_over: 'Dieser Termin ist vorbei.',
    name: 'Bitte geben Sie Ihren Namen ein.', email: 'Bitte geben Sie eine gültige E-Mail-Adresse ein, z. B. ada@example.com.',
    phone: 'Bitte geben Sie eine gültige Telefonnummer ein: Ziffern, Leerzeichen und + ( ) . / -.', consent: 'Bitte stimmen Sie der Kontaktaufnahme zu diesem Termin zu.',
    notes: 'Bitte halten Sie Ihre Notiz unter 1.000 Zeichen.', productInterest: 'Bitte beschreiben Sie Ihren Wunsch in höchstens 500 Zeichen.',
    rate_limited: 'Das ging etwas schnell. Bitte warten Sie kurz und versuchen Sie es erneut.', calendar_unavailable: 'Der Kalender ist gerade nicht erreichbar. Bitte versuchen Sie es erneut.',
    network: 'Der Shop ist gerade nicht erreichbar. Bitte prüfen Sie Ihre Verbindung.',
  },
  fr: {
    slot_taken: 'Ce créneau vient d\u2019être pris. Choisissez-en un autre.', slot_in_past: 'Ce créneau est passé. Choisissez-en un autre.',
    slot_outside_policy: 'Ce créneau ne peut plus être réservé. Choisissez-en un autre.',
    invalid_booking_link: 'Ce lien n\u2019est plus valable. Utilisez le lien de votre dernier e-mail.',
    booking_not_found: 'Nous ne trouvons pas ce rendez-vous.', booking_cancelled: 'Ce rendez-vous a été annulé.',
    change_too_late: 'Il est trop tard pour modifier ce rendez-vous en ligne. Contactez la boutique.',
    arrival_too_early: 'C\u2019est un peu tôt : vous pourrez rejoindre peu avant votre rendez-vous.', invalid_ticket: 'Vous attendez déjà ce rendez-vous dans une autre fenêtre ou un autre onglet.', booking_over: 'Ce rendez-vous est passé.',
    name: 'Indiquez votre nom.', email: 'Indiquez une adresse e-mail valide, par exemple ada@example.com.',
    phone: 'Indiquez un numéro valide : chiffres, espaces et + ( ) . / - uniquement.', consent: 'Acceptez d\u2019être contacté au sujet du rendez-vous.',
    notes: 'Limitez vos remarques à 1 000 caractères.', productInterest: 'Décrivez votre recherche en 500 caractères au plus.',
    rate_limited: 'C\u2019était un peu rapide. Patientez un instant et réessayez.', calendar_unavailable: 'L\u2019agenda est momentanément injoignable. Réessayez.',
    network: 'La boutique est momentanément injoignable. Vérifiez votre connexion.',
  },
  es: {
    slot_taken: 'Alguien acaba de reservar ese horario. Elija otro.', slot_in_past: 'Ese horario ya pasó. Elija otro.',
    slot_outside_policy: 'Ese horario ya no se puede reservar. Elija otro.',
    invalid_booking_link: 'Este enlace ya no es válido. Use el enlace de su último correo.',
    booking_not_found: 'No encontramos esta cita.', booking_cancelled: 'Esta cita fue cancelada.',
    change_too_late: 'Ya es tarde para cambiar esta cita en línea. Contacte con la tienda.',
    arrival_too_early: 'Es un poco pronto: podrá entrar poco antes de su cita.', invalid_ticket: 'Ya está esperando esta cita en otra ventana o pestaña.', booking_over: 'Esta cita ya pasó.',
    name: 'Escriba su nombre.', email: 'Escriba un correo válido, por ejemplo ada@example.com.',
    phone: 'Escriba un teléfono válido: solo dígitos, espacios y + ( ) . / -.', consent: 'Acepte que le contacten sobre la cita.',
    notes: 'Sus notas deben tener menos de 1.000 caracteres.', productInterest: 'Describa lo que busca en 500 caracteres como máximo.',
    rate_limited: 'Fue un poco rápido. Espere un momento e inténtelo de nuevo.', calendar_unavailable: 'No pudimos acceder al calendario. Inténtelo de nuevo.',
    network: 'No pudimos contactar con la tienda. Revise su conexión.',
  },
};

const DAYS = 14;
/** Answers after which a kept booking is of no more use. */
const FORGET = ['booking_cancelled', 'booking_over', 'booking_not_found', 'invalid_booking_link'];
const STYLES = [
  '.days { display: flex; gap: 6px; overflow-x: auto; padding-bottom: 4px; }',
  '.day, .slot { border: 1px solid #c9cdd8; background: #fff; border-radius: 8px; padding: 6px 10px; cursor: pointer; white-space: nowrap; font-size: 13px; }',
  '.day[aria-pressed="true"], .slot[aria-pressed="true"] { background: var(--accent); border-color: var(--accent); color: #fff; }',
  '.slots { display: grid; grid-template-columns: repeat(auto-fill, minmax(84px, 1fr)); gap: 6px; max-height: 150px; overflow: auto; }',
  '.times { margin: 0; display: grid; grid-template-columns: auto 1fr; gap: 2px 10px; }',
  '.times dt { color: #6b7080; font-size: 13px; }',
  '.times dd { margin: 0; font-weight: 600; }',
  '.actions { display: flex; flex-wrap: wrap; gap: 8px; }',
  '.link-button { color: var(--accent); font-weight: 600; }',
].join('\n');

export function mount(api) {
  const { client } = api;
  const { h } = client;
  const t = TEXTS[api.language] || TEXTS.en;
  const problems = PROBLEMS[api.language] || PROBLEMS.en;
  const zone = shopperZone();
  const state = { slots: [], day: null, slot: null, mode: 'book', token: null, booking: null, shopZone: null, timer: null };
  adoptStyles(api.root);

  // ---- The booking view: days, slots, the form ------------------------------------------------
  const lead = h('p', { class: 'lead' });
  const status = h('p', { id: 'booking-status', class: 'fineprint', role: 'status' });
  const days = h('div', { id: 'booking-days', class: 'days', role: 'group', 'aria-label': t.day });
  const slots = h('div', { id: 'booking-slots', class: 'slots', role: 'group', 'aria-label': t.time });
  const fields = {
    name: h('input', { id: 'booking-name', type: 'text', required: true, maxlength: 200, autocomplete: 'name' }),
    email: h('input', { id: 'booking-email', type: 'email', required: true, maxlength: 320, autocomplete: 'email' }),
    phone: h('input', { id: 'booking-phone', type: 'tel', maxlength: 40, autocomplete: 'tel' }),
    productInterest: h('input', { id: 'booking-interest', type: 'text', maxlength: 500 }),
    notes: h('textarea', { id: 'booking-notes', maxlength: 1000, rows: 2 }),
    consent: h('input', { id: 'booking-consent', type: 'checkbox' }),
    marketing: h('input', { id: 'booking-marketing', type: 'checkbox' }),
  };
  const details = h('div', { class: 'view-part' },
    field(t.name, fields.name, true), field(t.email, fields.email, true),
    field(t.phone, fields.phone), field(t.interest, fields.productInterest), field(t.notes, fields.notes),
    h('label', { class: 'check' }, fields.consent, h('span', {}, t.consent, h('span', { class: 'required', 'aria-hidden': 'true' }, ' *'))),
    h('label', { class: 'check' }, fields.marketing, h('span', {}, api.words.marketing)));
  const error = h('p', { id: 'booking-error', class: 'error', role: 'alert', hidden: true });
  const submit = h('button', { id: 'booking-submit', class: 'primary', type: 'submit' }, t.book);
  const back = h('button', { id: 'booking-back', class: 'secondary', type: 'button', onclick: goBack }, t.back);
  const bookView = h('form', { id: 'booking', class: 'view', novalidate: true, onsubmit: (event) => { event.preventDefault(); send(); } },
    h('h3', { class: 'question', tabindex: '-1' }, t.title), lead, status, days, slots, details, error,
    h('div', { class: 'buttons' }, back, submit));
  api.addView('booking', bookView);

  // ---- The confirmation, and the booking seen through its link -------------------------------
  const doneTitle = h('h3', { id: 'booked-title', class: 'question', tabindex: '-1' });
  const times = h('dl', { id: 'booked-times', class: 'times' });
  const doneNotes = h('div', { class: 'view-part' });
  const doneActions = h('div', { id: 'booked-actions', class: 'actions' });
  const doneError = h('p', { id: 'booked-error', class: 'error', role: 'alert', hidden: true });
  const doneView = h('div', { id: 'booked', class: 'view' }, doneTitle, times, doneNotes, doneError, doneActions);
  api.addView('booked', doneView);

  function open() {
    state.mode = 'book';
    submit.textContent = t.book;
    details.hidden = false;
    showBooking();
  }

  /** The booking of a signed token (the mail's link, or the one this browser kept); {join}: straight into the queue if it is time. */
  function manage(token, options) {
    state.token = token;
    call('POST', '/api/v1/widget/bookings/lookup', { token }).then((booking) => {
      showBooked(booking);
      const now = Date.now();
      const joinable = booking.status === 'booked' && now < Date.parse(booking.end)
        && now >= Date.parse(booking.joinableFrom || booking.start);
      if (options && options.join && joinable) join(booking);
    }, (problem) => {
      if (problem && FORGET.includes(problem.code)) remember(null);
      showNotice(sentence(problem));
    });
  }

  function join(booking) {
    api.joinBooking(state.token, fill(t.waitingLine, { time: time(booking.start, booking.timeZone || zone) }));
  }

  /** What this browser keeps of the booking (widget.js stores it as docs/widget.md says); null: forget it. */
  function remember(booking) {
    if (!api.remember) return;
    api.remember(booking && state.token ? { bookingId: booking.bookingId, token: state.token, start: booking.start,
      end: booking.end, joinableFrom: booking.joinableFrom } : null);
  }

  function showBooking() {
    error.hidden = true;
    lead.textContent = fill(t.lead, { zone });
    status.textContent = t.loading;
    days.replaceChildren();
    slots.replaceChildren();
    state.slot = null;
    api.setView('booking');
    focusTitle(bookView);
    const today = localDate(new Date(), zone);
    call('GET', '/api/v1/widget/slots?from=' + today + '&days=' + DAYS + '&timeZone=' + encodeURIComponent(zone)).then((answer) => {
      state.shopZone = answer.tenantTimeZone;
      state.slots = answer.slots.filter((slot) => slot.available > 0);
      status.textContent = state.slots.length ? '' : t.none;
      renderDays();
    }, (problem) => { status.textContent = sentence(problem); });
  }

  function renderDays() {
    const byDay = [];
    for (const slot of state.slots) {
      const day = slot.localStart.slice(0, 10);
      if (!byDay.includes(day)) byDay.push(day);
    }
    if (!byDay.includes(state.day)) state.day = byDay[0] || null;
    days.replaceChildren(...byDay.map((day) => {
      const noon = new Date(day + 'T12:00:00Z');
      const label = new Intl.DateTimeFormat(api.language, { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' }).format(noon);
      return h('button', { class: 'day', type: 'button', 'data-day': day, 'aria-pressed': String(day === state.day),
        onclick: () => { state.day = day; state.slot = null; renderDays(); } }, label);
    }));
    slots.replaceChildren(...state.slots.filter((slot) => slot.localStart.startsWith(state.day || '-')).map((slot) =>
      h('button', { class: 'slot', type: 'button', 'data-start': slot.start, 'aria-pressed': String(state.slot === slot.start),
        onclick: () => { state.slot = slot.start; renderDays(); focusSlot(slot.start); } }, time(slot.start, zone))));
  }

  function focusSlot(start) {
    const button = slots.querySelector('[data-start="' + start + '"]');
    if (button) button.focus();
  }

  function send() {
    error.hidden = true;
    if (!state.slot) return fail(t.pick);
    if (state.mode === 'reschedule') {
      submit.disabled = true;
      return call('POST', '/api/v1/widget/bookings/reschedule', { token: state.token, start: state.slot })
        .then((booking) => { showBooked(booking, t.moved); }, (problem) => { fail(sentence(problem), problem); })
        .finally(() => { submit.disabled = false; });
    }
    const name = fields.name.value.trim();
    const email = fields.email.value.trim();
    const problem = !name ? 'name' : !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email) ? 'email'
      : fields.phone.value.trim() && !/^\+?[0-9 ()./-]{3,40}$/.test(fields.phone.value.trim()) ? 'phone'
      : !fields.consent.checked ? 'consent' : null;
    if (problem) return fail(problems[problem], { errors: [{ field: problem }] });
    submit.disabled = true;
    submit.textContent = t.booking;
    call('POST', '/api/v1/widget/bookings', {
      start: state.slot, name, email,
      phone: fields.phone.value.trim() || null,
      productInterest: fields.productInterest.value.trim() || null,
      notes: fields.notes.value.trim() || null,
      timeZone: zone, language: api.language, consent: true,
      policyVersion: api.policyVersion, purposes: fields.marketing.checked ? ['marketing'] : null,
    }).then((booking) => {
      state.token = booking.manageToken;
      api.consented(booking.consentToken);
      showBooked(booking, null, email);
    }, (problem) => {
      fail(sentence(problem), problem);
      if (problem && (problem.code === 'slot_taken' || problem.code === 'slot_outside_policy' || problem.code === 'slot_in_past')) {
        showBooking();
        error.textContent = sentence(problem);
        error.hidden = false;
      }
    }).finally(() => { submit.disabled = false; submit.textContent = state.mode === 'reschedule' ? t.move : t.book; });
  }

  function fail(text, problem) {
    error.textContent = text;
    error.hidden = false;
    const field = problem && problem.errors && problem.errors[0] && fields[problem.errors[0].field];
    if (field) {
      field.setAttribute('aria-invalid', 'true');
      field.focus();
      field.addEventListener('input', () => field.removeAttribute('aria-invalid'), { once: true });
      field.addEventListener('change', () => field.removeAttribute('aria-invalid'), { once: true });
    }
  }

  /** The booking as the shopper may use it now: times in both zones, then what they can do with it. */
  function showBooked(booking, note, email) {
    state.booking = booking;
    clearTimeout(state.timer);
    const shopper = booking.timeZone || zone;
    doneError.hidden = true;
    doneTitle.textContent = email ? t.booked : t.manageTitle;
    times.replaceChildren(
      h('dt', {}, t.yourTime), h('dd', { id: 'booked-local' }, when(booking.start, shopper) + ' (' + shopper + ')'),
      booking.tenantTimeZone && booking.tenantTimeZone !== shopper ? h('dt', {}, fill(t.shopTime, { zone: booking.tenantTimeZone })) : null,
      booking.tenantTimeZone && booking.tenantTimeZone !== shopper ? h('dd', { id: 'booked-shop' }, when(booking.start, booking.tenantTimeZone)) : null);
    const now = Date.now();
    const start = Date.parse(booking.start);
    const end = Date.parse(booking.end);
    const joinableFrom = booking.joinableFrom ? Date.parse(booking.joinableFrom) : start;
    const changeableUntil = booking.changeableUntil ? Date.parse(booking.changeableUntil) : start;
    const active = booking.status === 'booked' && now < end;
    remember(active ? booking : null);
    const notes = [];
    if (note) notes.push(note);
    if (email) notes.push(fill(t.sent, { email }));
    if (booking.status === 'cancelled') notes.push(t.statusCancelled);
    else if (!active) notes.push(t.statusOver);
    else if (now < changeableUntil) notes.push(fill(t.changeUntil, { when: when(booking.changeableUntil, shopper) }));
    if (active && now < joinableFrom) notes.push(fill(t.joinFrom, { when: when(booking.joinableFrom, shopper) }));
    doneNotes.replaceChildren(...notes.map((text) => h('p', { class: 'lead' }, text)));

    const actions = [];
    if (active && now >= joinableFrom) {
      actions.push(h('button', { id: 'booked-join', class: 'primary', type: 'button', onclick: () => join(booking) }, t.join));
    } else if (active) {
      // Shown when the time comes, if the page is still open (at most a day ahead: timers drift).
      const wait = joinableFrom - now;
      if (wait < 24 * 3600 * 1000) state.timer = setTimeout(() => showBooked(booking, note, email), wait + 500);
    }
    if (email && booking.invitation) {
      const ics = URL.createObjectURL(new Blob([booking.invitation], { type: 'text/calendar' }));
      actions.push(h('a', { id: 'booked-ics', class: 'secondary link-button', href: ics, download: 'video-call.ics' }, t.addToCalendar));
    }
    if (active && now < changeableUntil) {
      actions.push(h('button', { id: 'booked-reschedule', class: 'secondary', type: 'button', onclick: reschedule }, t.reschedule));
      actions.push(h('button', { id: 'booked-cancel', class: 'secondary', type: 'button', onclick: askCancel }, t.cancel));
    }
    actions.push(h('button', { id: 'booked-done', class: 'secondary', type: 'button', onclick: () => { api.setView('form'); api.setOpen(false); } }, t.done));
    doneActions.replaceChildren(...actions);
    api.setView('booked');
    focusTitle(doneView);
  }

  function reschedule() {
    state.mode = 'reschedule';
    submit.textContent = t.move;
    details.hidden = true;
    showBooking();
  }

  function askCancel() {
    doneNotes.replaceChildren(h('p', { class: 'lead' }, t.cancelSure));
    doneActions.replaceChildren(
      h('button', { id: 'cancel-yes', class: 'primary', type: 'button', onclick: (event) => {
        event.target.disabled = true;
        call('POST', '/api/v1/widget/bookings/cancel', { token: state.token }).then((booking) => showBooked(booking, t.cancelled),
          (problem) => { showBooked(state.booking); doneError.textContent = sentence(problem); doneError.hidden = false; });
      } }, t.cancelYes),
      h('button', { id: 'cancel-no', class: 'secondary', type: 'button', onclick: () => showBooked(state.booking) }, t.cancelNo));
    doneActions.querySelector('#cancel-no').focus();
  }

  function goBack() {
    if (state.mode === 'reschedule' && state.booking) showBooked(state.booking);
    else api.setView('form');
  }

  /** A booked shopper's join the queue refused (widget.js hands it over): said in the booking's view. */
  function joinRefused(problem) {
    if (problem && FORGET.includes(problem.code)) remember(null);
    if (state.booking) {
      showBooked(state.booking);
      doneError.textContent = sentence(problem);
      doneError.hidden = false;
    } else {
      showNotice(sentence(problem));
    }
  }

  function showNotice(text) {
    doneTitle.textContent = t.manageTitle;
    times.replaceChildren();
    doneNotes.replaceChildren();
    doneError.textContent = text;
    doneError.hidden = false;
    doneActions.replaceChildren(h('button', { class: 'secondary', type: 'button', onclick: () => api.setView('form') }, t.back));
    api.setView('booked');
  }

  // ---- Small pieces --------------------------------------------------------------------------
  function call(method, path, body) {
    const headers = { 'X-Widget-Key': api.key || '' };
    if (body) headers['Content-Type'] = 'application/json';
    return fetch(api.base + path, { method, headers, credentials: 'omit', body: body ? JSON.stringify(body) : undefined })
      .then((response) => response.json().catch(() => ({})).then((json) => {
        if (!response.ok) throw Object.assign({ code: 'http_' + response.status }, json);
        return json;
      }), () => { throw { code: 'network' }; });
  }

  function sentence(problem) {
    if (!problem) return client.sentenceFor(null);
    const field = problem.errors && problem.errors[0] && problem.errors[0].field;
    if ((problem.code === 'validation_failed' || problem.code === 'invalid_field') && (problems[field] || problems[problem.field])) {
      return problems[field] || problems[problem.field];
    }
    if (problem.code === 'slot_outside_policy' && problems.slot_outside_policy) return problems.slot_outside_policy;
    return problems[problem.code] || client.sentenceFor(problem);
  }

  function field(text, control, required) {
    return h('label', { class: 'field', for: control.id },
      h('span', {}, text, required ? h('span', { class: 'required', 'aria-hidden': 'true' }, ' *') : null), control);
  }

  function focusTitle(view) {
    setTimeout(() => { const title = view.querySelector('h3'); if (title) title.focus(); }, 0);
  }

  return { open, manage, joinRefused };
}

function shopperZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch (e) {
    return 'UTC';
  }
}

function fill(text, values) {
  return text.replace(/\{(\w+)\}/g, (all, name) => (values[name] == null ? all : values[name]));
}

/** The local date (YYYY-MM-DD) of an instant in a zone. */
function localDate(at, zone) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(at);
  const part = (type) => parts.find((p) => p.type === type).value;
  return part('year') + '-' + part('month') + '-' + part('day');
}

function locale() {
  return (navigator.languages && navigator.languages[0]) || navigator.language || 'en';
}

function time(iso, zone) {
  return new Intl.DateTimeFormat(locale(), { hour: '2-digit', minute: '2-digit', timeZone: zone }).format(new Date(iso));
}

function when(iso, zone) {
  return new Intl.DateTimeFormat(locale(), { weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit', timeZone: zone })
    .format(new Date(iso));
}

/** Our rules next to the widget's, as a constructed sheet (no inline style: strict CSPs allow it). */
function adoptStyles(root) {
  if (!root || root.adoptedStyleSheets === undefined || typeof CSSStyleSheet !== 'function') return;
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLES);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  } catch (e) { /* the widget's own styles still apply */ }
}
