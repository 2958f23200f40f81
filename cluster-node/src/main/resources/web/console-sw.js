// The agent console's service worker (docs/notifications.md, "Web push"): keeps the console's
// shell so the installed app opens at once and says so when the node cannot be reached, and shows
// the pushes the platform sends an agent. Never caches the API or the sockets.
const SHELL = 'videoshop-console-shell-v1';
const SHELL_FILES = [
  '/console', '/console.webmanifest', '/web/console.css', '/web/console.js', '/web/client.js',
  '/web/console-push.js', '/web/logo.svg', '/web/console-icon-192.png', '/web/console-icon-512.png',
];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(SHELL_FILES)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('videoshop-console-shell-') && name !== SHELL) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

// The shell network first (the node serves each file with an entity tag, so an unchanged file is a
// 304), the cached copy when the network fails. Everything else goes to the network untouched.
self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (!SHELL_FILES.includes(url.pathname)) return;
  event.respondWith((async () => {
    const cache = await caches.open(SHELL);
    try {
      const response = await fetch(event.request);
      if (response.ok) await cache.put(url.pathname, response.clone());
      return response;
    } catch (offline) {
      const cached = await cache.match(url.pathname);
      if (cached) return cached;
      throw offline;
    }
  })());
});

/** A console tab the agent is looking at: it shows offers itself, so a notification would repeat it. */
async function visibleConsole() {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  return windows.some((client) => new URL(client.url).pathname === '/console' && client.visibilityState === 'visible');
}

self.addEventListener('push', (event) => {
  event.waitUntil((async () => {
    let message;
    try {
      message = event.data ? event.data.json() : null;
    } catch (notJson) {
      message = null;
    }
    if (!message || typeof message.title !== 'string') return;
    // An offer is for the moment: when the console is in front of the agent, it already shows it.
    if (message.kind === 'offer' && await visibleConsole()) return;
    await self.registration.showNotification(message.title, {
      body: typeof message.body === 'string' ? message.body : '',
      tag: typeof message.tag === 'string' ? message.tag : message.kind,
      renotify: true,
      requireInteraction: message.kind === 'offer',
      icon: '/web/console-icon-192.png',
      badge: '/web/console-icon-192.png',
      data: { url: '/console', kind: message.kind },
    });
  })());
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil((async () => {
    const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
    const console = windows.find((client) => new URL(client.url).pathname === '/console');
    if (console) return console.focus();
    return self.clients.openWindow('/console');
  })());
});
