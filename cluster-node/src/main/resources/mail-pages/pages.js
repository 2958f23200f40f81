// The token comes in the link's fragment (#token=...): browsers never send a fragment to a
// server, so it is in no access log. It is removed from the address bar at once.
function accountPage(endpoint, body, success) {
  const token = new URLSearchParams(location.hash.slice(1)).get('token') || '';
  history.replaceState(null, '', location.pathname);
  const result = document.getElementById('result');
  if (!token) result.textContent = 'This link has no token: open it from the mail again.';
  document.getElementById('form').addEventListener('submit', async event => {
    event.preventDefault();
    const reply = await fetch(endpoint, {method: 'POST', headers: {'Content-Type': 'application/json'},
      body: JSON.stringify(body(token))});
    if (reply.ok) {
      result.textContent = success;
      document.getElementById('form').hidden = true;
    } else {
      const problem = await reply.json();
      result.textContent = (problem.errors && problem.errors.length ? problem.errors[0].message : problem.detail)
        + ' (' + problem.code + ')';
    }
  });
}
