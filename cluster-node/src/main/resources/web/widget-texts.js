// Everything the shopper's widget says, in English, German, French and Spanish (docs/widget.md),
// and how it picks one: the first of the browser's languages it has (en-US matches en), else the
// store's default, else English. widget.js imports this with client.js; `{name}` marks a value.

export const LANGUAGES = ['en', 'de', 'fr', 'es'];

/** The language of the widget's texts: the first of `wanted` (browser tags) we have, else `storeDefault`, else en. */
export function pickLanguage(wanted, storeDefault) {
  const all = (wanted || []).concat(storeDefault ? [storeDefault] : []);
  for (const tag of all) {
    const primary = String(tag || '').toLowerCase().split('-')[0];
    if (TEXTS[primary]) return primary;
  }
  return 'en';
}

export const TEXTS = {
  en: {
    launcher: 'Video call with an expert', title: 'Live video shopping', subtitle: 'Talk face to face with one of our experts',
    lead: 'Leave your name and we will connect you with an expert for a video call.', name: 'Your name', email: 'Email', phone: 'Phone',
    interest: 'What are you looking for?', interestExample: 'e.g. trail running shoes', notes: 'Anything else we should know?',
    consent: 'You may contact me by email or phone about this request.', marketing: 'Send me news and offers from this shop by email (optional).', join: 'Join the queue',
    fineprint: 'Your camera and microphone are only used during the call, after you agree in your browser.',
    minimise: 'Minimise', connecting: 'Connecting\u2026', back: 'Back', close: 'Close',
    next: 'You are next in line.', number: 'You are number {n} in line.', leave: 'Leave the queue', bookInstead: 'Book a time instead', joinAppointment: 'Join your appointment', yourAppointment: 'Your appointment: {when}', timedOut: 'Sorry, nobody could take your call in time. You are welcome to join again or book a time.',
    keepOpen: 'Keep this page open. You can browse the store in the meantime.',
    estimatedWait: 'Estimated wait: {wait}.', noEstimate: 'We will tell you the wait as soon as an expert is online.',
    waitUnderMinute: 'less than a minute', waitUpTo: 'up to {high} minutes', waitAbout: 'about {low} to {high} minutes',
    dropped: 'The connection dropped. Reconnecting\u2026 you keep your place.', reconnecting: 'Reconnecting\u2026 you keep your place.',
    abandoned: 'You were away for too long, so your place in the queue was given up. You are welcome to join again.',
    inCall: 'You are in a video call', connectingExpert: 'Connecting you to your expert\u2026',
    waitingExpert: 'Waiting for your expert to join\u2026', expertJoining: 'Your expert is joining\u2026',
    expertDropped: 'Your expert\'s connection dropped. Waiting for them to come back\u2026', reconnectingCall: 'Reconnecting to the call\u2026',
    videoConnecting: 'Connecting video\u2026', videoUnstable: 'The connection is unstable\u2026', videoFailed: 'The video connection failed. Trying again\u2026',
    noCamera: 'We could not use your camera: your expert hears you but cannot see you.',
    noMedia: 'We could not use your camera or microphone. You can still see your expert and the products; allow the camera in your browser and reload to talk.',
    mute: 'Mute microphone', cameraOff: 'Turn camera off', endCall: 'End call', ending: 'Ending the call\u2026',
    productsInCall: 'Products in this call', productsEmpty: 'Products your expert shows you appear here.',
    addToCart: 'Add to cart', added: 'Added \u2713', view: 'View',
    mayEnd: 'This call may end in about {duration}.',
    noShow: 'Your expert could not join the call. We are sorry! Please join the queue again.',
    lostReplaced: 'Your call goes on in another tab or window.',
    lostNeverJoined: 'We could not connect you to the call. Please join the queue again.',
    lostConnection: 'We lost the connection to the call. Please join the queue again if you would like more help.',
    endedByYou: 'You ended the call.', endedByExpert: 'Your expert ended the call.', endedMaxLength: 'The call reached its maximum length.',
    endedLost: 'The call ended because a connection was lost.', ended: 'The call has ended.', lasted: 'It lasted {duration}.',
    howWasCall: 'How was your call?', rating: 'Rating', star: '{n} star', stars: '{n} stars', comment: 'Comment',
    commentExample: 'Tell us what went well or what we could do better (optional)', noThanks: 'No, thanks', send: 'Send',
    thanks: 'Thank you for your feedback!',
    today: 'today at {time}', tomorrow: 'tomorrow at {time}', onDay: '{day} at {time}',
    codes: {
      queue_full: 'So many shoppers are waiting right now that we cannot take more. Please try again in a few minutes.',
      queue_closed: 'Our experts are not available right now. Please come back during our opening hours.',
      queue_closed_until: 'Our experts are not available right now. We open again {when}.',
      tenant_suspended: 'Live video help is not available on this store at the moment.',
      insufficient_funds: 'Live video help is not available on this store at the moment. Please try again later.',
      plan_limit: 'Live video help is not available on this store at the moment. Please try again later.',
      unknown_ticket: 'Your place in the queue has expired. You are welcome to join again.',
      invalid_ticket: 'Your place in the queue has expired. You are welcome to join again.',
      invalid_resume_token: 'Your place in the queue has expired. You are welcome to join again.',
      origin_not_allowed: 'Live video help is not enabled on this website.',
      widget_key_invalid: 'Live video help is not available on this website right now.',
      widget_key_missing: 'Live video help is not set up correctly on this website.',
      already_queued: 'You already have a place in the queue.',
      not_in_queue: 'You are not in the queue any more.',
      request_in_progress: 'Just a moment: we are still working on your last request.',
      unavailable: 'We could not reach the queue just now. Please try again.',
      rate_limited: 'That was a bit fast. Please wait a moment and try again.',
      too_many_joins: 'That was a bit fast. Please wait a moment and try again.',
      too_many_connections: 'Too many windows are open for video help. Please close one and try again.',
      frame_too_large: 'That message is too long. Please shorten it.',
      not_allowed_for_role: 'That is not something you can do in this call.',
      invalid_signal: 'The video connection could not be set up.',
      call_not_started: 'The call has not started yet.',
      call_ended: 'The call has already ended.',
      call_not_ended: 'You can rate the call once it has ended.',
      unknown_product: 'That product is not part of this call.',
      already_given: 'This has already been sent. Thank you!',
      validation_failed: 'Please check what you entered.',
      something_wrong: 'Something went wrong. Please try again.',
    },
    fields: {
      name: 'Please enter your name (up to 100 characters).',
      email: 'Please enter a valid email address, such as ada@example.com.',
      phone: 'Please enter a valid phone number: digits, spaces and + ( ) . / - only.',
      productInterest: 'Please describe what you are looking for in at most 200 characters.',
      productUrl: 'Please enter a web address starting with https://.',
      notes: 'Please keep your notes under 500 characters.',
      language: 'Your browser\'s language could not be used. Please try again.',
      comment: 'Please keep your comment under 1,000 characters.',
      rating: 'Please choose between 1 and 5 stars.',
    },
  },
  de: {
    launcher: 'Videoberatung mit einem Experten', title: 'Live-Videoberatung', subtitle: 'Sprechen Sie persönlich mit einem unserer Experten',
    lead: 'Nennen Sie uns Ihren Namen, und wir verbinden Sie per Video mit einem Experten.', name: 'Ihr Name', email: 'E-Mail', phone: 'Telefon',
    interest: 'Wonach suchen Sie?', interestExample: 'z. B. Trailrunning-Schuhe', notes: 'Sollen wir noch etwas wissen?',
    consent: 'Sie dürfen mich zu dieser Anfrage per E-Mail oder Telefon kontaktieren.', marketing: 'Schicken Sie mir Neuigkeiten und Angebote dieses Shops per E-Mail (freiwillig).', join: 'In die Warteschlange',
    fineprint: 'Kamera und Mikrofon werden nur während des Gesprächs genutzt, nachdem Sie im Browser zugestimmt haben.',
    minimise: 'Minimieren', connecting: 'Verbindung wird hergestellt\u2026', back: 'Zurück', close: 'Schließen',
    next: 'Sie sind als Nächstes dran.', number: 'Sie sind Nummer {n} in der Warteschlange.', leave: 'Warteschlange verlassen', bookInstead: 'Lieber einen Termin buchen', joinAppointment: 'Zu Ihrem Termin', yourAppointment: 'Ihr Termin: {when}', timedOut: 'Leider konnte niemand Ihren Anruf rechtzeitig annehmen. Sie können sich gern erneut anstellen oder einen Termin buchen.',
    keepOpen: 'Lassen Sie diese Seite geöffnet. Sie können währenddessen im Shop stöbern.',
    estimatedWait: 'Voraussichtliche Wartezeit: {wait}.', noEstimate: 'Wir nennen Ihnen die Wartezeit, sobald ein Experte online ist.',
    waitUnderMinute: 'weniger als eine Minute', waitUpTo: 'bis zu {high} Minuten', waitAbout: 'etwa {low} bis {high} Minuten',
    dropped: 'Die Verbindung ist abgebrochen. Neue Verbindung\u2026 Ihr Platz bleibt erhalten.', reconnecting: 'Neue Verbindung\u2026 Ihr Platz bleibt erhalten.',
    abandoned: 'Sie waren zu lange weg, daher wurde Ihr Platz in der Warteschlange freigegeben. Sie können sich gern wieder anstellen.',
    inCall: 'Sie sind in einem Videogespräch', connectingExpert: 'Sie werden mit Ihrem Experten verbunden\u2026',
    waitingExpert: 'Warten auf Ihren Experten\u2026', expertJoining: 'Ihr Experte kommt dazu\u2026',
    expertDropped: 'Die Verbindung Ihres Experten ist abgebrochen. Warten, bis er zurück ist\u2026', reconnectingCall: 'Neue Verbindung zum Gespräch\u2026',
    videoConnecting: 'Video wird verbunden\u2026', videoUnstable: 'Die Verbindung ist instabil\u2026', videoFailed: 'Die Videoverbindung ist fehlgeschlagen. Neuer Versuch\u2026',
    noCamera: 'Ihre Kamera ließ sich nicht nutzen: Ihr Experte hört Sie, sieht Sie aber nicht.',
    noMedia: 'Kamera und Mikrofon ließen sich nicht nutzen. Sie sehen Ihren Experten und die Produkte trotzdem; erlauben Sie die Kamera im Browser und laden Sie neu, um zu sprechen.',
    mute: 'Mikrofon stummschalten', cameraOff: 'Kamera ausschalten', endCall: 'Gespräch beenden', ending: 'Gespräch wird beendet\u2026',
    productsInCall: 'Produkte in diesem Gespräch', productsEmpty: 'Hier erscheinen die Produkte, die Ihr Experte Ihnen zeigt.',
    addToCart: 'In den Warenkorb', added: 'Hinzugefügt \u2713', view: 'Ansehen',
    mayEnd: 'Dieses Gespräch endet möglicherweise in etwa {duration}.',
    noShow: 'Ihr Experte konnte nicht dazukommen. Das tut uns leid! Bitte stellen Sie sich erneut an.',
    lostReplaced: 'Ihr Gespräch läuft in einem anderen Tab oder Fenster weiter.',
    lostNeverJoined: 'Wir konnten Sie nicht mit dem Gespräch verbinden. Bitte stellen Sie sich erneut an.',
    lostConnection: 'Die Verbindung zum Gespräch ist verloren. Stellen Sie sich gern erneut an, wenn Sie weitere Hilfe möchten.',
    endedByYou: 'Sie haben das Gespräch beendet.', endedByExpert: 'Ihr Experte hat das Gespräch beendet.', endedMaxLength: 'Das Gespräch hat seine Höchstdauer erreicht.',
    endedLost: 'Das Gespräch endete, weil eine Verbindung verloren ging.', ended: 'Das Gespräch ist beendet.', lasted: 'Es dauerte {duration}.',
    howWasCall: 'Wie war Ihr Gespräch?', rating: 'Bewertung', star: '{n} Stern', stars: '{n} Sterne', comment: 'Kommentar',
    commentExample: 'Was war gut, was können wir besser machen? (optional)', noThanks: 'Nein, danke', send: 'Senden',
    thanks: 'Vielen Dank für Ihre Rückmeldung!',
    today: 'heute um {time}', tomorrow: 'morgen um {time}', onDay: '{day} um {time}',
    codes: {
      queue_full: 'Gerade warten so viele Kunden, dass wir niemanden mehr aufnehmen können. Bitte versuchen Sie es in einigen Minuten erneut.',
      queue_closed: 'Unsere Experten sind gerade nicht erreichbar. Bitte kommen Sie während unserer Öffnungszeiten wieder.',
      queue_closed_until: 'Unsere Experten sind gerade nicht erreichbar. Wir sind wieder da {when}.',
      tenant_suspended: 'Die Videoberatung ist in diesem Shop derzeit nicht verfügbar.',
      insufficient_funds: 'Die Videoberatung ist in diesem Shop derzeit nicht verfügbar. Bitte versuchen Sie es später erneut.',
      plan_limit: 'Die Videoberatung ist in diesem Shop derzeit nicht verfügbar. Bitte versuchen Sie es später erneut.',
      unknown_ticket: 'Ihr Platz in der Warteschlange ist abgelaufen. Sie können sich gern wieder anstellen.',
      invalid_ticket: 'Ihr Platz in der Warteschlange ist abgelaufen. Sie können sich gern wieder anstellen.',
      invalid_resume_token: 'Ihr Platz in der Warteschlange ist abgelaufen. Sie können sich gern wieder anstellen.',
      origin_not_allowed: 'Die Videoberatung ist auf dieser Website nicht eingerichtet.',
      widget_key_invalid: 'Die Videoberatung ist auf dieser Website gerade nicht verfügbar.',
      widget_key_missing: 'Die Videoberatung ist auf dieser Website nicht richtig eingerichtet.',
      already_queued: 'Sie haben bereits einen Platz in der Warteschlange.',
      not_in_queue: 'Sie sind nicht mehr in der Warteschlange.',
      request_in_progress: 'Einen Moment bitte: Ihre letzte Anfrage wird noch bearbeitet.',
      unavailable: 'Die Warteschlange war gerade nicht erreichbar. Bitte versuchen Sie es erneut.',
      rate_limited: 'Das ging etwas schnell. Bitte warten Sie einen Moment und versuchen Sie es erneut.',
      too_many_joins: 'Das ging etwas schnell. Bitte warten Sie einen Moment und versuchen Sie es erneut.',
      too_many_connections: 'Zu viele Fenster mit Videoberatung sind geöffnet. Bitte schließen Sie eines und versuchen Sie es erneut.',
      frame_too_large: 'Diese Nachricht ist zu lang. Bitte kürzen Sie sie.',
      not_allowed_for_role: 'Das ist in diesem Gespräch nicht möglich.',
      invalid_signal: 'Die Videoverbindung ließ sich nicht aufbauen.',
      call_not_started: 'Das Gespräch hat noch nicht begonnen.',
      call_ended: 'Das Gespräch ist bereits beendet.',
      call_not_ended: 'Sie können das Gespräch bewerten, sobald es beendet ist.',
      unknown_product: 'Dieses Produkt gehört nicht zu diesem Gespräch.',
      already_given: 'Das wurde bereits gesendet. Vielen Dank!',
      validation_failed: 'Bitte prüfen Sie Ihre Eingaben.',
      something_wrong: 'Etwas ist schiefgegangen. Bitte versuchen Sie es erneut.',
    },
    fields: {
      name: 'Bitte geben Sie Ihren Namen ein (bis zu 100 Zeichen).',
      email: 'Bitte geben Sie eine gültige E-Mail-Adresse ein, etwa ada@example.com.',
      phone: 'Bitte geben Sie eine gültige Telefonnummer ein: nur Ziffern, Leerzeichen und + ( ) . / -.',
      productInterest: 'Bitte beschreiben Sie in höchstens 200 Zeichen, wonach Sie suchen.',
      productUrl: 'Bitte geben Sie eine Webadresse ein, die mit https:// beginnt.',
      notes: 'Bitte halten Sie Ihre Hinweise unter 500 Zeichen.',
      language: 'Die Sprache Ihres Browsers ließ sich nicht verwenden. Bitte versuchen Sie es erneut.',
      comment: 'Bitte halten Sie Ihren Kommentar unter 1.000 Zeichen.',
      rating: 'Bitte wählen Sie 1 bis 5 Sterne.',
    },
  },
  fr: {
    launcher: 'Appel vidéo avec un expert', title: 'Shopping vidéo en direct', subtitle: 'Parlez en face à face avec l\u2019un de nos experts',
    lead: 'Indiquez votre nom et nous vous mettrons en relation vidéo avec un expert.', name: 'Votre nom', email: 'E-mail', phone: 'Téléphone',
    interest: 'Que recherchez-vous ?', interestExample: 'p. ex. chaussures de trail', notes: 'Autre chose à nous dire ?',
    consent: 'Vous pouvez me contacter par e-mail ou par téléphone à propos de cette demande.', marketing: 'Envoyez-moi les nouveautés et offres de cette boutique par e-mail (facultatif).', join: 'Rejoindre la file',
    fineprint: 'Votre caméra et votre micro ne servent que pendant l\u2019appel, après votre accord dans le navigateur.',
    minimise: 'Réduire', connecting: 'Connexion\u2026', back: 'Retour', close: 'Fermer',
    next: 'Vous êtes le prochain.', number: 'Vous êtes numéro {n} dans la file.', leave: 'Quitter la file', bookInstead: 'Réserver plutôt un créneau', joinAppointment: 'Rejoindre votre rendez-vous', yourAppointment: 'Votre rendez-vous : {when}', timedOut: 'Désolé, personne n\u2019a pu prendre votre appel à temps. Vous pouvez rejoindre la file à nouveau ou réserver un créneau.',
    keepOpen: 'Gardez cette page ouverte. Vous pouvez parcourir la boutique en attendant.',
    estimatedWait: 'Attente estimée : {wait}.', noEstimate: 'Nous vous indiquerons l\u2019attente dès qu\u2019un expert sera en ligne.',
    waitUnderMinute: 'moins d\u2019une minute', waitUpTo: 'jusqu\u2019à {high} minutes', waitAbout: 'environ {low} à {high} minutes',
    dropped: 'La connexion a été coupée. Reconnexion\u2026 vous gardez votre place.', reconnecting: 'Reconnexion\u2026 vous gardez votre place.',
    abandoned: 'Vous êtes resté absent trop longtemps, votre place dans la file a donc été libérée. Vous pouvez la rejoindre à nouveau.',
    inCall: 'Vous êtes en appel vidéo', connectingExpert: 'Mise en relation avec votre expert\u2026',
    waitingExpert: 'En attente de votre expert\u2026', expertJoining: 'Votre expert arrive\u2026',
    expertDropped: 'La connexion de votre expert a été coupée. En attente de son retour\u2026', reconnectingCall: 'Reconnexion à l\u2019appel\u2026',
    videoConnecting: 'Connexion de la vidéo\u2026', videoUnstable: 'La connexion est instable\u2026', videoFailed: 'La connexion vidéo a échoué. Nouvel essai\u2026',
    noCamera: 'Impossible d\u2019utiliser votre caméra : votre expert vous entend mais ne vous voit pas.',
    noMedia: 'Impossible d\u2019utiliser votre caméra ou votre micro. Vous voyez quand même votre expert et les produits ; autorisez la caméra dans votre navigateur et rechargez la page pour parler.',
    mute: 'Couper le micro', cameraOff: 'Couper la caméra', endCall: 'Raccrocher', ending: 'Fin de l\u2019appel\u2026',
    productsInCall: 'Produits de cet appel', productsEmpty: 'Les produits que votre expert vous montre apparaissent ici.',
    addToCart: 'Ajouter au panier', added: 'Ajouté \u2713', view: 'Voir',
    mayEnd: 'Cet appel pourrait se terminer dans environ {duration}.',
    noShow: 'Votre expert n\u2019a pas pu rejoindre l\u2019appel. Nous en sommes désolés ! Veuillez rejoindre la file à nouveau.',
    lostReplaced: 'Votre appel continue dans un autre onglet ou une autre fenêtre.',
    lostNeverJoined: 'Nous n\u2019avons pas pu vous connecter à l\u2019appel. Veuillez rejoindre la file à nouveau.',
    lostConnection: 'La connexion à l\u2019appel a été perdue. Rejoignez la file à nouveau si vous souhaitez plus d\u2019aide.',
    endedByYou: 'Vous avez mis fin à l\u2019appel.', endedByExpert: 'Votre expert a mis fin à l\u2019appel.', endedMaxLength: 'L\u2019appel a atteint sa durée maximale.',
    endedLost: 'L\u2019appel s\u2019est terminé car une connexion a été perdue.', ended: 'L\u2019appel est terminé.', lasted: 'Il a duré {duration}.',
    howWasCall: 'Comment s\u2019est passé votre appel ?', rating: 'Note', star: '{n} étoile', stars: '{n} étoiles', comment: 'Commentaire',
    commentExample: 'Dites-nous ce qui était bien ou ce que nous pourrions améliorer (facultatif)', noThanks: 'Non merci', send: 'Envoyer',
    thanks: 'Merci pour votre avis !',
    today: 'aujourd\u2019hui à {time}', tomorrow: 'demain à {time}', onDay: '{day} à {time}',
    codes: {
      queue_full: 'Tant de clients attendent en ce moment que nous ne pouvons pas en accueillir davantage. Veuillez réessayer dans quelques minutes.',
      queue_closed: 'Nos experts ne sont pas disponibles pour le moment. Revenez pendant nos heures d\u2019ouverture.',
      queue_closed_until: 'Nos experts ne sont pas disponibles pour le moment. Nous serons de retour {when}.',
      tenant_suspended: 'L\u2019aide vidéo en direct n\u2019est pas disponible sur cette boutique pour le moment.',
      insufficient_funds: 'L\u2019aide vidéo en direct n\u2019est pas disponible sur cette boutique pour le moment. Veuillez réessayer plus tard.',
      plan_limit: 'L\u2019aide vidéo en direct n\u2019est pas disponible sur cette boutique pour le moment. Veuillez réessayer plus tard.',
      unknown_ticket: 'Votre place dans la file a expiré. Vous pouvez la rejoindre à nouveau.',
      invalid_ticket: 'Votre place dans la file a expiré. Vous pouvez la rejoindre à nouveau.',
      invalid_resume_token: 'Votre place dans la file a expiré. Vous pouvez la rejoindre à nouveau.',
      origin_not_allowed: 'L\u2019aide vidéo en direct n\u2019est pas activée sur ce site.',
      widget_key_invalid: 'L\u2019aide vidéo en direct n\u2019est pas disponible sur ce site pour le moment.',
      widget_key_missing: 'L\u2019aide vidéo en direct n\u2019est pas correctement configurée sur ce site.',
      already_queued: 'Vous avez déjà une place dans la file.',
      not_in_queue: 'Vous n\u2019êtes plus dans la file.',
      request_in_progress: 'Un instant : nous traitons encore votre dernière demande.',
      unavailable: 'La file n\u2019a pas pu être jointe. Veuillez réessayer.',
      rate_limited: 'C\u2019était un peu rapide. Patientez un instant et réessayez.',
      too_many_joins: 'C\u2019était un peu rapide. Patientez un instant et réessayez.',
      too_many_connections: 'Trop de fenêtres d\u2019aide vidéo sont ouvertes. Fermez-en une et réessayez.',
      frame_too_large: 'Ce message est trop long. Veuillez le raccourcir.',
      not_allowed_for_role: 'Ce n\u2019est pas possible dans cet appel.',
      invalid_signal: 'La connexion vidéo n\u2019a pas pu être établie.',
      call_not_started: 'L\u2019appel n\u2019a pas encore commencé.',
      call_ended: 'L\u2019appel est déjà terminé.',
      call_not_ended: 'Vous pourrez noter l\u2019appel une fois terminé.',
      unknown_product: 'Ce produit ne fait pas partie de cet appel.',
      already_given: 'C\u2019est déjà envoyé. Merci !',
      validation_failed: 'Veuillez vérifier votre saisie.',
      something_wrong: 'Une erreur s\u2019est produite. Veuillez réessayer.',
    },
    fields: {
      name: 'Veuillez saisir votre nom (100 caractères au plus).',
      email: 'Veuillez saisir une adresse e-mail valide, par exemple ada@example.com.',
      phone: 'Veuillez saisir un numéro de téléphone valide : chiffres, espaces et + ( ) . / - uniquement.',
      productInterest: 'Veuillez décrire ce que vous recherchez en 200 caractères au plus.',
      productUrl: 'Veuillez saisir une adresse web commençant par https://.',
      notes: 'Veuillez limiter vos remarques à 500 caractères.',
      language: 'La langue de votre navigateur n\u2019a pas pu être utilisée. Veuillez réessayer.',
      comment: 'Veuillez limiter votre commentaire à 1 000 caractères.',
      rating: 'Veuillez choisir entre 1 et 5 étoiles.',
    },
  },
  es: {
    launcher: 'Videollamada con un experto', title: 'Compras por vídeo en directo', subtitle: 'Hable cara a cara con uno de nuestros expertos',
    lead: 'Déjenos su nombre y le pondremos en videollamada con un experto.', name: 'Su nombre', email: 'Correo electrónico', phone: 'Teléfono',
    interest: '¿Qué está buscando?', interestExample: 'p. ej. zapatillas de trail', notes: '¿Algo más que debamos saber?',
    consent: 'Pueden contactarme por correo o teléfono sobre esta solicitud.', marketing: 'Envíenme novedades y ofertas de esta tienda por correo (opcional).', join: 'Unirse a la cola',
    fineprint: 'La cámara y el micrófono solo se usan durante la llamada, después de que lo acepte en su navegador.',
    minimise: 'Minimizar', connecting: 'Conectando\u2026', back: 'Volver', close: 'Cerrar',
    next: 'Es el siguiente.', number: 'Es el número {n} de la cola.', leave: 'Salir de la cola', bookInstead: 'Mejor reservar una cita', joinAppointment: 'Entrar en su cita', yourAppointment: 'Su cita: {when}', timedOut: 'Lo sentimos, nadie pudo atender su llamada a tiempo. Puede volver a unirse a la cola o reservar una cita.',
    keepOpen: 'Mantenga esta página abierta. Mientras tanto puede seguir viendo la tienda.',
    estimatedWait: 'Espera estimada: {wait}.', noEstimate: 'Le diremos la espera en cuanto haya un experto conectado.',
    waitUnderMinute: 'menos de un minuto', waitUpTo: 'hasta {high} minutos', waitAbout: 'unos {low} a {high} minutos',
    dropped: 'Se cortó la conexión. Reconectando\u2026 conserva su puesto.', reconnecting: 'Reconectando\u2026 conserva su puesto.',
    abandoned: 'Estuvo ausente demasiado tiempo, así que se liberó su puesto en la cola. Puede volver a unirse cuando quiera.',
    inCall: 'Está en una videollamada', connectingExpert: 'Conectándole con su experto\u2026',
    waitingExpert: 'Esperando a que se una su experto\u2026', expertJoining: 'Su experto se está uniendo\u2026',
    expertDropped: 'Se cortó la conexión de su experto. Esperando a que vuelva\u2026', reconnectingCall: 'Reconectando con la llamada\u2026',
    videoConnecting: 'Conectando el vídeo\u2026', videoUnstable: 'La conexión es inestable\u2026', videoFailed: 'Falló la conexión de vídeo. Reintentando\u2026',
    noCamera: 'No pudimos usar su cámara: su experto le oye, pero no le ve.',
    noMedia: 'No pudimos usar su cámara ni su micrófono. Aun así ve a su experto y los productos; permita la cámara en su navegador y recargue la página para hablar.',
    mute: 'Silenciar el micrófono', cameraOff: 'Apagar la cámara', endCall: 'Colgar', ending: 'Terminando la llamada\u2026',
    productsInCall: 'Productos de esta llamada', productsEmpty: 'Aquí aparecen los productos que le muestre su experto.',
    addToCart: 'Añadir al carrito', added: 'Añadido \u2713', view: 'Ver',
    mayEnd: 'Esta llamada podría terminar en unos {duration}.',
    noShow: 'Su experto no pudo unirse a la llamada. ¡Lo sentimos! Vuelva a unirse a la cola, por favor.',
    lostReplaced: 'Su llamada continúa en otra pestaña o ventana.',
    lostNeverJoined: 'No pudimos conectarle a la llamada. Vuelva a unirse a la cola, por favor.',
    lostConnection: 'Se perdió la conexión con la llamada. Vuelva a unirse a la cola si desea más ayuda.',
    endedByYou: 'Ha terminado la llamada.', endedByExpert: 'Su experto ha terminado la llamada.', endedMaxLength: 'La llamada alcanzó su duración máxima.',
    endedLost: 'La llamada terminó porque se perdió una conexión.', ended: 'La llamada ha terminado.', lasted: 'Duró {duration}.',
    howWasCall: '¿Qué tal fue su llamada?', rating: 'Valoración', star: '{n} estrella', stars: '{n} estrellas', comment: 'Comentario',
    commentExample: 'Cuéntenos qué fue bien o qué podríamos mejorar (opcional)', noThanks: 'No, gracias', send: 'Enviar',
    thanks: '¡Gracias por su opinión!',
    today: 'hoy a las {time}', tomorrow: 'mañana a las {time}', onDay: 'el {day} a las {time}',
    codes: {
      queue_full: 'Ahora mismo esperan tantos clientes que no podemos admitir más. Vuelva a intentarlo en unos minutos.',
      queue_closed: 'Nuestros expertos no están disponibles ahora mismo. Vuelva durante nuestro horario de atención.',
      queue_closed_until: 'Nuestros expertos no están disponibles ahora mismo. Volvemos {when}.',
      tenant_suspended: 'La ayuda por vídeo en directo no está disponible en esta tienda en este momento.',
      insufficient_funds: 'La ayuda por vídeo en directo no está disponible en esta tienda en este momento. Vuelva a intentarlo más tarde.',
      plan_limit: 'La ayuda por vídeo en directo no está disponible en esta tienda en este momento. Vuelva a intentarlo más tarde.',
      unknown_ticket: 'Su puesto en la cola ha caducado. Puede volver a unirse cuando quiera.',
      invalid_ticket: 'Su puesto en la cola ha caducado. Puede volver a unirse cuando quiera.',
      invalid_resume_token: 'Su puesto en la cola ha caducado. Puede volver a unirse cuando quiera.',
      origin_not_allowed: 'La ayuda por vídeo en directo no está activada en este sitio web.',
      widget_key_invalid: 'La ayuda por vídeo en directo no está disponible en este sitio web ahora mismo.',
      widget_key_missing: 'La ayuda por vídeo en directo no está bien configurada en este sitio web.',
      already_queued: 'Ya tiene un puesto en la cola.',
      not_in_queue: 'Ya no está en la cola.',
      request_in_progress: 'Un momento: seguimos con su última solicitud.',
      unavailable: 'No pudimos contactar con la cola. Vuelva a intentarlo.',
      rate_limited: 'Ha ido un poco rápido. Espere un momento y vuelva a intentarlo.',
      too_many_joins: 'Ha ido un poco rápido. Espere un momento y vuelva a intentarlo.',
      too_many_connections: 'Hay demasiadas ventanas de ayuda por vídeo abiertas. Cierre una y vuelva a intentarlo.',
      frame_too_large: 'Ese mensaje es demasiado largo. Acórtelo, por favor.',
      not_allowed_for_role: 'Eso no es posible en esta llamada.',
      invalid_signal: 'No se pudo establecer la conexión de vídeo.',
      call_not_started: 'La llamada aún no ha empezado.',
      call_ended: 'La llamada ya ha terminado.',
      call_not_ended: 'Podrá valorar la llamada cuando haya terminado.',
      unknown_product: 'Ese producto no forma parte de esta llamada.',
      already_given: 'Ya se ha enviado. ¡Gracias!',
      validation_failed: 'Revise lo que ha introducido.',
      something_wrong: 'Algo salió mal. Vuelva a intentarlo.',
    },
    fields: {
      name: 'Introduzca su nombre (hasta 100 caracteres).',
      email: 'Introduzca un correo electrónico válido, como ada@example.com.',
      phone: 'Introduzca un teléfono válido: solo cifras, espacios y + ( ) . / -.',
      productInterest: 'Describa lo que busca en 200 caracteres como máximo.',
      productUrl: 'Introduzca una dirección web que empiece por https://.',
      notes: 'Sus notas deben tener menos de 500 caracteres.',
      language: 'No se pudo usar el idioma de su navegador. Vuelva a intentarlo.',
      comment: 'Su comentario debe tener menos de 1000 caracteres.',
      rating: 'Elija entre 1 y 5 estrellas.',
    },
  },
};

