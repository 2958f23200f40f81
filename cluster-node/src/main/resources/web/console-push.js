// The installable console and its push notifications (docs/notifications.md, "Web push"):
// registers the service worker, and lets the signed-in agent turn notifications on for this
// device, off again, or off for all their devices. Kept apart from console.js: it reads the
// console's session only to call the API with the agent's token.
const SESSION = 'videoshop-console:session';
const $ = (id) => document.getElementById(id);
const SUBSCRIBE_TIMEOUT_MS = 15000;

const supported = 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
const registration = 'serviceWorker' in navigator
  ? navigator.serviceWorker.register('/console-sw.js', { scope: '/console' }).catch((e) => {
    console.warn('the console service worker did not register', e && e.message);
    return null;
  })
  : Promise.resolve(null);

window.__videoshopPush = {
  registration,
  get state() { return state; },
};

const state = { subscriptionId: null, busy: false, shown: false };

function token() {
  try {
    const session = JSON.parse(sessionStorage.getItem(SESSION) || 'null');
    return session && session.accessToken;
  } catch (e) {
    return null;
  }
}

async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: Object.assign({ Authorization: 'Bearer ' + token() }, body === undefined ? {} : { 'Content-Type': 'application/json' }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw Object.assign(new Error((json && json.detail) || 'HTTP ' + response.status), { problem: json });
  return json;
}

function say(text, isError) {
  $('push-error').hidden = !isError;
  $('push-error').textContent = isError ? text : '';
  if (!isError) $('push-text').textContent = text;
}

function render(subscribed) {
  $('push-device').textContent = subscribed ? 'Stop notifications on this device' : 'Notify me on this device';
  $('push-device').dataset.subscribed = subscribed ? 'true' : 'false';
  say(subscribed
    ? 'This device shows a notification when a shopper is offered to you while the console is in the background.'
    : 'Get a notification on this device when a shopper is offered to you while the console is in the background.');
}

/** When the desk appears (signed in): show the card and bring the server up to date with this browser. */
async function onSignedIn() {
  $('push-card').hidden = false;
  if (!supported) {
    $('push-device').hidden = true;
    say('This browser cannot show notifications from the console.');
    return;
  }
  try {
    const preferences = await api('GET', '/api/v1/me/push-preferences');
    $('push-enabled').checked = preferences.pushEnabled;
    const reg = await registration;
    const existing = reg && await reg.pushManager.getSubscription();
    if (existing && Notification.permission === 'granted') {
      // The server may have dropped it (the push service said it was gone) or another person
      // used this browser before: subscribing again makes it this agent's.
      state.subscriptionId = (await api('POST', '/api/v1/me/push-subscriptions', existing.toJSON())).id;
    }
    render(Boolean(existing));
  } catch (e) {
    say('Notifications cannot be set up right now: ' + e.message, true);
  }
}

async function subscribe() {
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') {
    say('Notifications are blocked for this site. Allow them in the browser\u2019s site settings, then try again.', true);
    return;
  }
  const reg = await registration;
  if (!reg) throw new Error('the service worker is not available');
  const { publicKey } = await api('GET', '/api/v1/push/public-key');
  // A browser that cannot reach its push service may never answer: give up with a clear message.
  const subscription = await Promise.race([
    reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: publicKey }),
    new Promise((resolve, reject) => setTimeout(() => reject(new Error('the browser\u2019s push service did not answer')),
      SUBSCRIBE_TIMEOUT_MS)),
  ]);
  try {
    state.subscriptionId = (await api('POST', '/api/v1/me/push-subscriptions', subscription.toJSON())).id;
  } catch (e) {
    await subscription.unsubscribe().catch(() => {});
    throw e;
  }
  render(true);
}

async function unsubscribe() {
  const reg = await registration;
  const subscription = reg && await reg.pushManager.getSubscription();
  if (state.subscriptionId) await api('DELETE', '/api/v1/me/push-subscriptions/' + state.subscriptionId).catch(() => {});
  if (subscription) await subscription.unsubscribe();
  state.subscriptionId = null;
  render(false);
}

function start() {
  $('push-device').addEventListener('click', async () => {
    if (state.busy) return;
    state.busy = true;
    $('push-device').disabled = true;
    try {
      if ($('push-device').dataset.subscribed === 'true') await unsubscribe(); else await subscribe();
    } catch (e) {
      say('Notifications could not be turned on for this device: ' + e.message, true);
    } finally {
      state.busy = false;
      $('push-device').disabled = false;
    }
  });
  $('push-enabled').addEventListener('change', async () => {
    const wanted = $('push-enabled').checked;
    try {
      $('push-enabled').checked = (await api('PUT', '/api/v1/me/push-preferences', { pushEnabled: wanted })).pushEnabled;
    } catch (e) {
      $('push-enabled').checked = !wanted;
      say('The setting could not be saved: ' + e.message, true);
    }
  });
  // The desk shows once the agent is signed in (console.js); follow it rather than reach into console.js.
  const desk = $('desk');
  const follow = () => {
    const shown = !desk.hidden;
    if (shown && !state.shown) onSignedIn();
    state.shown = shown;
  };
  new MutationObserver(follow).observe(desk, { attributes: true, attributeFilter: ['hidden'] });
  follow();
}

start();
