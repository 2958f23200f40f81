// The admin app's live preview of the widget (docs/admin.md, Widget): the real widget.js with the
// appearance being edited as its data-* attributes, read from this page's hash
// (#color=…&title=…&greeting=…&position=…&language=…&browser=…), its panel open. No widget key:
// it shows the edited values, never the stored ones, and cannot queue anyone. `browser` stands in
// for the shopper's browser languages. A new hash is a new page (one widget per page).
(function () {
  'use strict';
  var params = new URLSearchParams(location.hash.slice(1));
  window.addEventListener('hashchange', function () { location.reload(); });
  var browser = params.get('browser');
  if (browser) {
    Object.defineProperty(navigator, 'languages', { get: function () { return [browser]; } });
    Object.defineProperty(navigator, 'language', { get: function () { return browser; } });
  }
  var tag = document.createElement('script');
  tag.src = '/widget.js';
  ['color', 'title', 'greeting', 'position', 'language'].forEach(function (name) {
    if (params.get(name)) tag.setAttribute('data-' + name, params.get(name));
  });
  document.head.append(tag);
  // Open the panel once the widget is there, so the greeting and the form show.
  var tries = 0;
  var opener = setInterval(function () {
    var host = document.getElementById('videoshop-widget');
    var launcher = host && host.shadowRoot && host.shadowRoot.getElementById('launcher');
    if (launcher || ++tries > 200) clearInterval(opener);
    if (launcher) launcher.click();
  }, 25);
})();