/**
 * The widget's words in `language`: `t.key` for fixed texts, `t.say(key, values)` for texts with
 * values, and sentences for the protocol's codes, waits, openings and a call's end. Times are
 * written for `locale` (the browser's own tag of that language, e.g. en-GB), else the language.
 * `more` ({codes, fields}) adds sentences of the caller's own (client.js's for staff).
 */
export function textsFor(language, locale, more) {
  const own = TEXTS[language] || TEXTS.en;
  // `more`: codes and fields of the caller's own (the console's and admin app's English ones).
  const words = more ? Object.assign({}, own, { codes: Object.assign({}, own.codes, more.codes),
    fields: Object.assign({}, own.fields, more.fields) }) : own;
  const fill = (text, values) => String(text).replace(/\{(\w+)\}/g, (all, name) => (values && values[name] != null ? values[name] : all));
  return Object.assign({}, words, {
    language: TEXTS[language] ? language : 'en',
    say: (key, values) => fill(words[key] != null ? words[key] : TEXTS.en[key], values),

    /** A wait range as a person says it; null when there is no estimate. */
    wait(range) {
      if (!range) return null;
      const low = Math.floor(range.lowSeconds / 60);
      const high = Math.max(low + 1, Math.ceil(range.highSeconds / 60));
      if (high <= 1) return words.waitUnderMinute;
      return fill(low === 0 ? words.waitUpTo : words.waitAbout, { low, high });
    },

    /** When the queue opens again, in this language and the reader's time zone: "tomorrow at 09:00". */
    opening(isoInstant, now = new Date()) {
      const at = new Date(isoInstant);
      if (isNaN(at.getTime())) return null;
      const time = new Intl.DateTimeFormat(locale || language, { hour: 'numeric', minute: '2-digit' }).format(at);
      const day = (d) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
      const days = Math.round((day(at) - day(now)) / 86400000);
      if (days === 0) return fill(words.today, { time });
      if (days === 1) return fill(words.tomorrow, { time });
      return fill(words.onDay, { time, day: new Intl.DateTimeFormat(locale || language, { weekday: 'long', day: 'numeric', month: 'long' }).format(at) });
    },

    /** A sentence for an `error`/`refused` message: never a bare code (unknown ones go to the console). */
    sentence(problem) {
      if (!problem) return words.codes.something_wrong;
      if (problem.code === 'queue_closed' && problem.nextOpeningAt) {
        const when = this.opening(problem.nextOpeningAt);
        if (when) return fill(words.codes.queue_closed_until, { when });
      }
      const field = (problem.code === 'invalid_field' || problem.code === 'unknown_field') ? problem.field
        : problem.code === 'validation_failed' && Array.isArray(problem.errors) && problem.errors.length ? problem.errors[0].field : null;
      if (field && words.fields[field]) return words.fields[field];
      if (words.codes[problem.code]) return words.codes[problem.code];
      console.warn('[VideoShop] unexplained problem', problem);
      return words.codes.something_wrong;
    },

    /** How a call ended, with its length: "Your expert ended the call. It lasted 3 min 4 s." */
    ended(ended, formatDuration) {
      const how = !ended ? words.ended
        : ended.reason === 'hung-up' ? (ended.endedBy === 'shopper' ? words.endedByYou : words.endedByExpert)
        : ended.reason === 'max-length' ? words.endedMaxLength
        : ended.reason === 'participant-lost' ? words.endedLost
        : words.ended;
      return how + (ended && ended.durationSeconds ? ' ' + fill(words.lasted, { duration: formatDuration(ended.durationSeconds) }) : '');
    },

    /** What to show over the video for a peer connection's state; null once it is connected. */
    connection(state) {
      if (state === 'connected') return null;
      return state === 'disconnected' ? words.videoUnstable : state === 'failed' ? words.videoFailed : words.videoConnecting;
    },
  });
}
